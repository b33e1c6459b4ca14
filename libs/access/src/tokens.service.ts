import { createHash, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  AuditLog,
  type ChangeContext,
  describeScope,
  type FieldProblem,
  InventoryError,
  InventoryErrorCode,
  likeEscape,
  type Principal,
  resolveScope,
  type Scope,
  scopeWithin,
} from '@app/inventory';
import { ApiToken } from './api-token.entity';
import { type CreateToken, DEFAULT_TOKEN_DAYS, type TokenView } from './token.dto';

const TOKEN_FORMAT = /^hat_[A-Za-z0-9_-]{43}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY_MS = 86_400_000;
/** How often a token's last use is written: at most once a minute, not on every request. */
const LAST_USED_EVERY_MS = 60_000;

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Why authentication failed; the guard says it in the 401. */
function unauthenticated(message: string): InventoryError {
  return new InventoryError(InventoryErrorCode.Unauthenticated, message);
}

interface TokenRow {
  id: string;
  owner: string;
  role: ApiToken['role'];
  administrative_unit_id: string | null;
  agency_id: string | null;
  unit_name: string | null;
  agency_name: string | null;
  prefix: string;
  allowed_addresses: string[] | null;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string;
  created_at: Date;
  note: string | null;
}

const SELECT_TOKENS = `SELECT t.id, t.owner, t.role, t.administrative_unit_id, t.agency_id, u.name AS unit_name, a.name AS agency_name, t.prefix,
    t.allowed_addresses, t.expires_at, t.revoked_at, t.last_used_at, t.created_by, t.created_at, t.note
  FROM api_token t
  LEFT JOIN administrative_unit u ON u.id = t.administrative_unit_id
  LEFT JOIN agency a ON a.id = t.agency_id
  LEFT JOIN administrative_unit au ON au.id = a.administrative_unit_id`;

