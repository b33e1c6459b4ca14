import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';

/** Who holds a token: what each may do is in ROLE_PERMISSIONS, where is in its Scope. */
export const ROLES = ['admin', 'network_admin', 'planner', 'viewer', 'poller'] as const;
export type Role = (typeof ROLES)[number];

/** What a route does; every route names one (or is public), and the guard checks it. */
export enum Permission {
  /** Read units, agencies, equipment, staffing, SNMP settings (never secrets), poll results, availability. */
  InventoryRead = 'inventory:read',
  /** Write agencies, equipment, staffing, SNMP profiles, maintenance windows; import spreadsheets. */
  InventoryWrite = 'inventory:write',
  /** Write administrative units and import the official list. */
  UnitsWrite = 'units:write',
  /** Read indicators, plans, coverage and saved reports. */
  CoverageRead = 'coverage:read',
  /** Manage indicators, plans, reported values and saved reports. */
  PlansWrite = 'plans:write',
  AuditRead = 'audit:read',
  TokensManage = 'tokens:manage',
  /** Read SNMP targets with their secrets (the poller's own endpoint). */
  PollerTargets = 'poller:targets',
  /** Write poll results. */
  PollerResults = 'poller:results',
  MetricsRead = 'metrics:read',
}

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  // Everything but SNMP secrets: only a poller token receives those.
  admin: Object.values(Permission).filter((p) => p !== Permission.PollerTargets),
  network_admin: [Permission.InventoryRead, Permission.InventoryWrite, Permission.CoverageRead],
  planner: [Permission.InventoryRead, Permission.CoverageRead, Permission.PlansWrite],
  viewer: [Permission.InventoryRead, Permission.CoverageRead],
  poller: [Permission.PollerTargets, Permission.PollerResults, Permission.MetricsRead],
};

/**
 * Where a caller may act: the whole country, an administrative unit and everything beneath it,
 * or one agency with its subordinate agencies. `path` is the unit path ("/id/id/") a subtree
 * is a prefix of; for an agency, the path of the unit it sits in.
 */
export type Scope =
  | { kind: 'country' }
  | { kind: 'unit'; unitId: string; path: string; name: string }
  | { kind: 'agency'; agencyId: string; agencyIds: readonly string[]; path: string; name: string };

/** The scope of the service's own work: seeds, the CLI, the poller. */
export const EVERYWHERE: Scope = Object.freeze({ kind: 'country' });

/** The caller of a request, set by the authentication guard. */
export interface Principal {
  tokenId: string | null;
  /** The token's owner, as the audit log names them. */
  owner: string;
  role: Role;
  scope: Scope;
}

export const ACCESS_RULE = 'hatang:access-rule';
/** A permission; 'authenticated' for any valid token (who am I); 'public' for no token at all. */
export type AccessRule = Permission | 'authenticated' | 'public';

/** The permission a route needs. A route with no rule is refused at start-up. */
export const Requires = (permission: Permission) => SetMetadata(ACCESS_RULE, permission);

/** A route any valid token may use, whatever its role. */
export const Authenticated = () => SetMetadata(ACCESS_RULE, 'authenticated' satisfies AccessRule);

/** A route that needs no token (health). */
export const Public = () => SetMetadata(ACCESS_RULE, 'public' satisfies AccessRule);

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** A readable name for a scope, for messages. */
export function describeScope(scope: Scope): string {
  return scope.kind === 'country' ? 'the whole country' : scope.name;
}

/** The request's caller; only routes behind the guard have one. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new Error('No caller on this request: the route is public or the guard did not run');
  return req.principal;
}

/** The scope of the request's caller. */
export const CallerScope = createParamDecorator((_: unknown, ctx: ExecutionContext): Scope => principalOf(ctx.switchToHttp().getRequest()).scope);

/** The request's caller. */
export const Caller = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => principalOf(ctx.switchToHttp().getRequest()));
