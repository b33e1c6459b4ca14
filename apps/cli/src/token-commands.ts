import { InjectDataSource } from '@nestjs/typeorm';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CreateToken, TokensService, type TokenView } from '@app/access';
import { EVERYWHERE, Input, InventoryError, type Role } from '@app/inventory';
import { report } from './commands';

/** The CLI runs on the server with the database's own credentials: it may make any token. */
const CLI = { actor: `cli:${process.env.USER ?? 'unknown'}`, source: 'cli' as const, scope: EVERYWHERE };

interface CreateOptions {
  owner: string;
  role: Role;
  unit?: string;
  agency?: string;
  days?: number;
  allow?: string[];
  note?: string;
}

@Command({
  name: 'token-create',
  description: 'Create an API token (the first admin token, or any other); it is printed once and stored hashed',
})
export class TokenCreateCommand extends CommandRunner {
  constructor(
    private readonly tokens: TokensService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {
    super();
  }

  @Option({ flags: '--owner <name>', description: 'Who holds it (a person and office, or a service); the audit log names them', required: true })
  parseOwner(v: string): string {
    return v;
  }

  @Option({ flags: '--role <role>', description: 'admin, network_admin, planner, viewer or poller', required: true })
  parseRole(v: string): string {
    return v;
  }

  @Option({ flags: '--unit <id-or-code>', description: 'Scope: an administrative unit (id or GSO code, e.g. 52) and everything beneath it' })
  parseUnit(v: string): string {
    return v;
  }

  @Option({ flags: '--agency <id-or-code>', description: 'Scope: one agency (id or agency code) and its subordinate agencies' })
  parseAgency(v: string): string {
    return v;
  }

  @Option({ flags: '--days <n>', description: 'Days until it expires (default 90, at most 730)' })
  parseDays(v: string): number {
    return Number(v);
  }

  @Option({ flags: '--allow <address>', description: 'An address or CIDR block it may be used from; repeatable (default: anywhere)' })
  parseAllow(v: string, previous: string[] = []): string[] {
    return [...previous, v];
  }

  @Option({ flags: '--note <text>', description: 'What it is for' })
  parseNote(v: string): string {
    return v;
  }

  async run(_: string[], o: CreateOptions): Promise<void> {
    const administrativeUnitId = o.unit ? await this.idOf('administrative_unit', o.unit, 'valid_to IS NULL') : undefined;
    const agencyId = o.agency ? await this.idOf('agency', o.agency) : undefined;
    const input = await new Input(CreateToken)
      .transform({ owner: o.owner, role: o.role, administrativeUnitId, agencyId, expiresInDays: o.days, allowedAddresses: o.allow, note: o.note })
      .catch(report);
    const { token, record } = await this.tokens.create(input, CLI).catch(report);
    process.stderr.write(`Created token ${record.id} for ${record.owner}: ${record.role}, ${record.scope.name}, expires ${record.expiresAt.toISOString()}\n`);
    process.stderr.write('Keep it now: it is stored hashed and cannot be shown again.\n');
    process.stdout.write(`${token}\n`);
  }

  private async idOf(table: 'administrative_unit' | 'agency', idOrCode: string, extra = 'true'): Promise<string> {
    const rows: Array<{ id: string }> = await this.ds.query(`SELECT id FROM ${table} WHERE (id::text = $1 OR code = $1) AND ${extra}`, [idOrCode]);
    if (rows.length !== 1) {
      report(InventoryError.invalid('Unknown scope', [{ field: table === 'agency' ? 'agency' : 'unit', message: `no ${table.replace('_', ' ')} with id or code ${idOrCode}` }]));
    }
    return rows[0].id;
  }
}

@Command({ name: 'token-list', description: 'List API tokens (never their secrets)' })
export class TokenListCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run(): Promise<void> {
    const rows = await this.tokens.list(EVERYWHERE);
    for (const t of rows) process.stdout.write(`${line(t)}\n`);
    if (!rows.length) process.stderr.write('No tokens yet: token-create makes one\n');
  }
}

@Command({ name: 'token-revoke', arguments: '<id>', description: 'Revoke an API token: it stops working at once' })
export class TokenRevokeCommand extends CommandRunner {
  constructor(private readonly tokens: TokensService) {
    super();
  }

  async run([id]: string[]): Promise<void> {
    const t = await this.tokens.revoke(id, CLI).catch(report);
    process.stdout.write(`${line(t)}\n`);
  }
}

function line(t: TokenView): string {
  return [t.id, t.prefix + '…', t.status, t.role, t.scope.name, t.owner, `expires ${t.expiresAt.toISOString().slice(0, 10)}`, t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used'].join('\t');
}
