import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  AuditLog,
  type ChangeContext,
  describeScope,
  InventoryError,
  InventoryErrorCode,
  type Principal,
  resolveScope,
  type Scope,
  scopeWithin,
} from '@app/inventory';
import type { CreateUser, UpdateUser, UserView } from './account.dto';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { UserAccount, UserSession } from './user-account.entity';

/** How long a session lasts from sign-in: a working day. */
export const SESSION_HOURS = 12;
export const SESSION_COOKIE = 'hatang_session';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function unauthenticated(message: string): InventoryError {
  return new InventoryError(InventoryErrorCode.Unauthenticated, message);
}

/** The scope of an account or token, as lists show it. */
function scopeView(scope: Scope): UserView['scope'] {
  if (scope.kind === 'country') return { kind: 'country', id: null, name: describeScope(scope) };
  if (scope.kind === 'unit') return { kind: 'unit', id: scope.unitId, name: scope.name };
  return { kind: 'agency', id: scope.agencyId, name: scope.name };
}

/**
 * People's accounts and their sessions: sign in with a password (scrypt), a session id in an
 * httpOnly cookie (its SHA-256 stored), a CSRF token the console sends back on every write.
 * Accounts have the roles and scopes tokens have; admins manage them within their scope.
 */
@Injectable()
export class AccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditLog,
  ) {}

  private async scopeOf(u: Pick<UserAccount, 'administrativeUnitId' | 'agencyId'>, m: EntityManager = this.ds.manager): Promise<Scope | null> {
    if (!u.administrativeUnitId && !u.agencyId) return { kind: 'country' };
    return resolveScope(m, { unitId: u.administrativeUnitId, agencyId: u.agencyId });
  }

  /** The account as lists show it, with its scope resolved once by the caller. */
  private view(u: UserAccount, scope: Scope | null): UserView {
    return {
      id: u.id,
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      scope: scope ? scopeView(scope) : { kind: 'unit', id: u.administrativeUnitId ?? u.agencyId, name: '?' },
      disabled: u.disabledAt !== null,
      lastSignInAt: u.lastSignInAt,
      createdBy: u.createdBy,
      createdAt: u.createdAt,
    };
  }

  async create(input: CreateUser, ctx: ChangeContext): Promise<UserView> {
    if (input.administrativeUnitId && input.agencyId) throw InventoryError.invalid('The account is not valid', [{ field: 'agencyId', message: 'give administrativeUnitId or agencyId, not both' }]);
    if (input.role === 'admin' && input.agencyId) throw InventoryError.invalid('The account is not valid', [{ field: 'role', message: 'an admin is scoped to an administrative unit or the whole country, not to one agency' }]);
    const passwordHash = await hashPassword(input.password);
    return this.ds.transaction(async (m) => {
      const scope = await this.scopeOf({ administrativeUnitId: input.administrativeUnitId ?? null, agencyId: input.agencyId ?? null }, m);
      const field = input.agencyId ? 'agencyId' : 'administrativeUnitId';
      if (!scope) throw new InventoryError(InventoryErrorCode.UnknownReference, 'Unknown scope', [{ field, message: `no ${input.agencyId ? 'agency' : 'administrative unit'} ${input.agencyId ?? input.administrativeUnitId}` }]);
      if (!scopeWithin(scope, ctx.scope)) throw InventoryError.forbidden(`An account can only be given a scope within yours (${describeScope(ctx.scope)})`, [{ field, message: `${describeScope(scope)} is outside your scope` }]);
      if (await m.getRepository(UserAccount).existsBy({ username: input.username })) throw InventoryError.invalid('The account is not valid', [{ field: 'username', message: `the username ${input.username} is taken`, value: input.username }]);
      const saved = await m.getRepository(UserAccount).save({
        username: input.username,
        displayName: input.displayName,
        passwordHash,
        role: input.role,
        administrativeUnitId: input.administrativeUnitId ?? null,
        agencyId: input.agencyId ?? null,
        disabledAt: null,
        lastSignInAt: null,
        createdBy: ctx.actor,
      });
      const view = this.view(saved, scope);
      await this.audit.record(m, ctx, [{ action: 'create', entityType: 'user_account', entityId: saved.id, before: null, after: { ...view }, place: scope.kind === 'country' ? null : scope.path }]);
      return view;
    });
  }

  /** The accounts whose scope lies within the caller's. */
  async list(scope: Scope): Promise<UserView[]> {
    const all = await this.ds.getRepository(UserAccount).find({ order: { username: 'ASC' }, take: 10_000 });
    const out: UserView[] = [];
    for (const u of all) {
      const s = await this.scopeOf(u);
      if (s && scopeWithin(s, scope)) out.push(this.view(u, s));
    }
    return out;
  }

  /** One account the caller may manage; one outside its scope does not exist for it. */
  private async manageable(id: string, scope: Scope, m: EntityManager): Promise<{ user: UserAccount; scope: Scope }> {
    const user = /^[0-9a-f-]{36}$/i.test(id) ? await m.getRepository(UserAccount).findOneBy({ id }) : null;
    const s = user ? await this.scopeOf(user, m) : null;
    if (!user || !s || !scopeWithin(s, scope)) throw InventoryError.notFound('user account', id);
    return { user, scope: s };
  }

  async get(id: string, scope: Scope): Promise<UserView> {
    const found = await this.manageable(id, scope, this.ds.manager);
    return this.view(found.user, found.scope);
  }

  async update(id: string, patch: UpdateUser, ctx: ChangeContext): Promise<UserView> {
    const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
    return this.ds.transaction(async (m) => {
      const { user, scope } = await this.manageable(id, ctx.scope, m);
      const before = this.view(user, scope);
      const changes: Partial<UserAccount> = {};
      if (patch.displayName !== undefined) changes.displayName = patch.displayName;
      if (patch.role !== undefined) changes.role = patch.role;
      if (passwordHash) changes.passwordHash = passwordHash;
      if (patch.disabled !== undefined) changes.disabledAt = patch.disabled ? (user.disabledAt ?? new Date()) : null;
      if (changes.role === 'admin' && user.agencyId) throw InventoryError.invalid('The account is not valid', [{ field: 'role', message: 'an admin is scoped to an administrative unit or the whole country, not to one agency' }]);
      await m.getRepository(UserAccount).update({ id }, changes);
      // A new password, a new role or a disabled account: its sessions end.
      if (passwordHash || patch.role !== undefined || patch.disabled) await m.getRepository(UserSession).delete({ userId: id });
      const after = this.view(await m.getRepository(UserAccount).findOneByOrFail({ id }), scope);
      await this.audit.record(m, ctx, [{ action: 'update', entityType: 'user_account', entityId: id, before: { ...before }, after: { ...after, ...(passwordHash ? { passwordChanged: true } : {}) }, place: scope.kind === 'country' ? null : scope.path }]);
      return after;
    });
  }

  /**
   * Checks a username and password; a session (its id for the cookie, its CSRF token) when they
   * are right. The same answer, after the same work, for an unknown user and a wrong password.
   */
  async signIn(username: string, password: string, now = new Date()): Promise<{ sessionId: string; csrfToken: string; expiresAt: Date; user: UserView }> {
    const user = await this.ds.getRepository(UserAccount).createQueryBuilder('u').addSelect('u.passwordHash').where('u.username = :username', { username: username.trim().toLowerCase() }).getOne();
    const ok = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
    if (!user || !ok) throw unauthenticated('Wrong username or password');
    if (user.disabledAt) throw unauthenticated('This account is disabled; ask an administrator');
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
    await this.ds.transaction(async (m) => {
      await m.getRepository(UserSession).save({ idHash: sha256(sessionId), userId: user.id, csrfToken, expiresAt });
      await m.getRepository(UserAccount).update({ id: user.id }, { lastSignInAt: now });
      // Sessions that ran out are swept as people sign in.
      await m.query(`DELETE FROM user_session WHERE expires_at < $1`, [now]);
    });
    return { sessionId, csrfToken, expiresAt, user: this.view({ ...user, lastSignInAt: now }, await this.scopeOf(user)) };
  }

  /** The person behind a session cookie, with the session's CSRF token. */
  async authenticate(sessionId: string, now = new Date()): Promise<{ principal: Principal; csrfToken: string; user: UserView }> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(sessionId)) throw unauthenticated('Not signed in');
    const session = await this.ds.getRepository(UserSession).findOne({ where: { idHash: sha256(sessionId) }, relations: { user: true } });
    if (!session?.user) throw unauthenticated('Not signed in, or signed out');
    if (session.expiresAt <= now) throw unauthenticated('The session has expired: sign in again');
    if (session.user.disabledAt) throw unauthenticated('This account is disabled; ask an administrator');
    const scope = await this.scopeOf(session.user);
    if (!scope) throw unauthenticated('The unit or agency of this account no longer exists');
    return { principal: { tokenId: null, owner: session.user.displayName, role: session.user.role, scope }, csrfToken: session.csrfToken, user: this.view(session.user, scope) };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.ds.getRepository(UserSession).delete({ idHash: sha256(sessionId) });
  }

  /** The demo's account: created, or given a fresh password, at each demo start. */
  async ensureDemoUser(password: string, ctx: ChangeContext): Promise<UserView> {
    const found = await this.ds.getRepository(UserAccount).findOneBy({ username: 'demo' });
    if (!found) return this.create({ username: 'demo', displayName: 'Demo admin', password, role: 'admin' }, ctx);
    return this.update(found.id, { password, disabled: false }, ctx);
  }
}
