import { Body, Controller, Delete, Get, Header, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Authenticated, Caller, CallerScope, Change, type ChangeContext, Input, type Page, PageQuery, pageOf, pageSchema, Permission, type Principal, Public, Requires, Returns, ROLE_PERMISSIONS, ROLES, type Scope } from '@app/inventory';
import { CreateUser, SignIn, UpdateUser, type UserView } from './account.dto';
import { AccountsService, SESSION_COOKIE, SESSION_HOURS } from './accounts.service';
import { Authenticator, cookieOf } from './authenticator';

const USER_VIEW = {
  type: 'object',
  required: ['id', 'username', 'displayName', 'role', 'scope', 'disabled'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    username: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: [...ROLES] },
    scope: { type: 'object', properties: { kind: { type: 'string', enum: ['country', 'unit', 'agency'] }, id: { type: 'string', nullable: true }, name: { type: 'string' } } },
    disabled: { type: 'boolean' },
    lastSignInAt: { type: 'string', format: 'date-time', nullable: true },
    createdBy: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;
const SESSION_VIEW = {
  type: 'object',
  required: ['user', 'permissions'],
  properties: {
    user: USER_VIEW,
    permissions: { type: 'array', items: { type: 'string' } },
    csrfToken: { type: 'string', description: 'Send it back as X-CSRF-Token on every write made with the session cookie' },
    expiresAt: { type: 'string', format: 'date-time' },
  },
} as const;

/** The session cookie: httpOnly (no script reads it), SameSite=Strict, Secure behind HTTPS. */
function setSessionCookie(req: Request, res: Response, value: string, maxAgeSeconds: number): void {
  const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`];
  if (req.secure) parts.push('Secure');
  res.setHeader('Set-Cookie', parts.join('; '));
}

@ApiTags('access')
@Controller()
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly authenticator: Authenticator,
  ) {}

  @Post('session')
  @Public()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Sign in with a username and password: sets the session cookie (httpOnly, SameSite=Strict) and returns the CSRF token for writes' })
  @Returns(SESSION_VIEW, 'The person signed in, their permissions, the CSRF token and the session\'s end')
  async signIn(@Body(new Input(SignIn)) body: SignIn, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    // Failed sign-ins are slowed as failed tokens are: the same limit per address.
    this.authenticator.refuseIfBlocked(req, res);
    const session = await this.accounts.signIn(body.username, body.password).catch(async (err: unknown) => {
      await this.authenticator.countFailure(req, res);
      throw err;
    });
    setSessionCookie(req, res, session.sessionId, SESSION_HOURS * 3600);
    return { user: session.user, permissions: ROLE_PERMISSIONS[session.user.role], csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  @Get('session')
  @Authenticated()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'The signed-in person (or the token), what they may do, and the CSRF token' })
  @Returns(SESSION_VIEW, 'The session')
  async session(@Req() req: Request, @Caller() caller: Principal) {
    const sid = cookieOf(req, SESSION_COOKIE);
    if (!req.headers.authorization && sid) {
      const { user, csrfToken } = await this.accounts.authenticate(sid);
      return { user, permissions: ROLE_PERMISSIONS[user.role], csrfToken };
    }
    return { user: { id: caller.tokenId, username: null, displayName: caller.owner, role: caller.role, scope: null, disabled: false }, permissions: ROLE_PERMISSIONS[caller.role] };
  }

  @Delete('session')
  @Authenticated()
  @HttpCode(204)
  @ApiOperation({ summary: 'Sign out: the session ends and its cookie is cleared' })
  async signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const sid = cookieOf(req, SESSION_COOKIE);
    if (sid) await this.accounts.signOut(sid);
    setSessionCookie(req, res, '', 0);
  }

  @Get('users')
  @Requires(Permission.TokensManage)
  @ApiOperation({ summary: 'The accounts whose scope lies within yours' })
  @Returns(pageSchema(USER_VIEW), 'A page of accounts')
  async list(@CallerScope() scope: Scope, @Query(new Input(PageQuery)) q: PageQuery): Promise<Page<UserView>> {
    return pageOf(await this.accounts.list(scope), q, 'users');
  }

  @Post('users')
  @Requires(Permission.TokensManage)
  @ApiOperation({ summary: 'Create an account (role and scope within yours); the password is stored as a scrypt hash' })
  @Returns(USER_VIEW, 'The account', 201)
  create(@Body(new Input(CreateUser)) body: CreateUser, @Change() ctx: ChangeContext): Promise<UserView> {
    return this.accounts.create(body, ctx);
  }

  @Get('users/:id')
  @Requires(Permission.TokensManage)
  @Returns(USER_VIEW, 'The account')
  get(@Param('id', new ParseUUIDPipe()) id: string, @CallerScope() scope: Scope): Promise<UserView> {
    return this.accounts.get(id, scope);
  }

  @Patch('users/:id')
  @Requires(Permission.TokensManage)
  @ApiOperation({ summary: 'Rename, change role or password, disable or enable an account; a new password, role or a disabling ends its sessions' })
  @Returns(USER_VIEW, 'The account as changed')
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body(new Input(UpdateUser)) body: UpdateUser, @Change() ctx: ChangeContext): Promise<UserView> {
    return this.accounts.update(id, body, ctx);
  }
}
