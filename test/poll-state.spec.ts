import { applyPoll, type DeviceMemory, emptyMemory, type PollOutcome } from '@app/polling';
import type { DeviceReading } from '@app/snmp';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const reading = (uptimeTicks: number, extra: Partial<DeviceReading> = {}): DeviceReading => ({
  sysUpTimeTicks: uptimeTicks,
  hrSystemUptimeTicks: null,
  engineBoots: null,
  engineTimeSeconds: null,
  sysName: 'r1',
  sysDescr: 'router',
  sysObjectID: '1.3.6.1.4.1.9.1.1',
  sysLocation: null,
  sysContact: null,
  interfaces: [],
  ...extra,
});

/** Runs a scripted timeline: [seconds after T0, reading or failure]. */
function run(steps: Array<[number, DeviceReading | 'timeout' | 'malformed' | 'auth' | 'unresolved']>, links = [{ ifIndex: 2, wanLinkId: 'link-1' }]) {
  let memory: DeviceMemory = emptyMemory();
  const events = [];
  let rebooted = 0;
  let wrapped = 0;
  for (const [s, r] of steps) {
    const outcome: PollOutcome = typeof r === 'string' ? { at: T0 + s * 1000, failure: { reason: r, message: r } } : { at: T0 + s * 1000, reading: r };
    const step = applyPoll(memory, outcome, links);
    memory = step.next;
    events.push(...step.events.map((e) => ({ ...e, ...('at' in e ? { at: (e.at - T0) / 1000 } : {}), ...('from' in e ? { from: (e.from - T0) / 1000, to: (e.to - T0) / 1000 } : {}) })));
    rebooted += step.rebooted ? 1 : 0;
    wrapped += step.wrapped ? 1 : 0;
  }
  return { memory, events, rebooted, wrapped };
}

