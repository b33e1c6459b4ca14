/**
 * bench:poller — the SNMP poller against simulated agents on 127.0.0.1, with the two ways to
 * compare it to, measured in the same run:
 *   - bare net-snmp: one session per agent, GETs of the same OIDs kept in flight, nothing else;
 *   - one `snmpget` process per request (the LibreNMS way), two at a time (two cores).
 * Then the scheduler polls the fleet at its interval for a few cycles: the poller's CPU (this
 * process, database included; the agents run in another), lateness, missed cycles, memory,
 * sockets and database writes.
 *
 * The bursts run against two kinds of agents, one after the other: the test simulator (net-snmp's
 * agent, in a Node process) and one Debian snmpd listening on AGENTS ports. On two cores the
 * agents take one; near 100% of it, they set the pace of both bursts (net-snmp's agent does on
 * this machine), so the snmpd figures show what the poller itself can do.
 *
 * Environment (all bounded): DEVICES (100000), AGENTS (100), INTERVAL (60 s), CYCLES (2),
 * SNMPGET_SAMPLE (300), ENGINE (pglite | postgres), AGENT_KIND (both | simulator | snmpd; the
 * scheduled cycles run against the simulator, or the one kind given), ONLY (burst | scheduled),
 * CPU_PROFILE (a path prefix: profiles of the second burst against each kind and of the
 * scheduled cycles), MONITORED
 * (interfaces 1…N of every device marked monitored, as an admin would: each poll reads their
 * status, speed, octets and errors, and the poller writes a traffic point per interface per
 * 5-minute slot; 0 by default, the issue's figure is MONITORED=4 with CYCLES=6 so a slot closes).
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import * as snmp from 'net-snmp';
import { DevicesService } from '@app/inventory';
import { Poller, PollingMetrics, PollingStore, SecretBox } from '@app/polling';
import { OID } from '@app/snmp';
import type { DataSource } from 'typeorm';
import { type AgentKind, type Agents, fmt, latenessSoFar, pointFleetAt, pollsCounted, seedFleet, startAgents } from './fleet';
import { benchApp, timed } from './support';

const DEVICES = Number(process.env.DEVICES ?? 100_000);
const AGENTS = Number(process.env.AGENTS ?? 100);
const INTERVAL = Number(process.env.INTERVAL ?? 60);
const CYCLES = Math.min(Number(process.env.CYCLES ?? 2), 10);
const SNMPGET_SAMPLE = Math.min(Number(process.env.SNMPGET_SAMPLE ?? 300), 5000);
const ENGINE = process.env.ENGINE ?? 'pglite';
const IN_FLIGHT = 600;
const MONITORED = Math.min(Number(process.env.MONITORED ?? 0), 16);
const AGENT_KIND: AgentKind | 'both' = process.env.AGENT_KIND === 'snmpd' || process.env.AGENT_KIND === 'simulator' ? process.env.AGENT_KIND : 'both';
/** The OIDs a poll asks for (a device with no WAN link interface). */
const OIDS = [OID.sysUpTime, OID.sysName, OID.sysDescr, OID.sysObjectID, OID.hrSystemUptime, OID.snmpEngineBoots, OID.snmpEngineTime];


/** GETs of OIDS to `total` devices spread over the agents, IN_FLIGHT at a time, one net-snmp session (socket) per agent. */
async function bareNetSnmp(ports: number[], total: number): Promise<{ seconds: number; ok: number }> {
  const sessions = ports.map((port) => snmp.createSession('127.0.0.1', 'public', { port, version: snmp.Version2c, timeout: 5000, retries: 1 }));
  let next = 0;
  let ok = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    let active = 0;
    const launch = () => {
      while (active < IN_FLIGHT && next < total) {
        const i = next++;
        active++;
        sessions[i % sessions.length].get(OIDS, (error) => {
          active--;
          if (!error) ok++;
          if (next >= total && active === 0) resolve();
          else launch();
        });
      }
    };
    launch();
  });
  const seconds = (performance.now() - t0) / 1000;
  for (const s of sessions) s.close();
  return { seconds, ok };
}

/**
 * One snmpget process per request, two at a time (xargs -P 2): started from a small shell, not
 * from this process, whose size would make every fork slower than LibreNMS's would be.
 */
