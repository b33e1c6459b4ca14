import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Change, type ChangeContext, Input, Permission, Requires, Returns, schemaRef } from '@app/inventory';
import { PutSnmpCredential, RegisterDiscovered, StartDiscovery } from './discovery.dto';
import { DiscoveryService } from './discovery.service';
import { SnmpCredentialsService } from './snmp-credentials.service';

const uuid = new ParseUUIDPipe({ version: undefined });

const CREDENTIAL_SCHEMA = {
  type: 'object',
  required: ['name', 'version', 'user', 'authProtocol', 'privProtocol', 'securityLevel', 'hasCommunity', 'hasAuthKey', 'hasPrivKey', 'createdAt', 'updatedAt'],
  properties: {
    name: { type: 'string' },
    version: { type: 'string', enum: ['2c', '3'] },
    user: { type: 'string', nullable: true },
    authProtocol: { type: 'string', nullable: true },
    privProtocol: { type: 'string', nullable: true },
    securityLevel: { type: 'string', enum: ['community', 'authNoPriv', 'authPriv'] },
    hasCommunity: { type: 'boolean' },
    hasAuthKey: { type: 'boolean' },
    hasPrivKey: { type: 'boolean' },
    createdAt: { type: 'string', format: 'date-time' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
};
const MATCH_SCHEMA = {
  type: 'object',
  required: ['deviceId', 'name', 'agencyId', 'by'],
  properties: {
    deviceId: { type: 'string', format: 'uuid' },
    name: { type: 'string', nullable: true },
    agencyId: { type: 'string', format: 'uuid' },
    by: { type: 'array', items: { type: 'string', enum: ['serialNumber', 'managementAddress', 'sysName'] } },
  },
};
const DISCOVERY_WITH_RESULTS = {
  allOf: [
    schemaRef('Discovery'),
    {
      type: 'object',
      required: ['results'],
      properties: {
        results: {
          type: 'array',
          description: 'Every address where something answered, in address order; silent addresses are only counted',
          items: { allOf: [schemaRef('DiscoveryResult'), { type: 'object', required: ['matches'], properties: { matches: { type: 'array', items: MATCH_SCHEMA } } }] },
        },
      },
    },
  ],
};

@ApiTags('discovery')
@Controller()
export class DiscoveryController {
  constructor(
    private readonly credentials: SnmpCredentialsService,
    private readonly discoveries: DiscoveryService,
  ) {}

  @Get('snmp-credentials')
  @Returns({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: CREDENTIAL_SCHEMA } } }, 'The stored credentials by name, their secrets never shown')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'SNMP credentials stored by name for discovery (secrets are never returned)' })
  async listCredentials() {
    return { items: await this.credentials.list() };
  }

  @Put('snmp-credentials/:name')
  @Returns(CREDENTIAL_SCHEMA, 'The credential as stored (201 when new), its secrets never shown')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Store SNMP credentials under a name; omitted secrets keep their stored values' })
  async putCredential(@Param('name') name: string, @Body(new Input(PutSnmpCredential)) body: PutSnmpCredential, @Change() ctx: ChangeContext, @Res({ passthrough: true }) res: Response) {
    const { credential, created } = await this.credentials.put(name, body, ctx);
    res.status(created ? 201 : 200);
    return credential;
  }

  @Delete('snmp-credentials/:name')
  @Requires(Permission.InventoryWrite)
  @HttpCode(204)
  @ApiOperation({ summary: 'Forget a stored credential (devices registered with it keep their own copy in their SNMP profile)' })
  async removeCredential(@Param('name') name: string, @Change() ctx: ChangeContext) {
    await this.credentials.remove(name, ctx);
  }

  @Get('discoveries')
  @Returns({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: schemaRef('Discovery') } } }, 'The latest 50 discoveries, newest first')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Discoveries, newest first (yours only, unless your scope is the whole country)' })
  async list(@Change() ctx: ChangeContext) {
    return { items: await this.discoveries.list(ctx) };
  }

  @Post('discoveries')
  @Returns(schemaRef('Discovery'), 'The discovery, begun: read it again for its progress and results', 202)
  @Requires(Permission.InventoryWrite)
  @HttpCode(202)
  @ApiOperation({ summary: 'Probe a range (at most a /22) or a list of addresses for SNMP agents with stored credentials, at a bounded rate, in the background' })
  start(@Body(new Input(StartDiscovery)) body: StartDiscovery, @Change() ctx: ChangeContext) {
    return this.discoveries.start(body, ctx);
  }

  @Get('discoveries/:id')
  @Returns(DISCOVERY_WITH_RESULTS, 'The discovery with what answered, each matched against the inventory')
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'A discovery: its progress, and every address that answered with the registered devices it matches (serial, management address, sysName)' })
  get(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.discoveries.get(id, ctx);
  }

  @Post('discoveries/:id/cancel')
  @Returns(schemaRef('Discovery'), 'The discovery, stopped')
  @Requires(Permission.InventoryWrite)
  @HttpCode(200)
  @ApiOperation({ summary: 'Stop a running discovery (what answered so far is kept)' })
  cancel(@Param('id', uuid) id: string, @Change() ctx: ChangeContext) {
    return this.discoveries.cancel(id, ctx);
  }

  @Post('discoveries/:id/register')
  @Returns({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: schemaRef('Device') } } }, 'The devices registered, in the order given', 201)
  @Requires(Permission.InventoryWrite)
  @ApiOperation({ summary: 'Register the picked addresses as devices of one agency, each with an SNMP profile of the credential that answered: all or nothing' })
  async register(@Param('id', uuid) id: string, @Body(new Input(RegisterDiscovered)) body: RegisterDiscovered, @Change() ctx: ChangeContext) {
    return { items: await this.discoveries.register(id, body, ctx) };
  }
}
