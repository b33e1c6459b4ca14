import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { AuditLog, type ChangeContext, type FieldProblem, InventoryError } from '@app/inventory';
import { applyCredentials, credentialsView } from './credentials';
import { CREDENTIAL_NAME, type PutSnmpCredential } from './discovery.dto';
import { SnmpCredential } from './entities';
import { SecretBox } from './secret-box';

export type SnmpCredentialView = { name: string; createdAt: Date; updatedAt: Date } & ReturnType<typeof credentialsView>;

/** Credentials kept under a name, for discovery to try: which secrets are set, never the secrets. */
@Injectable()
export class SnmpCredentialsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly audit: AuditLog,
  ) {}

  async list(): Promise<SnmpCredentialView[]> {
    return (await this.ds.getRepository(SnmpCredential).find({ order: { name: 'ASC' } })).map(view);
  }

  async get(name: string): Promise<SnmpCredentialView> {
    const c = await this.ds.getRepository(SnmpCredential).findOneBy({ name });
    if (!c) throw InventoryError.notFound('SNMP credential', name);
    return view(c);
  }

  /** Creates or replaces one; a secret left out keeps the stored one (same version only). */
  async put(name: string, body: PutSnmpCredential, ctx: ChangeContext): Promise<{ credential: SnmpCredentialView; created: boolean }> {
    checkName(name);
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(SnmpCredential);
      const before = await repo.findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
      const c = Object.assign(new SnmpCredential(), before ?? {}, { name });
      const problems: FieldProblem[] = [];
      applyCredentials(c, body, before, this.secrets, problems);
      if (problems.length > 0) throw InventoryError.invalid('The SNMP credential is not valid', problems);
      const after = await repo.save(c);
      await this.audit.record(m, ctx, [{ action: before ? 'update' : 'create', entityType: 'snmp_credential', entityId: name, before: before ? view(before) : null, after: view(after), place: null }]);
      return { credential: view(after), created: !before };
    });
  }

  async remove(name: string, ctx: ChangeContext): Promise<void> {
    await this.ds.transaction(async (m) => {
      const before = await m.getRepository(SnmpCredential).findOne({ where: { name }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw InventoryError.notFound('SNMP credential', name);
      await m.getRepository(SnmpCredential).delete({ name });
      await this.audit.record(m, ctx, [{ action: 'delete', entityType: 'snmp_credential', entityId: name, before: view(before), after: null, place: null }]);
    });
  }

  /** The stored credentials of these names, sealed; unknown names are problems of `field`. */
  async sealed(names: string[], field: string, m: EntityManager = this.ds.manager): Promise<Map<string, SnmpCredential>> {
    const found = await m.getRepository(SnmpCredential).findBy({ name: In([...new Set(names)]) });
    const byName = new Map(found.map((c) => [c.name, c]));
    const unknown = names.filter((n) => !byName.has(n));
    if (unknown.length > 0) {
      const named = unknown.map((n) => `"${n}"`).join(', ');
      const known = (await this.list()).map((c) => c.name).join(', ');
      throw InventoryError.invalid('Unknown SNMP credentials', [
        known ? { field, message: `no stored credential is named ${named} (stored: ${known})` } : { field, message: `no stored credential is named ${named} (stored: none; create one with PUT /snmp-credentials/{name})` },
      ]);
    }
    return byName;
  }
}

function checkName(name: string): void {
  if (!CREDENTIAL_NAME.test(name)) {
    throw InventoryError.invalid('The SNMP credential is not valid', [{ field: 'name', message: 'a credential name is 1 to 64 letters, digits, . _ or -, beginning with a letter or digit' }]);
  }
}

function view(c: SnmpCredential): SnmpCredentialView {
  return { name: c.name, ...credentialsView(c), createdAt: c.createdAt, updatedAt: c.updatedAt };
}
