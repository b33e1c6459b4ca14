import { isIP, SocketAddress } from 'node:net';
import * as snmp from 'net-snmp';
import { HostResolver } from './host-resolver';
import { UdpSocketPool, type UdpSocketPoolStats, VirtualSocket } from './udp-socket-pool';

export const AUTH_PROTOCOLS = ['sha', 'sha224', 'sha256', 'sha384', 'sha512'] as const;
export const PRIV_PROTOCOLS = ['aes', 'aes256b', 'aes256r'] as const;
export type AuthProtocol = (typeof AUTH_PROTOCOLS)[number];
export type PrivProtocol = (typeof PRIV_PROTOCOLS)[number];

export type SnmpCredentials =
  | { version: '2c'; community: string }
  | { version: '3'; user: string; authProtocol: AuthProtocol; authKey: string; privProtocol?: PrivProtocol | null; privKey?: string | null };

export interface SnmpTarget {
  /** Names the session: one cached session per key (a device id). */
  key: string;
  /** An IPv4 or IPv6 literal (responses are matched by the address they come from), or a DNS name the client resolves. */
  address: string;
  port: number;
  timeoutMs: number;
  retries: number;
  credentials: SnmpCredentials;
}

export type SnmpFailure = 'timeout' | 'auth' | 'malformed' | 'socket' | 'unreachable' | 'agent_error' | 'invalid_target' | 'unresolved';

export class SnmpError extends Error {
  constructor(
    readonly reason: SnmpFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SnmpError';
  }
}

export interface Varbind {
  oid: string;
  type: number;
  /** undefined when the agent has no such object or instance. */
  value: unknown;
}

export interface SnmpClientOptions {
  /** Real UDP sockets per address family, shared by every session. */
  sockets?: number;
  /** Requests in flight at once, over all sockets. Past about 190 on one socket the default receive buffer drops answers. */
  maxInFlight?: number;
  /**
   * Sessions kept between polls, least recently used dropped first (about 1 KB each; a v3 session
   * also keeps the agent's engine id and time, saving a discovery round trip). Making a session
   * per request instead costs about a sixth of a burst's speed.
   */
  sessionCacheSize?: number;
  receiveBufferBytes?: number;
  sourceAddress4?: string;
  onSocketError?: (error: Error) => void;
  /** How management addresses given as names are resolved (defaults: the system resolver, 5 minutes). */
  hosts?: HostResolver;
}

interface CachedSession {
  session: snmp.Session;
  fingerprint: string;
  /** The target object last used: the same object again needs no fingerprint. */
  target: SnmpTarget;
  socket: VirtualSocket;
  /** Requests in flight on this session, each by its way to fail now. */
  pending: Set<(error: SnmpError) => void>;
  /** Use stamps: the last use, and when it took its place in the cache's order. */
  used: number;
  placed: number;
  /** The agent has answered a request on this session (with these credentials). */
  answered: boolean;
}

/**
 * SNMP GETs over a bounded set of UDP sockets, with a bounded number of requests in flight and
 * errors sorted into reasons a poller can record.
 */
export class SnmpClient {
  readonly pool: UdpSocketPool;
  private readonly sessions = new Map<string, CachedSession>();
  /** Requests waiting for a slot, first come first served (a queue: shift() on a big array is O(n)). */
  private waiting: Array<() => void> = [];
  private waitingHead = 0;
  private inFlight = 0;
  private stamp = 0;
  private readonly maxInFlight: number;
  private readonly cacheSize: number;
  private readonly hosts: HostResolver;