async function snmpgetProcesses(ports: number[], total: number): Promise<{ seconds: number; ok: number }> {
  const targets = Array.from({ length: total }, (_, i) => `127.0.0.1:${ports[i % ports.length]}`).join('\n');
  const script = `xargs -P 2 -I TARGET snmpget -v2c -c public -t 5 -r 1 -On -m '' TARGET ${OIDS.join(' ')}`;
  const t0 = performance.now();
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile('sh', ['-c', script], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error && !stdout ? reject(error) : resolve(stdout)));
    child.stdin!.end(`${targets}\n`);
  });
  // Each answer prints one line per OID; its sysUpTime line marks one request answered.
  return { seconds: (performance.now() - t0) / 1000, ok: out.split('\n').filter((l) => l.startsWith(`.${OID.sysUpTime} =`)).length };
}

interface BurstFigures {
  kind: AgentKind;
  bareRate: number;
  bareAgents: number;
  oursRate: number;
  oursAgents: number;
  failed: number;
  snmpgetRate: number;
}

/** Points the fleet at the agents' ports and has the poller re-read it. */
async function pointPollerAt(ds: DataSource, poller: Poller, ports: number[]): Promise<void> {
  await pointFleetAt(ds, ports);
  await poller.reload(true);
}

/** The three ways to GET the fleet, against one kind of agent: bare net-snmp, the poller's burst (twice), snmpget processes. */
async function bursts(kind: AgentKind, agents: Agents, ds: DataSource, poller: Poller, metrics: PollingMetrics): Promise<BurstFigures> {
  await pointPollerAt(ds, poller, agents.ports);
  // Warm the agents (first requests pay for JIT on both sides).
  await bareNetSnmp(agents.ports, Math.min(DEVICES, 5000));
  const agentsBefore = await agents.cpuSeconds();
  const bareCpu = process.cpuUsage();
  const bare = await bareNetSnmp(agents.ports, DEVICES);
  const bareMicros = cpuMicros(bareCpu) / DEVICES;
  const bareRate = bare.ok / bare.seconds;
  const bareAgents = ((await agents.cpuSeconds()) - agentsBefore) / bare.seconds;
  console.log(`[${kind}] bare net-snmp: ${fmt(bare.ok)} GETs ok of ${fmt(DEVICES)} in ${fmt(bare.seconds, 2)} s = ${fmt(bareRate)} /s, ${fmt(bareMicros, 1)} µs of CPU each (agents ${fmt(bareAgents * 100)}% of a core)`);

  const failedBefore = await pollsCounted(metrics, 'failed');
  const [, first] = await timed(() => poller.pollAll());
  const agentsBurst = await agents.cpuSeconds();
  const stopProfile = await cpuProfile(kind);
  const oursCpu = process.cpuUsage();
  const gc = watchGc();
  const [, again] = await timed(() => poller.pollAll());
  const oursMicros = cpuMicros(oursCpu) / DEVICES;
  console.log(`[${kind}] garbage collection in the second burst: ${gc.stop()}`);
  await stopProfile();
  const oursAgents = ((await agents.cpuSeconds()) - agentsBurst) / again;
  const failed = (await pollsCounted(metrics, 'failed')) - failedBefore;
  const oursRate = DEVICES / Math.min(first, again);
  console.log(`[${kind}] poller burst: first ${fmt(first, 2)} s (new sessions), again ${fmt(again, 2)} s (agents ${fmt(oursAgents * 100)}% of a core): ${fmt(oursRate)} polls/s, ${fmt(oursMicros, 1)} µs of CPU each, ${fmt(failed)} failed of ${fmt(2 * DEVICES)}`);

  const sample = await snmpgetProcesses(agents.ports, SNMPGET_SAMPLE);
  const snmpgetRate = sample.ok / sample.seconds;
  console.log(`[${kind}] snmpget processes: ${fmt(sample.ok)} of ${fmt(SNMPGET_SAMPLE)} in ${fmt(sample.seconds, 2)} s = ${fmt(snmpgetRate)} /s (two at a time)`);
  return { kind, bareRate, bareAgents, oursRate, oursAgents, failed, snmpgetRate };
}

/** Garbage collections from now until stop(), by kind: how many and how long. */
function watchGc(): { stop: () => string } {
  const kinds = new Map<string, { n: number; ms: number }>();
  const names: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = names[((e as unknown as { detail?: { kind?: number } }).detail)?.kind ?? 0] ?? 'other';
      const k = kinds.get(kind) ?? { n: 0, ms: 0 };
      k.n++;
      k.ms += e.duration;
      kinds.set(kind, k);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop: () => {
      observer.disconnect();
      return [...kinds].map(([kind, k]) => `${kind} ${k.n} (${fmt(k.ms)} ms)`).join(', ') || 'none';
    },
  };
}

