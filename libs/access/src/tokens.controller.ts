import { Body, Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, Caller, CallerScope, Change, type ChangeContext, describeScope, Input, type Page, PageQuery, pageOf, pageSchema, Permission, type Principal, Returns, ROLES, Requires, ROLE_PERMISSIONS, type Scope } from '@app/inventory';
import { CreateToken, type TokenView } from './token.dto';
import { TokensService } from './tokens.service';

const TOKEN_VIEW = { type: 'object', required: ['id', 'owner', 'role', 'scope', 'prefix', 'expiresAt', 'status'], properties: { id: { type: 'string', format: 'uuid' }, owner: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, scope: { type: 'object', properties: { kind: { type: 'string', enum: ['country', 'unit', 'agency'] }, id: { type: 'string', nullable: true }, name: { type: 'string' } } }, prefix: { type: 'string' }, allowedAddresses: { type: 'array', items: { type: 'string' }, nullable: true }, expiresAt: { type: 'string', format: 'date-time' }, revokedAt: { type: 'string', format: 'date-time', nullable: true }, lastUsedAt: { type: 'string', format: 'date-time', nullable: true }, createdBy: { type: 'string' }, createdAt: { type: 'string', format: 'date-time' }, note: { type: 'string', nullable: true }, status: { type: 'string', enum: ['active', 'expired', 'revoked'] } } } as const;

@ApiTags('access')
@Controller()
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Get('me')
  @Returns({ type: 'object', properties: { tokenId: { type: 'string', format: 'uuid' }, owner: { type: 'string' }, role: { type: 'string', enum: [...ROLES] }, permissions: { type: 'array', items: { type: 'string' } }, scope: TOKEN_VIEW.properties.scope } }, 'Who you are')
  @Authenticated()
  @ApiOperation({ summary: 'The caller: token owner, role, what it may do and where' })
  me(@Caller() caller: Principal) {
    const { scope } = caller;
    return {
      tokenId: caller.tokenId,
      owner: caller.owner,
      role: caller.role,
      permissions: ROLE_PERMISSIONS[caller.role],
      scope: { kind: scope.kind, id: scope.kind === 'unit' ? scope.unitId : scope.kind === 'agency' ? scope.agencyId : null, name: describeScope(scope) },
    };
  }

  @Post('tokens')
  @Returns({ allOf: [TOKEN_VIEW, { type: 'object', required: ['token'], properties: { token: { type: 'string', description: 'The secret, shown this once' } } }] }, 'The token, with its secret', 201)
  @Requires(Permission.TokensManage)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a token within your scope; the response carries the token once, it is never shown again' })
  async create(@Body(new Input(CreateToken)) body: CreateToken, @Change() ctx: ChangeContext): Promise<TokenView & { token: string }> {
    const { token, record } = await this.tokens.create(body, ctx);
    return { ...record, token };
  }

  @Get('tokens')
  @Returns(pageSchema(TOKEN_VIEW), 'A page of the tokens')
  @Requires(Permission.TokensManage)
  @ApiOperation({ summary: 'The tokens scoped within yours (never their secrets)' })
  async list(@CallerScope() scope: Scope, @Query(new Input(PageQuery)) q: PageQuery): Promise<Page<TokenView>> {
    return pageOf(await this.tokens.list(scope), q, 'tokens');
  }

  @Get('tokens/:id')
  @Returns(TOKEN_VIEW, 'The token (never its secret)')
  @Requires(Permission.TokensManage)
  get(@Param('id', new ParseUUIDPipe()) id: string, @CallerScope() scope: Scope): Promise<TokenView> {
    return this.tokens.get(id, scope);
  }

  @Delete('tokens/:id')
  @Requires(Permission.TokensManage)
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a token: it stops working at once' })
  async revoke(@Param('id', new ParseUUIDPipe()) id: string, @Change() ctx: ChangeContext): Promise<void> {
    await this.tokens.revoke(id, ctx);
  }
}
