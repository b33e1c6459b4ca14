import * as snmp from 'net-snmp';
import type { DataSource } from 'typeorm';
import type { SecretBox } from '@app/polling';
import type { TrapName } from './entities';

export interface TrapListenerOptions {
  port: number;
  host: string;
  /** Only the devices of this poller group (a poller's own listener); every device when absent. */
  group?: string;
  /** How often the registered senders and their credentials are re-read. */
  reloadEveryMs?: number;
  /** Traps kept per device per minute; the rest are counted and dropped (a flapping port). */
  perDevicePerMinute?: number;
  log?: { log(message: string): void; warn(message: string): void; error(message: string): void };
}

interface Sender {
  deviceId: string;
  version: '2c' | '3';
  community: string | null;
  user: string | null;
}

interface V3User {
  name: string;
  level: number;
  authProtocol: number;
  authKey: string;
  privProtocol?: number;
  privKey?: string;
}

const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
const IF_INDEX = '1.3.6.1.2.1.2.2.1.1.';
const TRAPS: Record<string, TrapName> = {
  '1.3.6.1.6.3.1.1.5.1': 'coldStart',
  '1.3.6.1.6.3.1.1.5.2': 'warmStart',
  '1.3.6.1.6.3.1.1.5.3': 'linkDown',
  '1.3.6.1.6.3.1.1.5.4': 'linkUp',
};
const AUTH: Record<string, number> = { md5: snmp.AuthProtocols.md5, sha: snmp.AuthProtocols.sha, sha224: snmp.AuthProtocols.sha224, sha256: snmp.AuthProtocols.sha256, sha384: snmp.AuthProtocols.sha384, sha512: snmp.AuthProtocols.sha512 };
const PRIV: Record<string, number> = { des: snmp.PrivProtocols.des, aes: snmp.PrivProtocols.aes, aes256b: snmp.PrivProtocols.aes256b, aes256r: snmp.PrivProtocols.aes256r };

/** Why traps were dropped, and how many were kept. */
export interface TrapCounts {
  accepted: number;
  unknownSender: number;
  badCredentials: number;
  ignored: number;
  malformed: number;
  rateLimited: number;
}

/**
 * Receives SNMP v2c and v3 traps (net-snmp's receiver) from registered devices: a trap counts
 * only when its source address is a device's management address and its community (v2c) or
 * user (v3, authenticated and decrypted with that user's keys) is the one in the device's SNMP
 * profile. coldStart, warmStart, linkDown and linkUp are stored in the device's trap list and
 * make the device be polled at once; anything else is counted and dropped.
 */
export class TrapListener {
  readonly counts: TrapCounts = { accepted: 0, unknownSender: 0, badCredentials: 0, ignored: 0, malformed: 0, rateLimited: 0 };
  private receiver?: ReturnType<typeof snmp.createReceiver>;
  private senders = new Map<string, Sender[]>();
  private communities = new Set<string>();
  private users = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private readonly recent = new Map<string, { minute: number; n: number }>();
  private writing: Promise<unknown> = Promise.resolve();
  /** Called for each trap kept, after it is stored: poll the device now. */
  onTrap?: (deviceId: string, name: TrapName) => void;

  constructor(
    private readonly ds: DataSource,
    private readonly secrets: SecretBox,
    private readonly options: TrapListenerOptions,
  ) {}

  get port(): number {
    return this.options.port;
  }

  get listening(): boolean {
    return this.receiver !== undefined;
  }

  async start(): Promise<void> {
    const family = this.options.host.includes(':') ? 'udp6' : 'udp4';
    this.receiver = snmp.createReceiver({ port: this.options.port, address: this.options.host, transport: family, includeAuthentication: true, disableAuthorization: false } as never, (error: Error | null, data: unknown) =>
      this.receive(error, data as { pdu: { type: number; varbinds: Array<{ oid: string; type: number; value: unknown }>; community?: string; user?: string }; rinfo: { address: string } }),
    );
    await this.reload();
    this.timer = setInterval(() => void this.reload().catch((e: Error) => this.options.log?.error(`reloading trap senders failed: ${e.message}`)), this.options.reloadEveryMs ?? 30_000);
    this.timer.unref();
    this.options.log?.log(`listening for SNMP traps on ${this.options.host}:${this.options.port}/udp`);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    const r = this.receiver;
    this.receiver = undefined;
    if (r) await new Promise<void>((resolve) => r.close(() => resolve()));
    await this.writing;
  }

