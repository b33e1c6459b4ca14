import { type DeviceReading, type SnmpFailure, TIMETICKS_MODULUS } from '@app/snmp';
import type { DeviceState, OutageCause } from './entities';

/**
 * What the poller knows of one device between polls, and the rules that turn a poll into ledger
 * events. Pure: no clock, no database, so timelines can be scripted to the millisecond.
 */
export interface DeviceMemory {
  state: DeviceState | null;
  since: number | null;
  /** The last poll, answered or not. */
  polledAt: number | null;
  lastAnswerAt: number | null;
  uptimeSource: UptimeSource | null;
  uptimeTicks: number | null;
  /** Since when uptime has stood still between answers (a frozen agent clock, a recording): not a reboot. */
  uptimeFrozenSince: number | null;
  bootedAt: number | null;
  engineBoots: number | null;
  sysName: string | null;
  sysDescr: string | null;
  sysObjectId: string | null;
  sysLocation: string | null;
  sysContact: string | null;
  /**
   * Why the poller could not fill the device's empty serial, model or manufacturer from what it
   * says of itself (which field, and why: a serial another device has, an ENTITY-MIB that cannot
   * be read); null when it filled them or had nothing to fill.
   */
  chassisProblem: string | null;
  /** The interfaces that carry WAN links, by ifIndex. */
  interfaces: Record<string, InterfaceMemory>;
  lastFailure: SnmpFailure | null;
  lastFailureMessage: string | null;
  /** Start of the open unreachable outage, if one is open. */
  unreachableSince: number | null;
  /** ifIndexes with an open interface_down outage. */
  interfacesDown: number[];
  monitored: boolean;
}

export interface InterfaceMemory {
  /** IF-MIB ifOperStatus (1 up) and ifHighSpeed. */
  operStatus: number | null;
  highSpeedMbps: number | null;
  /** ifHCInOctets and ifHCOutOctets at the last answer (Counter64, as decimal strings), and its time (ms). */
  inOctets?: string | null;
  outOctets?: string | null;
  countersAt?: number | null;
  /**
   * Traffic between the two last answers, in bits per second, averaged over rateSeconds; null on
   * the first answer, or when a counter went back (the device or its interface was reset).
   */
  inBps?: number | null;
  outBps?: number | null;
  rateSeconds?: number | null;
  /** ifInErrors and ifOutErrors at the last answer (Counter32). */
  inErrors?: number | null;
  outErrors?: number | null;
  /** The traffic of the 5-minute slot in progress, summed over the answers that fell in it. */
  slot?: TrafficSlot | null;
}

/** Length of a traffic point: 5 minutes, as providers bill the 95th percentile. */
export const TRAFFIC_SLOT_MS = 300_000;

export interface TrafficSlot {
  /** Start of the slot (ms, a multiple of TRAFFIC_SLOT_MS). */
  start: number;
  inBits: number;
  outBits: number;
  inErrors: number;
  outErrors: number;
  /** Seconds of traffic measured in it (its part of the time between each two answers around and in it; at most 300). */
  seconds: number;
  /** Whether every answer in it gave both error counters (remote pollers' older results do not). */
  errorsKnown: boolean;
}

/** One 5-minute point of an interface: the averages over the seconds measured in the slot. */
export interface TrafficPoint {
  ifIndex: number;
  /** Start of the slot (ms). */
  at: number;
  inBps: number;
  outBps: number;
  inErrorsPerSecond: number | null;
  outErrorsPerSecond: number | null;
  seconds: number;
}

export type UptimeSource = 'hrSystemUptime' | 'sysUpTime' | 'snmpEngineTime';

export interface PollOutcome {
  /** When the poll was sent (ms). */
  at: number;
  reading?: DeviceReading;
  failure?: { reason: SnmpFailure; message: string };
}

/** An interface the poll reads: one that carries a WAN link (its id), or one an admin marked monitored (null). */
export interface CarriedLink {
  ifIndex: number;
  wanLinkId: string | null;
}

export type LedgerEvent =
  | { kind: 'open'; cause: OutageCause; at: number; ifIndex: number | null; wanLinkId: string | null; detail: string }
  | { kind: 'close'; cause: OutageCause; ifIndex: number | null; at: number; recause?: OutageCause; detail?: string }
  | { kind: 'record'; cause: OutageCause; from: number; to: number; detail: string }
  | { kind: 'monitor'; at: number }
  /** Monitoring pauses (the device refuses the credentials): the time until it answers again is unknown. */
  | { kind: 'unmonitor'; at: number };