describe('poll state machine', () => {
  it('opens an unreachable outage at the first failed poll and closes it at the first answer', () => {
    const { events, memory } = run([
      [0, reading(100_000)],
      [60, reading(106_000)],
      [120, 'timeout'],
      [180, 'timeout'],
      [240, reading(124_000)],
    ]);
    expect(events.filter((e) => e.kind !== 'monitor')).toEqual([
      { kind: 'open', cause: 'unreachable', at: 120, ifIndex: null, wanLinkId: null, detail: 'timeout' },
      { kind: 'close', cause: 'unreachable', ifIndex: null, at: 240 },
    ]);
    expect(memory.state).toBe('up');
    expect(memory.since).toBe(T0 + 240_000);
  });

  it('turns an unreachable outage into a reboot ending at the boot moment the uptime gives', () => {
    const { events, rebooted } = run([
      [0, reading(100_000)],
      [60, 'timeout'],
      [120, 'timeout'],
      // Uptime 25 s at 180 s: it booted at 155 s.
      [180, reading(2_500)],
    ]);
    expect(rebooted).toBe(1);
    expect(events.filter((e) => e.kind === 'close')).toEqual([
      expect.objectContaining({ kind: 'close', cause: 'unreachable', at: 155, recause: 'rebooted' }),
    ]);
  });

  it('records a reboot no poll saw as down from the last poll that saw it up to the boot moment', () => {
    const { events } = run([
      [0, reading(100_000)],
      [60, reading(106_000)],
      [120, reading(1_000)], // booted at 110 s
    ]);
    expect(events.filter((e) => e.kind === 'record')).toEqual([{ kind: 'record', cause: 'rebooted', from: 60, to: 110, detail: 'sysUpTime went back from 106000 to 1000' }]);
  });

  it('keeps the names, sysLocation and sysContact between the polls that read them, and takes a change when one does', () => {
    const { sysLocation, sysContact, sysName: _n, sysDescr: _d, sysObjectID: _o, ...withoutFacts } = reading(100);
    expect([sysLocation, sysContact]).toEqual([null, null]);
    const facts = { sysLocation: 'Phòng máy tầng 2', sysContact: 'Hòa' };
    const kept = run([[0, reading(100, facts)], [60, { ...withoutFacts, sysUpTimeTicks: 6100 }]]);
    expect([kept.memory.sysLocation, kept.memory.sysContact]).toEqual(['Phòng máy tầng 2', 'Hòa']);
    expect([kept.memory.sysName, kept.memory.sysDescr, kept.memory.sysObjectId]).toEqual(['r1', 'router', '1.3.6.1.4.1.9.1.1']);
    const renamed = run([[0, reading(100)], [60, reading(6100, { sysName: 'r1-new' })]]);
    expect(renamed.memory.sysName).toBe('r1-new');
    const moved = run([[0, reading(100, facts)], [60, reading(6100, { sysLocation: 'Tầng 3', sysContact: null })]]);
    expect([moved.memory.sysLocation, moved.memory.sysContact]).toEqual(['Tầng 3', null]);
  });

  it('does not take the 497-day wrap of sysUpTime for a reboot', () => {
    const nearWrap = 2 ** 32 - 3_000; // 30 s before the wrap
    const { events, rebooted, wrapped } = run([
      [0, reading(nearWrap)],
      [60, reading((nearWrap + 6_000) % 2 ** 32)],
      [120, reading((nearWrap + 12_000) % 2 ** 32)],
    ]);
    expect(rebooted).toBe(0);
    expect(wrapped).toBe(1);
    expect(events.filter((e) => e.kind !== 'monitor')).toEqual([]);
  });

  it('prefers the host uptime: an agent restart (sysUpTime reset) with the host still up is no reboot', () => {
    const { rebooted } = run([
      [0, reading(500_000, { hrSystemUptimeTicks: 9_000_000 })],
      [60, reading(100, { hrSystemUptimeTicks: 9_006_000 })],
    ]);
    expect(rebooted).toBe(0);
  });

  it('follows the interfaces that carry WAN links', () => {
    const up = (s: number) => [{ ifIndex: 2, operStatus: s, highSpeedMbps: 100, inOctets: '0', outOctets: '0' }];
    const { events } = run([
      [0, reading(0, { interfaces: up(1) })],
      [60, reading(6_000, { interfaces: up(2) })],
      [120, reading(12_000, { interfaces: up(7) })],
      [180, reading(18_000, { interfaces: up(1) })],
    ]);
    expect(events.filter((e) => e.kind !== 'monitor')).toEqual([
      { kind: 'open', cause: 'interface_down', at: 60, ifIndex: 2, wanLinkId: 'link-1', detail: 'ifOperStatus 2 (down)' },
      { kind: 'close', cause: 'interface_down', ifIndex: 2, at: 180 },
    ]);
  });

  it('records a monitored interface without a link going down, and closes its outage when it stops being polled', () => {
    const down = [{ ifIndex: 5, operStatus: 2, highSpeedMbps: 1000, inOctets: '0', outOctets: '0' }];
    const monitored = [{ ifIndex: 5, wanLinkId: null }];
    const first = applyPoll(emptyMemory(), { at: T0, reading: reading(0, { interfaces: down }) }, monitored);
    expect(first.events.filter((e) => e.kind === 'open')).toEqual([{ kind: 'open', cause: 'interface_down', at: T0, ifIndex: 5, wanLinkId: null, detail: 'ifOperStatus 2 (down)' }]);
    // Unmarked: the next poll reads it no more, and its outage ends there.
    const next = applyPoll(first.next, { at: T0 + 60_000, reading: reading(6_000) }, []);
    expect(next.events).toEqual([{ kind: 'close', cause: 'interface_down', ifIndex: 5, at: T0 + 60_000 }]);
    expect(next.next.interfacesDown).toEqual([]);
  });

  it('sums the traffic of each 5-minute slot into one point per interface, not one per poll', () => {
    // Polled every 60 s from T0 + 30 s: 1 Mbit/s in, 2 Mbit/s out, 3 errors in a minute; from the 6th minute, 3 Mbit/s in.
    let memory = emptyMemory();
    const points = [];
    let inOctets = 0n;
    let outOctets = 0n;
    for (let n = 0; n <= 11; n++) {
      const at = T0 + 30_000 + n * 60_000;
      const interfaces = [{ ifIndex: 2, operStatus: 1, highSpeedMbps: 100, inOctets: String(inOctets), outOctets: String(outOctets), inErrors: 3 * n, outErrors: 0 }];
      const step = applyPoll(memory, { at, reading: reading(n * 6_000, { interfaces }) }, [{ ifIndex: 2, wanLinkId: 'link-1' }]);
      memory = step.next;
      points.push(...step.points);
      inOctets += n < 5 ? 7_500_000n : 22_500_000n;
      outOctets += 15_000_000n;
    }
    // Each minute is shared between the slots it covers: slot 0 (T0 … +5 min) measured 0:30 … 5:00
    // (270 s, 1 Mbit/s); slot 1 the 30 s of 4:30 … 5:30 that fall in it at 1 Mbit/s, then 270 s at 3.
    expect(points).toEqual([
      { ifIndex: 2, at: T0, inBps: 1_000_000, outBps: 2_000_000, inErrorsPerSecond: 0.05, outErrorsPerSecond: 0, seconds: 270 },
      { ifIndex: 2, at: T0 + 300_000, inBps: (30 * 1_000_000 + 270 * 3_000_000) / 300, outBps: 2_000_000, inErrorsPerSecond: 0.05, outErrorsPerSecond: 0, seconds: 300 },
    ]);
    // The slot in progress is kept with the device, not written: 10:00 … 11:30.
    expect(memory.interfaces[2].slot).toMatchObject({ start: T0 + 600_000, seconds: 90 });
  });

  it('shares a long interval among the slots it covers, and counts no traffic across a gap longer than the heartbeat', () => {
    const at = (n: number, octets: bigint) => ({ ifIndex: 2, operStatus: 1, highSpeedMbps: 100, inOctets: String(octets), outOctets: '0', inErrors: 0, outErrors: 0 });
    const points: Array<{ at: number; inBps: number; seconds: number }> = [];
    let memory = emptyMemory();
    const poll = (s: number, octets: bigint, heartbeat?: number) => {
      const step = applyPoll(memory, { at: T0 + s * 1000, reading: reading(s * 100, { interfaces: [at(s, octets)] }) }, [{ ifIndex: 2, wanLinkId: 'link-1' }], heartbeat);
      memory = step.next;
      points.push(...step.points.map((p) => ({ at: (p.at - T0) / 1000, inBps: p.inBps, seconds: p.seconds })));
    };
    // Polled every 15 minutes (heartbeat 30): 4 Mbit/s over 0:00 … 15:00 fills three slots of 300 s.
    poll(0, 0n, 1800);
    poll(900, 450_000_000n, 1800);
    expect(points).toEqual([
      { at: 0, inBps: 4_000_000, seconds: 300 },
      { at: 300, inBps: 4_000_000, seconds: 300 },
      { at: 600, inBps: 4_000_000, seconds: 300 },
    ]);
    // With the default heartbeat (10 minutes) a 20-minute silence (a poller stopped) is unknown
    // traffic: no slot gets it, and the next minute starts afresh.
    points.length = 0;
    poll(2100, 1_050_000_000n);
    poll(2160, 1_057_500_000n);
    poll(2400, 1_087_500_000n);
    expect(points).toEqual([{ at: 2100, inBps: 1_000_000, seconds: 300 }]);
  });

  it('gives no point for a slot with less than half a second measured in it', () => {
    const iface = (octets: number) => [{ ifIndex: 2, operStatus: 1, highSpeedMbps: 100, inOctets: String(octets), outOctets: '0', inErrors: 0, outErrors: 0 }];
    // First answers 0.3 s before the end of the slot, then a minute later: the slot before holds 0.3 s.
    const a = applyPoll(emptyMemory(), { at: T0 + 299_700, reading: reading(0, { interfaces: iface(0) }) }, [{ ifIndex: 2, wanLinkId: 'link-1' }]);
    const b = applyPoll(a.next, { at: T0 + 359_700, reading: reading(6_000, { interfaces: iface(7_500_000) }) }, [{ ifIndex: 2, wanLinkId: 'link-1' }]);
    expect(b.points).toEqual([]);
    expect(b.next.interfaces[2].slot).toMatchObject({ start: T0 + 300_000, seconds: 59.7 });
  });

  it('turns the octet counters of a link into traffic, without a write per poll', () => {
    const link = (inOctets: string, outOctets: string) => [{ ifIndex: 2, operStatus: 1, highSpeedMbps: 100, inOctets, outOctets }];
    let memory = emptyMemory();
    const steps: Array<[number, DeviceReading | 'timeout']> = [
      [0, reading(0, { interfaces: link('1000', '5000') })],
      // 60 s later: 7,500,000 octets in (1 Mbit/s), 75,000,000 out (10 Mbit/s).
      [60, reading(6_000, { interfaces: link('7501000', '75005000') })],
      // A failed poll keeps the counters; the next rate spans both intervals (120 s, 0.5 Mbit/s in).
      [120, 'timeout'],
      [180, reading(18_000, { interfaces: link('15001000', '75005000') })],
      // Counters past 2^53 are exact (Counter64 as decimal strings), then a counter reset gives no rate.
      [240, reading(24_000, { interfaces: link('18446744073709551000', '75005000') })],
      [300, reading(30_000, { interfaces: link('10', '75005000') })],
    ];
    const seen = [];
    for (const [s, r] of steps) {
      const step = applyPoll(memory, typeof r === 'string' ? { at: T0 + s * 1000, failure: { reason: r, message: r } } : { at: T0 + s * 1000, reading: r }, [{ ifIndex: 2, wanLinkId: 'link-1' }]);
      memory = step.next;
      const i = memory.interfaces[2];
      seen.push({ s, in: i.inBps, out: i.outBps, over: i.rateSeconds, changed: step.changed });
    }
    expect(seen).toEqual([
      { s: 0, in: null, out: null, over: null, changed: true },
      { s: 60, in: 1_000_000, out: 10_000_000, over: 60, changed: false },
      // The timeout changes the state (down), not the interface.
      { s: 120, in: 1_000_000, out: 10_000_000, over: 60, changed: true },
      { s: 180, in: 500_000, out: 0, over: 120, changed: true },
      { s: 240, in: Math.round(((18446744073709551000 - 15001000) * 8) / 60), out: 0, over: 60, changed: false },
      { s: 300, in: null, out: 0, over: 60, changed: false },
    ]);
    expect(memory.interfaces[2]).toMatchObject({ inOctets: '10', outOctets: '75005000', countersAt: T0 + 300_000 });
  });

  it('counts garbage as a failed poll, not an outage', () => {
    const { events, memory } = run([
      [0, reading(0)],
      [60, 'malformed'],
    ]);
    expect(events.filter((e) => e.kind !== 'monitor')).toEqual([]);
    expect(memory).toMatchObject({ state: 'up', lastFailure: 'malformed' });
  });

  it('takes a sysUpTime that stands still for a frozen clock, shown once, not a reboot at every poll', () => {
    const steps: Array<[number, DeviceReading]> = Array.from({ length: 43 }, (_, i) => [i * 10, reading(697_202_257)]);
    const { events, memory, rebooted } = run([...steps, [430, reading(697_202_257 + 1_000)], [440, reading(697_202_257 + 2_000)]]);
    expect(rebooted).toBe(0);
    expect(events.filter((e) => e.kind !== 'monitor')).toEqual([]);
    // It moved again: no longer frozen.
    expect(memory.uptimeFrozenSince).toBeNull();
    const frozen = run(steps);
    expect(frozen.memory.uptimeFrozenSince).toBe(T0);
    // A real step back is still a reboot.
    expect(run([[0, reading(500_000)], [10, reading(500_000)], [20, reading(300)]]).rebooted).toBe(1);
    // Polled every second (each step inside the tolerance), it is seen once it has stood still longer than that.
    const standing = Array.from({ length: 10 }, (_, i): [number, DeviceReading] => [i, reading(697_202_257)]);
    const everySecond = run(standing);
    expect(everySecond.rebooted).toBe(0);
    expect(everySecond.memory.uptimeFrozenSince).toBe(T0);
    // A clock moving at every second poll is not frozen.
    expect(run(Array.from({ length: 10 }, (_, i): [number, DeviceReading] => [i, reading(697_202_257 + Math.floor(i / 2) * 200)])).memory.uptimeFrozenSince).toBeNull();
    // When it moves again, the time it stood still is not counted as uptime.
    const thawed = run([...standing, [10, reading(697_202_257 + 100)]]);
    expect(thawed.memory.uptimeFrozenSince).toBeNull();
    expect(thawed.memory.bootedAt).toBe(T0 + 10_000 - (697_202_257 + 100) * 10);
  });

  it('keeps a device that refuses the credentials in a state of its own, with monitoring paused and its outage closed', () => {
    const { events, memory } = run([
      [0, reading(100_000)],
      [60, 'timeout'],
      [120, 'auth'],
      [180, 'auth'],
      [240, reading(124_000)],
    ]);
    expect(events.map((e) => [e.kind, 'cause' in e ? e.cause : null, e.at])).toEqual([
      ['monitor', null, 0],
      ['open', 'unreachable', 60],
      ['close', 'unreachable', 120],
      ['unmonitor', null, 120],
      ['monitor', null, 240],
    ]);
    expect(memory).toMatchObject({ state: 'up', since: T0 + 240_000, lastFailure: null });
    const refusing = run([[0, reading(100_000)], [60, 'auth']]).memory;
    expect(refusing).toMatchObject({ state: 'refused', since: T0 + 60_000, lastFailure: 'auth', monitored: false });
    // A name that does not resolve says nothing of the device either: no outage, time unknown.
    const lost = run([[0, reading(100_000)], [60, 'unresolved'], [120, 'unresolved']]);
    expect(lost.memory).toMatchObject({ state: 'unresolved', since: T0 + 60_000, monitored: false });
    expect(lost.events.map((e) => e.kind)).toEqual(['monitor', 'unmonitor']);
  });

  it('remembers the time of the last poll, answered or not', () => {
    expect(run([[0, reading(100_000)], [60, 'malformed']]).memory.polledAt).toBe(T0 + 60_000);
    expect(run([[0, 'malformed']]).memory).toMatchObject({ polledAt: T0, state: null });
  });
});