  constructor(options: SnmpClientOptions = {}) {
    const sockets = options.sockets ?? 4;
    this.pool = new UdpSocketPool({
      sockets,
      receiveBufferBytes: options.receiveBufferBytes ?? 4 * 1024 * 1024,
      sourceAddress4: options.sourceAddress4,
      onError: options.onSocketError,
    });
    this.maxInFlight = options.maxInFlight ?? sockets * 150;
    this.cacheSize = options.sessionCacheSize ?? 100_000;
    this.hosts = options.hosts ?? new HostResolver();
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  stats(): UdpSocketPoolStats & { sessions: number; inFlight: number; queued: number } {
    return { ...this.pool.stats(), sessions: this.sessions.size, inFlight: this.inFlight, queued: this.waiting.length - this.waitingHead };
  }

  /** GET of the given OIDs; varbinds come back in the order asked. */
  async get(target: SnmpTarget, oids: string[]): Promise<Varbind[]> {
    if (isIP(target.address) === 0) target = await this.atAddress(target);
    try {
      return await this.request(target, (session, done) => session.get(oids, done));
    } catch (error) {
      throw await this.explainSilence(target, error);
    }
  }

  /**
   * An SNMPv3 agent whose engine answers discovery but which cannot decrypt our requests (a wrong
   * privacy protocol or key) drops them: a plain timeout. When an authPriv session has never had
   * an answer, one authNoPriv request with the same user tells the two apart: an agent that
   * answers it (even refusing it) is there, and it is the privacy settings it refuses.
   */
  private async explainSilence(target: SnmpTarget, error: unknown): Promise<unknown> {
    const c = target.credentials;
    if (!(error instanceof SnmpError) || error.reason !== 'timeout' || c.version !== '3' || !c.privProtocol || this.sessions.get(target.key)?.answered) return error;
    const probe: SnmpTarget = { ...target, key: `${target.key}#privacy-probe`, retries: 0, credentials: { ...c, privProtocol: null, privKey: null } };
    try {
      await this.request(probe, (session, done) => session.get([SYS_UPTIME], done));
    } catch (probeError) {
      if (!(probeError instanceof SnmpError) || probeError.reason !== 'agent_error') return probeError instanceof SnmpError && probeError.reason === 'auth' ? probeError : error;
    } finally {
      this.forget(probe.key);
    }
    return new SnmpError(
      'auth',
      `the SNMPv3 agent at ${target.address}:${target.port} answers user ${c.user} without encryption but not with ${c.privProtocol.toUpperCase()}: check the privacy protocol (AES-128 or AES-256) and the privacy key`,
    );
  }

  /** GETNEXT walk of one subtree, at most maxRows rows. */
  async walk(target: SnmpTarget, baseOid: string, maxRows = 1000): Promise<Varbind[]> {
    if (isIP(target.address) === 0) target = await this.atAddress(target);
    const rows: Varbind[] = [];
    let oid = baseOid;
    while (rows.length < maxRows) {
      const [next] = await this.request(target, (session, done) => session.getNext([oid], done));
      if (!next || next.type === snmp.ObjectType.EndOfMibView || !next.oid.startsWith(`${baseOid}.`)) break;
      rows.push(next);
      oid = next.oid;
    }
    return rows;
  }

  /**
   * Walks several columns of one table side by side with GETBULK (one request returns `perRequest`
   * rows of every column still going): column OID → (row index suffix → varbind). Stops at each
   * column's end, or after `maxRows` rows of a column. SNMPv2c and v3 only (every profile is).
   */
  async walkColumns(target: SnmpTarget, columns: readonly string[], maxRows = 5000, perRequest = 10): Promise<Map<string, Map<string, Varbind>>> {
    if (isIP(target.address) === 0) target = await this.atAddress(target);
    const out = new Map(columns.map((c) => [c, new Map<string, Varbind>()]));
    let going = columns.map((column) => ({ column, from: column }));
    while (going.length > 0) {
      const answer = (await this.request(target, (session, done) => session.getBulk(going.map((g) => g.from), 0, perRequest, done as never))) as unknown as Varbind[][];
      const next: typeof going = [];
      going.forEach((g, i) => {
        const rows = out.get(g.column)!;
        let last: string | null = null;
        let ended = false;
        for (const vb of answer[i] ?? []) {
          if (!vb || vb.type === snmp.ObjectType.EndOfMibView || vb.type === snmp.ObjectType.NoSuchObject || !vb.oid.startsWith(`${g.column}.`)) {
            ended = true;
            break;
          }
          rows.set(vb.oid.slice(g.column.length + 1), vb);
          last = vb.oid;
        }
        if (!ended && last !== null && rows.size < maxRows) next.push({ column: g.column, from: last });
      });
      going = next;
    }
    return out;
  }

  /** A target named by DNS, at its name's current address; a name that does not resolve is a failure of its own. */
  private async atAddress(target: SnmpTarget): Promise<SnmpTarget> {
    const at = await this.hosts.resolve(target);
    if ('unresolved' in at) throw new SnmpError('unresolved', at.unresolved);
    return at;
  }

  /** Drops the cached session of a target (its address or credentials changed, or it is gone). */
  forget(key: string): void {
    const cached = this.sessions.get(key);
    if (!cached) return;
    this.sessions.delete(key);
    cached.session.close();
  }

  async close(): Promise<void> {
    for (const key of [...this.sessions.keys()]) this.forget(key);
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const wake of waiting) wake();
    await this.pool.close();
  }