export interface PollStep {
  next: DeviceMemory;
  events: LedgerEvent[];
  /** 5-minute traffic points of slots this poll closed (one per polled interface per slot, not per poll). */
  points: TrafficPoint[];
  /** The latest-poll row needs writing (something other than the time of the poll changed). */
  changed: boolean;
  rebooted: boolean;
  wrapped: boolean;
}

/** Failures that mean the device did not answer: the device is down. Others mean it answered badly. */
const DOWN_REASONS: ReadonlySet<SnmpFailure> = new Set(['timeout', 'unreachable']);
/** Failures that say nothing of whether the device is up: a state of their own, time unknown. */
const PAUSING: Partial<Record<SnmpFailure, DeviceState>> = { auth: 'refused', unresolved: 'unresolved' };

export function emptyMemory(): DeviceMemory {
  return {
    state: null,
    since: null,
    polledAt: null,
    lastAnswerAt: null,
    uptimeSource: null,
    uptimeTicks: null,
    uptimeFrozenSince: null,
    bootedAt: null,
    engineBoots: null,
    sysName: null,
    sysDescr: null,
    sysObjectId: null,
    sysLocation: null,
    sysContact: null,
    chassisProblem: null,
    interfaces: {},
    lastFailure: null,
    lastFailureMessage: null,
    unreachableSince: null,
    interfacesDown: [],
    monitored: false,
  };
}

/**
 * The longest time between two answers whose traffic is shared among the slots it covers: twice
 * the device's interval, and at least 10 minutes (two slots, RRDtool's usual heartbeat).
 */
export function trafficHeartbeatSeconds(intervalSeconds?: number): number {
  return Math.max(600, 2 * (intervalSeconds ?? 0));
}

