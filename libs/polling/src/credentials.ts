import type { FieldProblem } from '@app/inventory';
import type { SnmpCredentials } from '@app/snmp';
import type { SecretBox } from './secret-box';

/** The credential columns an SNMP profile and a named credential share (secrets sealed). */
export interface SealedCredentials {
  version: '2c' | '3';
  communitySecret: string | null;
  v3User: string | null;
  authProtocol: string | null;
  authKeySecret: string | null;
  privProtocol: string | null;
  privKeySecret: string | null;
}

/** What a caller sends: secrets in clear (write-only); an omitted secret keeps the stored one. */
export interface CredentialsInput {
  version: '2c' | '3';
  community?: string;
  user?: string;
  authProtocol?: string;
  authKey?: string;
  privProtocol?: string | null;
  privKey?: string;
}

/**
 * Sets `out`'s credential columns from `body`, sealing the secrets given, keeping `before`'s where
 * the body leaves one out (same version only), and pushing every problem found.
 */
export function applyCredentials(out: SealedCredentials, body: CredentialsInput, before: SealedCredentials | null, secrets: SecretBox, problems: FieldProblem[]): void {
  const sameVersion = before?.version === body.version;
  out.version = body.version;
  if (body.version === '2c') {
    for (const f of ['user', 'authProtocol', 'authKey', 'privProtocol', 'privKey'] as const) {
      if (body[f] !== undefined) problems.push({ field: f, message: `${f} is for SNMPv3; a v2c profile takes a community` });
    }
    if (body.community) out.communitySecret = secrets.seal(body.community);
    else if (!sameVersion || !before?.communitySecret) problems.push({ field: 'community', message: 'a v2c profile needs a community' });
    else out.communitySecret = before.communitySecret;
    Object.assign(out, { v3User: null, authProtocol: null, authKeySecret: null, privProtocol: null, privKeySecret: null });
    return;
  }
  if (body.community !== undefined) problems.push({ field: 'community', message: 'community is for v2c; an SNMPv3 profile takes user, authProtocol and authKey' });
  out.communitySecret = null;
  out.v3User = body.user ?? (sameVersion ? before!.v3User : null);
  out.authProtocol = body.authProtocol ?? (sameVersion ? before!.authProtocol : null);
  if (!out.v3User) problems.push({ field: 'user', message: 'an SNMPv3 profile needs a user' });
  if (!out.authProtocol) problems.push({ field: 'authProtocol', message: 'an SNMPv3 profile needs an authProtocol (authNoPriv or authPriv; noAuthNoPriv is not accepted)' });
  if (body.authKey) out.authKeySecret = secrets.seal(body.authKey);
  else if (!sameVersion || !before?.authKeySecret) problems.push({ field: 'authKey', message: 'an SNMPv3 profile needs an authKey' });
  else out.authKeySecret = before.authKeySecret;
  if (body.privProtocol === null) {
    if (body.privKey !== undefined) problems.push({ field: 'privKey', message: 'privKey given with privProtocol null' });
    out.privProtocol = null;
    out.privKeySecret = null;
  } else if (body.privProtocol !== undefined || body.privKey !== undefined) {
    out.privProtocol = body.privProtocol ?? (sameVersion ? before!.privProtocol : null);
    if (!out.privProtocol) problems.push({ field: 'privProtocol', message: 'privKey needs a privProtocol' });
    if (body.privKey) out.privKeySecret = secrets.seal(body.privKey);
    else if (!sameVersion || !before?.privKeySecret) problems.push({ field: 'privKey', message: 'privProtocol needs a privKey' });
    else out.privKeySecret = before.privKeySecret;
  } else if (!sameVersion) {
    out.privProtocol = null;
    out.privKeySecret = null;
  } else {
    out.privProtocol = before!.privProtocol;
    out.privKeySecret = before!.privKeySecret;
  }
}

/** The secrets opened, as the SNMP client takes them. */
export function openCredentials(p: SealedCredentials, secrets: SecretBox): SnmpCredentials {
  return p.version === '2c'
    ? { version: '2c', community: secrets.open(p.communitySecret!) }
    : {
        version: '3',
        user: p.v3User!,
        authProtocol: p.authProtocol as never,
        authKey: secrets.open(p.authKeySecret!),
        privProtocol: (p.privProtocol as never) ?? null,
        privKey: p.privKeySecret ? secrets.open(p.privKeySecret) : null,
      };
}

/** Which secrets are set and the security level, never the secrets. */
export function credentialsView(p: SealedCredentials) {
  return {
    version: p.version,
    user: p.v3User,
    authProtocol: p.authProtocol,
    privProtocol: p.privProtocol,
    securityLevel: (p.version === '2c' ? 'community' : p.privProtocol ? 'authPriv' : 'authNoPriv') as 'community' | 'authNoPriv' | 'authPriv',
    hasCommunity: p.communitySecret !== null && p.communitySecret !== undefined,
    hasAuthKey: !!p.authKeySecret,
    hasPrivKey: !!p.privKeySecret,
  };
}