@Injectable()
export class TokensService {
  private readonly lastUsedWritten = new Map<string, number>();

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Creates a token and returns its secret, which is never shown again. The new token's scope
   * must lie within the creator's, and an admin is scoped to an administrative unit at least.
   */
  async create(input: CreateToken, ctx: ChangeContext, now = new Date()): Promise<{ token: string; record: TokenView }> {
    const problems: FieldProblem[] = [];
    if (input.administrativeUnitId && input.agencyId) problems.push({ field: 'agencyId', message: 'give administrativeUnitId or agencyId, not both' });
    if (input.role === 'admin' && input.agencyId) problems.push({ field: 'role', message: 'an admin is scoped to an administrative unit or the whole country, not to one agency' });
    const allowed = input.allowedAddresses ?? null;
    allowed?.forEach((a, i) => {
      if (!parseAddress(a)) problems.push({ field: `allowedAddresses[${i}]`, message: 'not an IPv4 or IPv6 address or CIDR block', value: a });
    });
    if (problems.length) throw InventoryError.invalid('The token is not valid', problems);

    return this.ds.transaction(async (m) => {
      const scope = await resolveScope(m, { unitId: input.administrativeUnitId, agencyId: input.agencyId });
      if (!scope) {
        const field = input.agencyId ? 'agencyId' : 'administrativeUnitId';
        throw new InventoryError(InventoryErrorCode.UnknownReference, 'Unknown scope', [{ field, message: `no ${input.agencyId ? 'agency' : 'administrative unit'} ${input.agencyId ?? input.administrativeUnitId}` }]);
      }
      if (!scopeWithin(scope, ctx.scope)) {
        throw InventoryError.forbidden(`A token can only be given a scope within yours (${describeScope(ctx.scope)})`, [
          { field: input.agencyId ? 'agencyId' : 'administrativeUnitId', message: `${describeScope(scope)} is outside your scope` },
        ]);
      }
      const secret = `hat_${randomBytes(32).toString('base64url')}`;
      const saved = await m.getRepository(ApiToken).save({
        owner: input.owner,
        role: input.role,
        administrativeUnitId: input.administrativeUnitId ?? null,
        agencyId: input.agencyId ?? null,
        secretHash: hashToken(secret),
        prefix: secret.slice(0, 8),
        allowedAddresses: allowed,
        expiresAt: new Date(now.getTime() + (input.expiresInDays ?? DEFAULT_TOKEN_DAYS) * DAY_MS),
        revokedAt: null,
        lastUsedAt: null,
        createdBy: ctx.actor,
        note: input.note ?? null,
      });
      const record = (await this.rows(m, 'WHERE t.id = $1', [saved.id]))[0];
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'api_token', entityId: saved.id, before: null, after: record, place: scopePath(scope) }]);
      return { token: secret, record };
    });
  }

  /** The tokens whose scope lies within the caller's, newest first (at most 1,000). */
  async list(scope: Scope): Promise<TokenView[]> {
    const params: unknown[] = [];
    return this.rows(this.ds, `WHERE ${withinScope(scope, params)} ORDER BY t.created_at DESC LIMIT 1000`, params);
  }

  async get(id: string, scope: Scope): Promise<TokenView> {
    const params: unknown[] = [id];
    const found = !UUID.test(id) ? undefined : (await this.rows(this.ds, `WHERE t.id = $1 AND ${withinScope(scope, params)}`, params))[0];
    if (!found) throw InventoryError.notFound('token', id);
    return found;
  }

  /** Revokes a token at once; revoking one already revoked changes nothing. */
  async revoke(id: string, ctx: ChangeContext): Promise<TokenView> {
    const before = await this.get(id, ctx.scope);
    if (before.revokedAt) return before;
    return this.ds.transaction(async (m) => {
      await m.getRepository(ApiToken).update({ id }, { revokedAt: new Date() });
      const after = (await this.rows(m, 'WHERE t.id = $1', [id]))[0];
      const scope = await resolveScope(m, { unitId: after.scope.kind === 'unit' ? after.scope.id : null, agencyId: after.scope.kind === 'agency' ? after.scope.id : null });
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'api_token', entityId: id, before, after, place: scope ? scopePath(scope) : null }]);
      return after;
    });
  }

  /** The caller a bearer token names, or why it names nobody. */
  async authenticate(secret: string, address: string, now = new Date()): Promise<Principal> {
    if (!TOKEN_FORMAT.test(secret)) throw unauthenticated('The token is not a Hatang API token');
    // One query for the token and its unit; an agency's subtree takes a second.
    const token = await this.ds.getRepository(ApiToken).findOne({ where: { secretHash: hashToken(secret) }, relations: { administrativeUnit: true } });
    if (!token) throw unauthenticated('Unknown token');
    if (token.revokedAt) throw unauthenticated(`This token was revoked on ${token.revokedAt.toISOString()}`);
    if (token.expiresAt <= now) throw unauthenticated(`This token expired on ${token.expiresAt.toISOString()}`);
    if (token.allowedAddresses && !allows(token.allowedAddresses, address)) throw unauthenticated(`This token may not be used from ${address}`);
    const unit = token.administrativeUnit;
    const scope: Scope | null = unit
      ? { kind: 'unit', unitId: unit.id, path: unit.path, name: unit.name }
      : token.agencyId
        ? await resolveScope(this.ds.manager, { agencyId: token.agencyId })
        : { kind: 'country' };
    if (!scope) throw unauthenticated('The unit or agency this token is scoped to no longer exists');
    const last = this.lastUsedWritten.get(token.id) ?? token.lastUsedAt?.getTime() ?? 0;
    if (now.getTime() - last >= LAST_USED_EVERY_MS) {
      this.lastUsedWritten.set(token.id, now.getTime());
      await this.ds.getRepository(ApiToken).update({ id: token.id }, { lastUsedAt: now });
    }
    return { tokenId: token.id, owner: token.owner, role: token.role, scope };
  }

  private async rows(db: { query: DataSource['query'] }, tail: string, params: unknown[]): Promise<TokenView[]> {
    const rows: TokenRow[] = await db.query(`${SELECT_TOKENS} ${tail}`, params);
    const now = Date.now();
    return rows.map((r) => ({
      id: r.id,
      owner: r.owner,
      role: r.role,
      scope: r.agency_id
        ? { kind: 'agency', id: r.agency_id, name: r.agency_name ?? '' }
        : r.administrative_unit_id
          ? { kind: 'unit', id: r.administrative_unit_id, name: r.unit_name ?? '' }
          : { kind: 'country', id: null, name: 'the whole country' },
      prefix: r.prefix,
      allowedAddresses: r.allowed_addresses,
      expiresAt: new Date(r.expires_at),
      revokedAt: r.revoked_at ? new Date(r.revoked_at) : null,
      lastUsedAt: r.last_used_at ? new Date(r.last_used_at) : null,
      createdBy: r.created_by,
      createdAt: new Date(r.created_at),
      note: r.note,
      status: r.revoked_at ? 'revoked' : new Date(r.expires_at).getTime() <= now ? 'expired' : 'active',
    }));
  }
}

/** SQL: the token's scope lies within `scope` (parameters appended to `params`). */
function withinScope(scope: Scope, params: unknown[]): string {
  if (scope.kind === 'country') return 'true';
  if (scope.kind === 'agency') {
    params.push(scope.agencyIds);
    return `t.agency_id = ANY($${params.length})`;
  }
  params.push(`${likeEscape(scope.path)}%`);
  return `(u.path LIKE $${params.length} ESCAPE '\\' OR au.path LIKE $${params.length} ESCAPE '\\')`;
}

function scopePath(scope: Scope): string | null {
  return scope.kind === 'country' ? null : scope.path;
}

/** An address or CIDR block, as a BlockList that holds it; null when it is neither. */
function parseAddress(entry: string): BlockList | null {
  const list = new BlockList();
  const [address, bits, extra] = entry.trim().split('/');
  const family = isIP(address);
  if (!family || extra !== undefined) return null;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  try {
    if (bits === undefined) list.addAddress(address, type);
    else if (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128)) list.addSubnet(address, Number(bits), type);
    else return null;
  } catch {
    return null;
  }
  return list;
}

function allows(entries: string[], address: string): boolean {
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  if (!family) return false;
  return entries.some((e) => parseAddress(e)?.check(plain, family === 4 ? 'ipv4' : 'ipv6') ?? false);
}