export function applyPoll(memory: DeviceMemory, outcome: PollOutcome, links: readonly CarriedLink[] = [], heartbeatSeconds = trafficHeartbeatSeconds()): PollStep {
  const events: LedgerEvent[] = [];
  // Most polls close no slot: they share one empty list rather than each allocating its own.
  let points: TrafficPoint[] = NO_POINTS;
  const next: DeviceMemory = { ...memory };
  const at = outcome.at;
  let changed = false;
  let rebooted = false;
  let wrapped = false;
  next.polledAt = at;
  const failure = outcome.reading ? null : (outcome.failure ?? { reason: 'timeout' as const, message: 'no answer' });
  if (failure) {
    if (next.lastFailure !== failure.reason || next.lastFailureMessage !== failure.message) changed = true;
    next.lastFailure = failure.reason;
    next.lastFailureMessage = failure.message;
  }
  const paused = failure === null ? undefined : PAUSING[failure.reason];
  if (failure && paused) {
    // Refused credentials: it answers, so it is reachable, but without its uptime and interfaces
    // it is not known to be up either. A name that does not resolve: nothing is known of it. A
    // state of its own; monitoring pauses, so availability counts the time as unknown.
    if (next.unreachableSince !== null) {
      events.push({ kind: 'close', cause: 'unreachable', ifIndex: null, at, detail: paused === 'refused' ? `${failure.message} (it answers, refusing the credentials)` : failure.message });
      next.unreachableSince = null;
    }
    if (memory.monitored) {
      events.push({ kind: 'unmonitor', at });
      next.monitored = false;
    }
    if (next.state !== paused) {
      next.state = paused;
      next.since = at;
      changed = true;
    }
    return { next, events, points, changed, rebooted, wrapped };
  }
  if (!memory.monitored) {
    events.push({ kind: 'monitor', at });
    next.monitored = true;
  }

  if (failure) {
    if (DOWN_REASONS.has(failure.reason)) {
      if (next.unreachableSince === null) {
        events.push({ kind: 'open', cause: 'unreachable', at, ifIndex: null, wanLinkId: null, detail: failure.message });
        next.unreachableSince = at;
      }
      if (next.state !== 'down') {
        next.state = 'down';
        next.since = at;
        changed = true;
      }
    }
    return { next, events, points, changed, rebooted, wrapped };
  }

  const r = outcome.reading!;
  if (next.lastFailure !== null) changed = true;
  next.lastFailure = null;
  next.lastFailureMessage = null;

  // Uptime: the host's when the agent gives it (an agent restart is not a reboot), else the agent's.
  const source: UptimeSource | null = r.hrSystemUptimeTicks !== null ? 'hrSystemUptime' : r.sysUpTimeTicks !== null ? 'sysUpTime' : r.engineTimeSeconds !== null ? 'snmpEngineTime' : null;
  const ticks = source === 'hrSystemUptime' ? r.hrSystemUptimeTicks : source === 'sysUpTime' ? r.sysUpTimeTicks : r.engineTimeSeconds === null ? null : r.engineTimeSeconds * 100;
  if (source !== null && ticks !== null) {
    if (memory.uptimeSource === source && memory.uptimeTicks !== null && memory.lastAnswerAt !== null) {
      const elapsedTicks = Math.max(0, (at - memory.lastAnswerAt) / 10);
      let diff = ticks - (memory.uptimeTicks + elapsedTicks);
      if (source !== 'snmpEngineTime') {
        // TimeTicks are 32 bits: compare on the circle, so a wrap after 497 days is not a reboot.
        diff = ((diff % TIMETICKS_MODULUS) + TIMETICKS_MODULUS) % TIMETICKS_MODULUS;
        if (diff > TIMETICKS_MODULUS / 2) diff -= TIMETICKS_MODULUS;
        wrapped = ticks < memory.uptimeTicks && diff >= -tolerance(elapsedTicks);
      }
      // The same reading again after time has passed is a clock that stands still, not a step back:
      // time since the last answer beyond the tolerance, or (polls closer together than that) time
      // since the reading was first seen, which bootedAt keeps: it is when the reading said it booted.
      const same = ticks === memory.uptimeTicks;
      const standingTicks = same && next.bootedAt !== null ? (at - ticks * 10 - next.bootedAt) / 10 : 0;
      const frozen = same && (diff < -tolerance(elapsedTicks) || standingTicks > tolerance(elapsedTicks));
      rebooted = diff < -tolerance(elapsedTicks) && !frozen;
      if (source === 'snmpEngineTime' && memory.engineBoots !== null && r.engineBoots !== null && r.engineBoots > memory.engineBoots) rebooted = true;
      if (frozen && next.uptimeFrozenSince === null) {
        next.uptimeFrozenSince = next.bootedAt === null ? memory.lastAnswerAt : Math.min(memory.lastAnswerAt, next.bootedAt + ticks * 10);
        changed = true;
      } else if (!frozen && !same && next.uptimeFrozenSince !== null) {
        // It moves again; the time it stood still is not uptime, so the boot moment moves with it.
        next.uptimeFrozenSince = null;
        next.bootedAt = at - ticks * 10;
        changed = true;
      }
    }
    const bootedAt = at - ticks * 10;
    if (memory.uptimeSource !== source || rebooted || next.bootedAt === null) changed = true;
    if (rebooted || next.bootedAt === null || memory.uptimeSource !== source) next.bootedAt = bootedAt;
    next.uptimeSource = source;
    next.uptimeTicks = ticks;
    if (rebooted) {
      const bootAt = bootedAt;
      if (next.unreachableSince !== null) {
        // It was down, and now we know why: it rebooted, and came back at the boot moment.
        events.push({ kind: 'close', cause: 'unreachable', ifIndex: null, at: Math.max(bootAt, next.unreachableSince), recause: 'rebooted', detail: `rebooted: ${source} restarted at ${new Date(bootAt).toISOString()}` });
        next.unreachableSince = null;
      } else {
        // A reboot between two polls: down from the last poll that saw it up to the moment it booted.
        const from = Math.min(memory.lastAnswerAt ?? bootAt, bootAt);
        events.push({ kind: 'record', cause: 'rebooted', from, to: bootAt, detail: `${source} went back from ${memory.uptimeTicks} to ${ticks}` });
      }
    }
  }
  if (r.engineBoots !== null) next.engineBoots = r.engineBoots;
  if (next.unreachableSince !== null) {
    events.push({ kind: 'close', cause: 'unreachable', ifIndex: null, at });
    next.unreachableSince = null;
  }
  if (next.state !== 'up') {
    next.state = 'up';
    next.since = rebooted && next.bootedAt !== null ? Math.max(next.bootedAt, memory.since ?? 0) : at;
    changed = true;
  }
  next.lastAnswerAt = at;
  // Only what changed is replaced: the poller keeps a device's memory for a long time, and an
  // equal new string or object in it would be garbage in the old generation at the next poll.
  // Read on a slower schedule: a poll that did not ask keeps what the last one that did said.
  if (r.sysName !== undefined && (r.sysName !== next.sysName || r.sysDescr !== next.sysDescr || r.sysObjectID !== next.sysObjectId)) {
    changed = true;
    next.sysName = r.sysName;
    next.sysDescr = r.sysDescr ?? null;
    next.sysObjectId = r.sysObjectID ?? null;
  }
  if (r.sysLocation !== undefined && (r.sysLocation !== next.sysLocation || r.sysContact !== next.sysContact)) {
    changed = true;
    next.sysLocation = r.sysLocation;
    next.sysContact = r.sysContact ?? null;
  }

  if (r.interfaces.length > 0 || Object.keys(next.interfaces).length > 0) {
    // Counters move at every poll: they are kept, but only a change of status or speed is a change to write.
    // The same interfaces as the last poll (nearly always) are updated in place: new objects every
    // poll for a long-kept memory would be promoted to the old generation, there to become garbage.
    const before = memory.interfaces;
    let same = r.interfaces.length > 0;
    let known = 0;
    for (const k in before) if (Object.hasOwn(before, k)) known++;
    if (known !== r.interfaces.length) same = false;
    else for (const i of r.interfaces) if (before[i.ifIndex] === undefined) same = false;
    const interfaces: DeviceMemory['interfaces'] = same ? before : {};
    for (const i of r.interfaces) {
      const was = before[i.ifIndex];
      const seconds = was?.countersAt != null ? (at - was.countersAt) / 1000 : null;
      const inBps = bitsPerSecond(was?.inOctets, i.inOctets, seconds);
      const outBps = bitsPerSecond(was?.outOctets, i.outOctets, seconds);
      // The time since the last answer is shared among the 5-minute slots it covers, each its part
      // (as RRDtool does); a slot closes into a point when an answer falls in a later one. A gap
      // longer than the heartbeat (a poller that was stopped) is not known traffic: no slot gets it.
      const start = at - (at % TRAFFIC_SLOT_MS);
      let slot = was?.slot ?? null;
      if (seconds !== null && seconds > 0 && seconds <= heartbeatSeconds && inBps !== null && outBps !== null) {
        const errorsKnown = was?.inErrors != null && i.inErrors != null && was?.outErrors != null && i.outErrors != null;
        const inErrors = counter32Delta(was?.inErrors, i.inErrors);
        const outErrors = counter32Delta(was?.outErrors, i.outErrors);
        for (let from = was!.countersAt!; from < at; ) {
          const slotStart = from - (from % TRAFFIC_SLOT_MS);
          const to = Math.min(at, slotStart + TRAFFIC_SLOT_MS);
          if (slot && slot.start !== slotStart) {
            if (slot.seconds >= MIN_POINT_SECONDS) (points === NO_POINTS ? (points = []) : points).push(pointOf(i.ifIndex, slot));
            slot = null;
          }
          slot ??= { start: slotStart, inBits: 0, outBits: 0, inErrors: 0, outErrors: 0, seconds: 0, errorsKnown: true };
          const part = (to - from) / 1000;
          slot.errorsKnown &&= errorsKnown;
          slot.inBits += inBps * part;
          slot.outBits += outBps * part;
          slot.inErrors += (inErrors * part) / seconds;
          slot.outErrors += (outErrors * part) / seconds;
          slot.seconds += part;
          from = to;
        }
      }
      if (slot && slot.start !== start) {
        if (slot.seconds >= MIN_POINT_SECONDS) (points === NO_POINTS ? (points = []) : points).push(pointOf(i.ifIndex, slot));
        slot = null;
      }
      const row: InterfaceMemory = {
        operStatus: i.operStatus,
        // Read with the facts (hourly): a poll that did not ask keeps what the last one that did said.
        highSpeedMbps: i.highSpeedMbps !== undefined ? i.highSpeedMbps : (was?.highSpeedMbps ?? null),
        inOctets: i.inOctets,
        outOctets: i.outOctets,
        countersAt: i.inOctets !== null || i.outOctets !== null ? at : null,
        inBps,
        outBps,
        rateSeconds: seconds !== null && seconds > 0 && (was?.inOctets != null || was?.outOctets != null) ? Math.round(seconds * 1000) / 1000 : null,
        inErrors: i.inErrors ?? null,
        outErrors: i.outErrors ?? null,
        slot,
      };
      if (same) {
        if (was.operStatus !== row.operStatus || was.highSpeedMbps !== row.highSpeedMbps) changed = true;
        Object.assign(was, row);
      } else interfaces[i.ifIndex] = row;
    }
    if (!same) {
      if (!sameInterfaces(interfaces, next.interfaces)) changed = true;
      next.interfaces = interfaces;
    }
  }

  if (links.length === 0 && next.interfacesDown.length === 0) return { next, events, points, changed, rebooted, wrapped };
  const down = new Set(next.interfacesDown);
  // An interface no longer polled (unmarked, its link retired) closes its open outage: nothing is known of it any more.
  if (down.size > 0) {
    const polled = new Set(links.map((l) => l.ifIndex));
    for (const ifIndex of down) {
      if (polled.has(ifIndex)) continue;
      events.push({ kind: 'close', cause: 'interface_down', ifIndex, at });
      down.delete(ifIndex);
    }
  }
  for (const link of links) {
    const status = next.interfaces[link.ifIndex]?.operStatus ?? null;
    if (status === null) continue;
    if (status !== 1 && !down.has(link.ifIndex)) {
      events.push({ kind: 'open', cause: 'interface_down', at, ifIndex: link.ifIndex, wanLinkId: link.wanLinkId, detail: `ifOperStatus ${status} (${OPER_STATUS[status] ?? 'unknown'})` });
      down.add(link.ifIndex);
    } else if (status === 1 && down.has(link.ifIndex)) {
      events.push({ kind: 'close', cause: 'interface_down', ifIndex: link.ifIndex, at });
      down.delete(link.ifIndex);
    }
  }
  if (down.size !== next.interfacesDown.length || next.interfacesDown.some((i) => !down.has(i))) next.interfacesDown = [...down].sort((a, b) => a - b);
  return { next, events, points, changed, rebooted, wrapped };
}