  private request(target: SnmpTarget, call: (session: snmp.Session, done: (error: Error | null, varbinds?: snmp.Varbind[]) => void) => void): Promise<Varbind[]> {
    if (this.inFlight < this.maxInFlight) return this.start(target, call);
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.start(target, call));
  }

  private start(target: SnmpTarget, call: (session: snmp.Session, done: (error: Error | null, varbinds?: snmp.Varbind[]) => void) => void): Promise<Varbind[]> {
    let cached: CachedSession;
    try {
      cached = this.session(target);
    } catch (error) {
      this.wakeNext();
      return Promise.reject(error as Error);
    }
    this.inFlight++;
    return new Promise<Varbind[]>((resolve, reject) => {
      let settled = false;
      const settle = (error: SnmpError | null, varbinds?: Varbind[]) => {
        if (settled) return;
        settled = true;
        cached.pending.delete(fail);
        if (cached.pending.size === 0) cached.socket.forgetAll();
        this.inFlight--;
        if (this.sessions.size > this.cacheSize) this.trim();
        this.wakeNext();
        if (error) reject(error);
        else resolve(varbinds ?? []);
      };
      const fail = (error: SnmpError) => settle(error);
      cached.pending.add(fail);
      try {
        call(cached.session, (error, varbinds) => {
          if (error) settle(classify(error, target));
          else {
            cached.answered = true;
            settle(null, present(varbinds));
          }
        });
      } catch (error) {
        settle(classify(error as Error, target));
      }
    });
  }

  /**
   * Drops the least recently used idle sessions until the cache is within its size (less `room`).
   * Sessions with requests in flight stay, so it can exceed its size by the requests in flight.
   * The map is in the order sessions took their place; one used since then gets a second
   * chance at the back instead of going (so a hit costs a stamp, not a move in a 100,000-entry map).
   */
  private trim(room = 0): void {
    for (const [key, cached] of this.sessions) {
      if (this.sessions.size + room <= this.cacheSize) return;
      if (cached.pending.size > 0) continue;
      if (cached.used > cached.placed) {
        this.sessions.delete(key);
        cached.placed = cached.used = ++this.stamp;
        this.sessions.set(key, cached);
        continue;
      }
      this.forget(key);
    }
  }

  private wakeNext(): void {
    if (this.waitingHead >= this.waiting.length) return;
    const wake = this.waiting[this.waitingHead++];
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    wake();
  }

  private session(target: SnmpTarget): CachedSession {
    const existing = this.sessions.get(target.key);
    if (existing !== undefined && existing.target === target) {
      existing.used = ++this.stamp;
      return existing;
    }
    const fingerprint = JSON.stringify([target.address, target.port, target.timeoutMs, target.retries, target.credentials]);
    if (existing !== undefined && existing.fingerprint === fingerprint) {
      existing.target = target;
      existing.used = ++this.stamp;
      return existing;
    }
    if (existing) this.forget(target.key);
    if (this.sessions.size >= this.cacheSize) this.trim(1);
    const cached = this.open(target, fingerprint);
    cached.placed = cached.used = ++this.stamp;
    this.sessions.set(target.key, cached);
    return cached;
  }

  /** A new net-snmp session on the shared sockets. */
  private open(target: SnmpTarget, fingerprint = ''): CachedSession {
    const family = isIP(target.address);
    if (family === 0) throw new SnmpError('invalid_target', `management address ${JSON.stringify(target.address)} is not an IP address`);
    // Answers are matched by the address they come from, which the kernel writes in canonical form.
    const address = family === 6 ? new SocketAddress({ address: target.address, family: 'ipv6' }).address : target.address;
    const options = {
      port: target.port,
      retries: target.retries,
      timeout: target.timeoutMs,
      transport: family === 6 ? 'udp6' : 'udp4',
      dgramModule: this.pool.dgramModule,
      idBitsSize: 32 as const,
      // A fixed local engine id: net-snmp would otherwise draw random bytes for every session.
      engineID: LOCAL_ENGINE_ID,
    };
    const c = target.credentials;
    const session =
      c.version === '2c'
        ? snmp.createSession(address, c.community, { ...options, version: snmp.Version2c } as snmp.SessionOptions)
        : snmp.createV3Session(
            address,
            {
              name: c.user,
              level: c.privProtocol ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
              authProtocol: snmp.AuthProtocols[c.authProtocol],
              authKey: c.authKey,
              ...(c.privProtocol ? { privProtocol: snmp.PrivProtocols[c.privProtocol], privKey: c.privKey ?? '' } : {}),
            } as snmp.User,
            options as snmp.SessionOptionsV3,
          );
    const socket = (session as unknown as { dgram: VirtualSocket }).dgram;
    const cached: CachedSession = { session, fingerprint, target, socket, pending: new Set(), used: 0, placed: 0, answered: false };
    // net-snmp emits 'error' when an answer does not decode; fail what waits on this agent now.
    session.on('error', (error: Error) => {
      for (const fail of [...cached.pending]) fail(new SnmpError('malformed', `malformed response from ${target.address}:${target.port}: ${error.message}`));
    });
    socket.onSocketError = (error) => {
      for (const fail of [...cached.pending]) fail(new SnmpError('socket', `socket error: ${error.message}`));
    };
    return cached;
  }
}