/** CPU (user and system) this process used since `since`, in µs. */
function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const kinds: AgentKind[] = AGENT_KIND === 'both' ? ['simulator', 'snmpd'] : [AGENT_KIND];
  // The scheduled cycles run against the first kind.
  console.log(`bench:poller — ${fmt(DEVICES)} devices over ${AGENTS} ports of ${kinds.join(' and of ')} agents on 127.0.0.1 (${fmt(DEVICES / AGENTS)} devices per port), engine ${ENGINE}`);
  const { app, ds, close } = await benchApp(ENGINE, { POLLER_IN_PROCESS: 'false' });
  const running: Agents[] = [];
  try {
    const seeding = await seedFleet(app, ds, DEVICES, INTERVAL);
    console.log(`fleet seeded in ${fmt(seeding, 1)} s`);
    if (MONITORED > 0) {
      // Listed already, as the agents list them (the fleet's steady state after its first hour: a
      // poller that starts lists every device again within the hour, and finds nothing changed),
      // interfaces 1…N marked monitored.
      const [, listing] = await timed(() =>
        ds.query(
          `INSERT INTO device_interface (id, device_id, if_index, name, descr, type, speed_mbps, admin_status, oper_status, monitored, first_seen_at, last_seen_at)
           SELECT gen_random_uuid(), d.id, k, 'port' || k, 'Simulated interface port' || k, 'ethernetCsmacd', 1000, 'up', 'up', true, now(), now() FROM device d, generate_series(1, $1) k`,
          [MONITORED],
        ),
      );
      console.log(`${fmt(DEVICES * MONITORED)} monitored interfaces (${MONITORED} per device) in ${fmt(listing, 1)} s`);
    }

    const store = new PollingStore(ds, app.get(SecretBox), app.get(DevicesService));
    const metrics = new PollingMetrics();
    const poller = new Poller(store, metrics, { group: 'default', sockets: 4, maxInFlight: IN_FLIGHT, flushEveryMs: 1000 });
    const writes = async () => (await metrics.ledgerWrites.get()).values[0]?.value ?? 0;
    const polls = (result: 'ok' | 'failed') => pollsCounted(metrics, result);

    if (process.env.ONLY === 'scheduled') {
      const agents = await startAgents(kinds[0], AGENTS);
      running.push(agents);
      await pointPollerAt(ds, poller, agents.ports);
      await poller.pollAll();
      await profileScheduled(poller);
      return;
    }

    // Bursts against each kind of agent; the first kind's agents stay up for the scheduled cycles.
    const figures: BurstFigures[] = [];
    let scheduledAgents: Agents | undefined;
    for (const kind of [...kinds].reverse()) {
      const agents = await startAgents(kind, AGENTS);
      running.push(agents);
      figures.unshift(await bursts(kind, agents, ds, poller, metrics));
      if (kind === kinds[0]) scheduledAgents = agents;
      else agents.stop();
      const mem = process.memoryUsage();
      console.log(`[${kind}] after the bursts: heap ${fmt(mem.heapUsed / 2 ** 20)} MiB, rss ${fmt(mem.rss / 2 ** 20)} MiB`);
    }
    if (process.env.ONLY === 'burst') {
      printBurstTable(figures);
      return;
    }
    const agents = scheduledAgents!;
    const writesBefore = await writes();

    // Scheduled polling: CYCLES intervals, measured from the moment the scheduler runs.
    const [, starting] = await timed(() => poller.start());
    console.log(`\nscheduler started in ${fmt(starting, 2)} s (its devices were loaded by the bursts)`);
    const stopProfile = await cpuProfile('scheduled');
    const before = { cpu: process.cpuUsage(), agentCpu: await agents.cpuSeconds(), ok: await polls('ok'), failed: await polls('failed'), writes: await writes(), at: performance.now() };
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 1000);
    await new Promise((r) => setTimeout(r, CYCLES * INTERVAL * 1000));
    clearInterval(sampler);
    const wall = (performance.now() - before.at) / 1000;
    const cpu = process.cpuUsage(before.cpu);
    await stopProfile();
    const agentCpu = (await agents.cpuSeconds()) - before.agentCpu;
    const [{ count, sum, within: within100 }, { within: within1000 }] = await Promise.all([latenessSoFar(metrics, 0.1), latenessSoFar(metrics, 1)]);
    const missed = (await metrics.missed.get()).values[0]?.value ?? 0;
    const stats = poller.client.stats();
    const scheduledOk = (await polls('ok')) - before.ok;
    const scheduledFailed = (await polls('failed')) - before.failed;
    const scheduledWrites = (await writes()) - before.writes;
    const [{ n: points }] = await ds.query(`SELECT count(*)::int AS n FROM traffic_5m`);
    const slots = (await ds.query(`SELECT count(DISTINCT at)::int AS n FROM traffic_5m`))[0].n as number;
    await poller.stop();

    const cpuShare = (cpu.user + cpu.system) / 1e6 / wall;
    console.log(`scheduled, ${CYCLES} cycles of ${INTERVAL} s (${fmt(wall, 1)} s) against the ${kinds[0]} agents:`);
    console.log(`  polls ${fmt(scheduledOk)} ok, ${fmt(scheduledFailed)} failed (expected about ${fmt(DEVICES * CYCLES)}); cycles missed ${fmt(missed)}`);
    console.log(`  lateness: mean ${fmt((sum / Math.max(count, 1)) * 1000, 1)} ms; ${fmt((within100 / Math.max(count, 1)) * 100, 2)}% within 100 ms, ${fmt((within1000 / Math.max(count, 1)) * 100, 2)}% within 1 s`);
    console.log(`  poller CPU ${fmt(cpuShare * 100, 1)}% of one core (this process, database included); agents ${fmt((agentCpu / wall) * 100, 1)}%`);
    console.log(`  max RSS ${fmt(maxRss / 2 ** 20)} MiB; UDP sockets ${stats.sockets}; SNMP sessions cached ${fmt(stats.sessions)}`);
    console.log(`  database rows written: ${fmt(writesBefore)} during the bursts (each device's first state and monitoring span), ${fmt(scheduledWrites)} while scheduled (for ${fmt(scheduledOk + scheduledFailed)} polls)`);
    if (MONITORED > 0) console.log(`  traffic points: ${fmt(points)} in ${slots} closed 5-minute slot(s) = ${fmt(points / Math.max(slots, 1))} per slot for ${fmt(DEVICES * MONITORED)} interfaces (not one per poll: ${fmt(scheduledOk)} polls)`);

    printBurstTable(figures);
    console.log(`| scheduled, poller CPU${MONITORED ? ` (${MONITORED} monitored interfaces per device)` : ''} | ${fmt(cpuShare * 100, 1)}% of a core | ${MONITORED ? '< 40%' : '< 30%'} | |`);
    console.log(`| scheduled, missed cycles | ${fmt(missed)} | 0 | |`);
  } finally {
    for (const agents of running) agents.stop();
    await close();
  }
}