/** How far uptime may fall short of the clock before it counts as going backwards: 3 s, or 5% of the time between polls. */
function tolerance(elapsedTicks: number): number {
  return Math.max(300, elapsedTicks * 0.05);
}

/**
 * The slots in progress of a device's interfaces, as partial points (the seconds measured so far),
 * taken out of its memory: for a poller that stops. A poller that starts again within the slot
 * writes its own share of it, merged into the same point (averages weighted by their seconds).
 */
export function takeOpenSlots(memory: DeviceMemory): TrafficPoint[] {
  const points: TrafficPoint[] = [];
  for (const [ifIndex, i] of Object.entries(memory.interfaces)) {
    if (i.slot && i.slot.seconds >= MIN_POINT_SECONDS) points.push(pointOf(Number(ifIndex), i.slot));
    i.slot = null;
  }
  return points;
}

/**
 * A slot with less than this measured in it (a poller's first answers just before its end) gives no
 * point: its seconds, stored whole, would read 0, and a remote poller's point of 0 s is refused.
 */
const MIN_POINT_SECONDS = 0.5;

const NO_POINTS: TrafficPoint[] = Object.freeze([]) as unknown as TrafficPoint[];

function pointOf(ifIndex: number, s: TrafficSlot): TrafficPoint {
  return {
    ifIndex,
    at: s.start,
    inBps: s.inBits / s.seconds,
    outBps: s.outBits / s.seconds,
    inErrorsPerSecond: s.errorsKnown ? s.inErrors / s.seconds : null,
    outErrorsPerSecond: s.errorsKnown ? s.outErrors / s.seconds : null,
    seconds: Math.round(s.seconds),
  };
}

/** Errors counted between two readings of a Counter32 (wrapping at 2^32); 0 when either is missing. */
function counter32Delta(before: number | null | undefined, now: number | null | undefined): number {
  if (before == null || now == null) return 0;
  return now >= before ? now - before : now + 2 ** 32 - before;
}

/** The traffic between two readings of a Counter64 octet counter; null when one is missing or it went back (a reset). */
function bitsPerSecond(before: string | null | undefined, now: string | null | undefined, seconds: number | null): number | null {
  if (before == null || now == null || seconds === null || seconds <= 0) return null;
  const delta = BigInt(now) - BigInt(before);
  if (delta < 0n) return null;
  return Math.round((Number(delta) * 8) / seconds);
}

const OPER_STATUS: Record<number, string> = { 1: 'up', 2: 'down', 3: 'testing', 4: 'unknown', 5: 'dormant', 6: 'notPresent', 7: 'lowerLayerDown' };

function sameInterfaces(a: DeviceMemory['interfaces'], b: DeviceMemory['interfaces']): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k].operStatus !== b[k]?.operStatus || a[k].highSpeedMbps !== b[k]?.highSpeedMbps) return false;
  return true;
}