const LOCAL_ENGINE_ID = Buffer.from('8000b85c03686174616e67', 'hex');

/** net-snmp's varbinds as ours, in place (a poll's answer is not copied): no value where the agent has no such object. */
function present(varbinds: snmp.Varbind[] | undefined): Varbind[] {
  if (varbinds === undefined) return [];
  for (const vb of varbinds) if (snmp.isVarbindError(vb)) (vb as { value: unknown }).value = undefined;
  return varbinds as unknown as Varbind[];
}

const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

/** net-snmp's ResponseInvalidCode: ECouldNotDecrypt, EAuthFailure, ENotInTimeWindow. */
const AUTH_FAILURE_CODES = new Set([4, 5, 14]);

function classify(error: Error, target: SnmpTarget): SnmpError {
  if (error instanceof SnmpError) return error;
  const where = `${target.address}:${target.port}`;
  if (error.name === 'RequestTimedOutError') return new SnmpError('timeout', `no answer from ${where} after ${target.retries + 1} tries of ${target.timeoutMs} ms`);
  if (error.name === 'ResponseInvalidError') {
    const code = (error as { code?: number }).code;
    if (code !== undefined && AUTH_FAILURE_CODES.has(code)) {
      return new SnmpError('auth', `SNMPv3 authentication with ${where} failed: ${error.message}`);
    }
    return new SnmpError('malformed', `invalid response from ${where}: ${error.message}`);
  }
  if (error.name === 'RequestFailedError') return new SnmpError('agent_error', `agent at ${where} answered with an error: ${error.message}`);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EHOSTDOWN') return new SnmpError('unreachable', `${where}: ${error.message}`);
  return new SnmpError('socket', `${where}: ${error.message}`);
}