  /** Re-reads the devices that may send traps, and gives the receiver their communities and users. */
  async reload(): Promise<void> {
    const rows: Array<{ deviceId: string; address: string; version: '2c' | '3'; community: string | null; user: string | null; authProtocol: string | null; authKey: string | null; privProtocol: string | null; privKey: string | null }> = await this.ds.query(
      `SELECT p.device_id AS "deviceId", d.management_address AS address, p.version, p.community_secret AS community, p.v3_user AS user,
              p.auth_protocol AS "authProtocol", p.auth_key_secret AS "authKey", p.priv_protocol AS "privProtocol", p.priv_key_secret AS "privKey"
         FROM snmp_profile p JOIN device d ON d.id = p.device_id
        WHERE p.enabled AND d.status IN ('active', 'faulty') AND d.management_address IS NOT NULL AND ($1::text IS NULL OR p.poller_group = $1)`,
      [this.options.group ?? null],
    );
    const senders = new Map<string, Sender[]>();
    const communities = new Set<string>();
    const users = new Map<string, V3User>();
    for (const r of rows) {
      const community = r.community ? this.secrets.open(r.community) : null;
      if (community) communities.add(community);
      if (r.version === '3' && r.user && r.authKey) {
        const priv = r.privProtocol && r.privKey ? { privProtocol: PRIV[r.privProtocol], privKey: this.secrets.open(r.privKey) } : {};
        // One set of keys per user name: a receiver cannot hold two users of one name.
        users.set(r.user, { name: r.user, level: priv.privKey ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv, authProtocol: AUTH[r.authProtocol ?? 'sha'], authKey: this.secrets.open(r.authKey), ...priv });
      }
      const key = normalise(r.address);
      senders.set(key, [...(senders.get(key) ?? []), { deviceId: r.deviceId, version: r.version, community, user: r.user }]);
    }
    this.senders = senders;
    const authorizer = this.receiver?.getAuthorizer();
    if (!authorizer) return;
    for (const c of this.communities) if (!communities.has(c)) authorizer.deleteCommunity(c);
    for (const c of communities) if (!this.communities.has(c)) authorizer.addCommunity(c);
    this.communities = communities;
    const fingerprints = new Map([...users].map(([name, u]) => [name, JSON.stringify(u)]));
    for (const [name, print] of this.users) if (fingerprints.get(name) !== print) authorizer.deleteUser(name);
    for (const [name, u] of users) if (this.users.get(name) !== fingerprints.get(name)) authorizer.addUser(u as never);
    this.users = fingerprints;
  }

  private receive(error: Error | null, data: { pdu: { type: number; varbinds: Array<{ oid: string; type: number; value: unknown }>; community?: string; user?: string }; rinfo: { address: string } } | undefined): void {
    if (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        this.options.log?.error(`the trap listener cannot listen on ${this.options.host}:${this.options.port}/udp: ${error.message}`);
        return;
      }
      // The receiver refuses a community or user it does not hold, or a v3 message whose digest or keys are wrong.
      const rinfo = (error as Error & { rinfo?: { address: string } }).rinfo;
      if (rinfo && !this.senders.has(normalise(rinfo.address))) this.counts.unknownSender++;
      else if (/community|user|authentic|digest|decrypt|privacy/i.test(error.message)) this.counts.badCredentials++;
      else this.counts.malformed++;
      return;
    }
    if (!data) return void this.counts.malformed++;
    const candidates = this.senders.get(normalise(data.rinfo.address));
    if (!candidates) return void this.counts.unknownSender++;
    const version = data.pdu.user !== undefined ? '3' : '2c';
    const sender = candidates.find((s) => s.version === version && (version === '3' ? s.user === data.pdu.user : s.community === data.pdu.community));
    if (!sender) return void this.counts.badCredentials++;
    const varbinds = data.pdu.varbinds ?? [];
    const trapOid = varbinds.find((v) => v.oid === SNMP_TRAP_OID)?.value;
    const name = typeof trapOid === 'string' ? TRAPS[trapOid] : undefined;
    if (!name) return void this.counts.ignored++;
    const minute = Math.floor(Date.now() / 60_000);
    const seen = this.recent.get(sender.deviceId);
    if (seen && seen.minute === minute && seen.n >= (this.options.perDevicePerMinute ?? 60)) return void this.counts.rateLimited++;
    this.recent.set(sender.deviceId, { minute, n: seen && seen.minute === minute ? seen.n + 1 : 1 });
    if (this.recent.size > 100_000) this.recent.clear();
    const ifVar = varbinds.find((v) => v.oid.startsWith(IF_INDEX));
    const ifIndex = ifVar && typeof ifVar.value === 'number' ? ifVar.value : ifVar ? Number(ifVar.oid.slice(IF_INDEX.length)) || null : null;
    const values: Record<string, string> = {};
    for (const v of varbinds.slice(0, 50)) values[v.oid.slice(0, 200)] = text(v.value);
    this.counts.accepted++;
    this.writing = this.writing
      .then(() =>
        this.ds.query(`INSERT INTO snmp_trap (device_id, received_at, source, version, name, if_index, varbinds) VALUES ($1, now(), $2, $3, $4, $5, $6)`, [
          sender.deviceId,
          data.rinfo.address.slice(0, 100),
          version,
          name,
          ifIndex,
          JSON.stringify(values),
        ]),
      )
      .then(() => this.onTrap?.(sender.deviceId, name))
      .catch((e: Error) => this.options.log?.error(`storing a trap of ${sender.deviceId} failed: ${e.message}`));
  }
}

/** ::ffff:10.0.0.1 and 10.0.0.1 are one sender; IPv6 in lower case. */
function normalise(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1').toLowerCase();
}

/** A varbind's value as storable text: no NUL, bounded. */
function text(value: unknown): string {
  const s = Buffer.isBuffer(value) ? (value.every((b) => b >= 0x20 && b < 0x7f) ? value.toString('latin1') : value.toString('hex')) : String(value);
  return s.replace(/\u0000/g, '').slice(0, 500);
}