function printBurstTable(figures: BurstFigures[]): void {
  console.log('\n| what | figure | bar | ratio |');
  console.log('|---|---|---|---|');
  for (const f of figures) {
    console.log(`| ${f.kind}: burst, poller vs bare net-snmp | ${fmt(f.oursRate)} vs ${fmt(f.bareRate)} /s | ≥ 0.5 | ${fmt(f.oursRate / f.bareRate, 2)} |`);
    console.log(`| ${f.kind}: burst, poller vs one snmpget process per request | ${fmt(f.oursRate)} vs ${fmt(f.snmpgetRate)} /s | ≥ 40 | ${fmt(f.oursRate / f.snmpgetRate, 1)} |`);
  }
}

/**
 * With CPU_PROFILE=prefix, profiles the second burst against each kind of agent into
 * prefix.<kind>.cpuprofile; with ALLOC_PROFILE=prefix, samples its allocations into
 * prefix.<kind>.heapprofile (both open in Chrome's DevTools).
 */
async function cpuProfile(name: string): Promise<() => Promise<void>> {
  const cpu = process.env.CPU_PROFILE;
  const alloc = process.env.ALLOC_PROFILE;
  if (!cpu && !alloc) return async () => undefined;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) => new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  if (cpu) {
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  if (alloc) {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 4096 });
  }
  return async () => {
    if (cpu) {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(`${cpu}.${name}.cpuprofile`, JSON.stringify(profile));
    }
    if (alloc) {
      const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: object };
      writeFileSync(`${alloc}.${name}.heapprofile`, JSON.stringify(profile));
    }
    session.disconnect();
    console.log(`[${name}] profiles written`);
  };
}

/** ONLY=scheduled (for profiling): one burst to warm the states, then the scheduler alone for one interval. */
async function profileScheduled(poller: Poller): Promise<void> {
  await poller.start();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, INTERVAL * 1000));
  const used = process.cpuUsage(cpu);
  console.log(`scheduler alone: ${fmt(((used.user + used.system) / 1e3 / (performance.now() - t0)) * 100, 1)}% of one core`);
  await poller.stop();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
