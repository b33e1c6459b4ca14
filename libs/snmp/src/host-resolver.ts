import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import type { SnmpTarget } from './snmp-client';

export interface HostResolverOptions {
  /** How long a name's address is used before it is looked up again. */
  ttlMs?: number;
  /** How long a name that did not resolve waits before the next look-up. */
  retryMs?: number;
  lookup?: (name: string) => Promise<Array<{ address: string; family: number }>>;
  clock?: () => number;
}

interface Entry {
  address: string | null;
  error: string | null;
  until: number;
  pending: Promise<void> | null;
}

export const RESOLVE_TTL_MS = 300_000;
export const RESOLVE_RETRY_MS = 30_000;

/**
 * Management addresses given as DNS names (as LibreNMS and Zabbix take them): each name is looked
 * up through the system resolver (/etc/hosts, DNS), its address kept for `ttlMs` and looked up
 * again after; a name that does not resolve is tried again after `retryMs`. While a later look-up
 * runs, polls go on with the address known. IPv4 is preferred when a name has both.
 */
export class HostResolver {
  private readonly names = new Map<string, Entry>();
  /** A target with the address its name resolved to, kept while that address holds (the client keeps its session by object). */
  private readonly resolved = new WeakMap<SnmpTarget, SnmpTarget>();
  private readonly ttlMs: number;
  private readonly retryMs: number;
  private readonly lookup: (name: string) => Promise<Array<{ address: string; family: number }>>;
  private readonly clock: () => number;

  constructor(options: HostResolverOptions = {}) {
    this.ttlMs = options.ttlMs ?? RESOLVE_TTL_MS;
    this.retryMs = options.retryMs ?? RESOLVE_RETRY_MS;
    this.lookup = options.lookup ?? ((name) => dns.lookup(name, { all: true }));
    this.clock = options.clock ?? Date.now;
  }

  /** The target itself when its address is an IP literal; else the target at its name's address, or why there is none. */
  async resolve(target: SnmpTarget): Promise<SnmpTarget | { unresolved: string }> {
    if (isIP(target.address) !== 0) return target;
    const entry = await this.entry(target.address);
    if (entry.address === null) return { unresolved: `management address ${target.address} does not resolve: ${entry.error}` };
    const known = this.resolved.get(target);
    if (known !== undefined && known.address === entry.address) return known;
    const at = { ...target, address: entry.address };
    this.resolved.set(target, at);
    return at;
  }

  private async entry(name: string): Promise<Entry> {
    let entry = this.names.get(name);
    if (entry === undefined) {
      entry = { address: null, error: null, until: 0, pending: null };
      this.names.set(name, entry);
    }
    if (this.clock() >= entry.until && entry.pending === null) entry.pending = this.refresh(name, entry);
    // The first look-up is waited for; later ones run while the known address is used.
    if (entry.pending !== null && entry.address === null) await entry.pending;
    return entry;
  }

  private async refresh(name: string, entry: Entry): Promise<void> {
    try {
      const found = await this.lookup(name);
      const pick = found.find((a) => a.family === 4) ?? found[0];
      if (!pick) throw Object.assign(new Error('no address'), { code: 'ENODATA' });
      entry.address = pick.address;
      entry.error = null;
      entry.until = this.clock() + this.ttlMs;
    } catch (error) {
      entry.address = null;
      entry.error = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      entry.until = this.clock() + this.retryMs;
    } finally {
      entry.pending = null;
    }
  }
}
