/**
 * bench:poller — the SNMP poller against simulated agents on 127.0.0.1, with the two ways to
 * compare it to, measured in the same run:
 *   - bare net-snmp: one session per agent, GETs of the same OIDs kept in flight, nothing else;
 *   - one `snmpget` process per request (the LibreNMS way), two at a time (two cores).
 * Then the scheduler polls the fleet at its interval for a few cycles: the poller's CPU (this
 * process, database included; the agents run in another), lateness, missed cycles, memory,
 * sockets and database writes.
 *
 * Environment (all bounded): DEVICES (100000), AGENTS (100), INTERVAL (60 s), CYCLES (2),
 * SNMPGET_SAMPLE (300), ENGINE (pglite | postgres), AGENT_KIND (simulator | snmpd): the agents are
 * the test simulator (net-snmp's agent, in a Node process) or one Debian snmpd listening on AGENTS
 * ports. On two cores the agents take one: near 100% of it, they set the pace of both bursts.
 */
import { execFile, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as snmp from 'net-snmp';
import { AdministrativeUnitsService, DevicesService, EVERYWHERE } from '@app/inventory';
import { Poller, PollingMetrics, PollingStore, SecretBox } from '@app/polling';
import { OID } from '@app/snmp';
import { freeUdpPort } from '../test/support/snmpd';
import { benchApp, timed } from './support';

const DEVICES = Number(process.env.DEVICES ?? 100_000);
const AGENTS = Number(process.env.AGENTS ?? 100);
const INTERVAL = Number(process.env.INTERVAL ?? 60);
const CYCLES = Math.min(Number(process.env.CYCLES ?? 2), 10);
const SNMPGET_SAMPLE = Math.min(Number(process.env.SNMPGET_SAMPLE ?? 300), 5000);
const ENGINE = process.env.ENGINE ?? 'pglite';
const IN_FLIGHT = 600;
const AGENT_KIND = process.env.AGENT_KIND === 'snmpd' ? 'snmpd' : 'simulator';
/** The OIDs a poll asks for (a device with no WAN link interface). */
const OIDS = [OID.sysUpTime, OID.sysName, OID.sysDescr, OID.sysObjectID, OID.hrSystemUptime, OID.snmpEngineBoots, OID.snmpEngineTime];

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

interface Agents {
  ports: number[];
  stop: () => void;
  cpuSeconds: () => Promise<number>;
}

function startAgents(): Promise<Agents> {
  return AGENT_KIND === 'snmpd' ? startSnmpdAgents() : startSimulatedAgents();
}

/** One snmpd answering community "public" on AGENTS ports of 127.0.0.1. */
async function startSnmpdAgents(): Promise<Agents> {
  const ports: number[] = [];
  while (ports.length < AGENTS) {
    const port = await freeUdpPort();
    if (!ports.includes(port)) ports.push(port);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hatang-bench-snmpd-'));
  writeFileSync(join(dir, 'snmpd.conf'), [`agentaddress ${ports.map((p) => `udp:127.0.0.1:${p}`).join(',')}`, 'rocommunity public 127.0.0.1', 'sysName bench', ''].join('\n'));
  const child = spawn('/usr/sbin/snmpd', ['-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-r', '-M', '/nonexistent'], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: join(dir, 'persist'), MIBS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 10_000;
  while (!/NET-SNMP version/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`snmpd did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const cpuSeconds = () => {
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second).
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Promise.resolve((Number(fields[11]) + Number(fields[12])) / 100);
  };
  return { ports, cpuSeconds, stop: () => child.kill('SIGTERM') };
}

async function startSimulatedAgents(): Promise<Agents> {
  const child = fork(join(__dirname, 'agents.ts'), [String(AGENTS)], { execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve(JSON.parse(line).ports);
    });
    child.once('exit', (code) => reject(new Error(`agents exited ${code}`)));
    setTimeout(() => reject(new Error('agents did not start in 60 s')), 60_000).unref();
  });
  const cpuSeconds = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve((m.cpu.user + m.cpu.system) / 1e6));
      child.send('cpu');
    });
  return { ports, stop: () => child.kill('SIGTERM'), cpuSeconds };
}

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

async function main(): Promise<void> {
  console.log(`bench:poller — ${fmt(DEVICES)} devices over ${AGENTS} ${AGENT_KIND === 'snmpd' ? 'snmpd ports' : 'simulated agents'} on 127.0.0.1 (${fmt(DEVICES / AGENTS)} per port), engine ${ENGINE}`);
  const agents = await startAgents();
  const { app, ds, close } = await benchApp(ENGINE, { POLLER_IN_PROCESS: 'false' });
  try {
    // The fleet: one agency, DEVICES devices, each with a v2c profile pointing at one of the agents.
    await app.get(AdministrativeUnitsService).importOfficialList(JSON.parse(readFileSync(join(__dirname, '../test/fixtures/dvhcvn-small.json'), 'utf8')), { actor: 'bench', source: 'cli', scope: EVERYWHERE });
    await ds.query(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id) SELECT 'BENCH', 'Bench agency', 'provincial_department', 'general', id FROM administrative_unit WHERE code = '52'`);
    const sealed = app.get(SecretBox).seal('public');
    const [, seeding] = await timed(async () => {
      await ds.query(`INSERT INTO device (agency_id, kind, status, commissioned_on, management_address, name, serial_number)
        SELECT a.id, 'router', 'active', '2024-01-01', '127.0.0.1', 'bench-' || g, 'BENCH-' || g FROM agency a, generate_series(1, $1) g WHERE a.code = 'BENCH'`, [DEVICES]);
      await ds.query(`INSERT INTO snmp_profile (device_id, version, community_secret, port, timeout_ms, retries, interval_seconds)
        SELECT d.id, '2c', $1, ($2::int[])[1 + (row_number() OVER (ORDER BY d.id))::int % $3], 5000, 1, $4 FROM device d`, [sealed, agents.ports, AGENTS, INTERVAL]);
    });
    console.log(`fleet seeded in ${fmt(seeding, 1)} s`);

    // Warm the agents (first requests pay for JIT on both sides).
    await bareNetSnmp(agents.ports, Math.min(DEVICES, 5000));
    const onlyScheduled = process.env.ONLY === 'scheduled';

    const agentsBefore = await agents.cpuSeconds();
    const bare = await bareNetSnmp(agents.ports, DEVICES);
    const bareRate = bare.ok / bare.seconds;
    const bareAgents = ((await agents.cpuSeconds()) - agentsBefore) / bare.seconds;
    // The agents share the machine: near 100% of a core, they, not the client, set the pace.
    console.log(`bare net-snmp:     ${fmt(bare.ok)} GETs ok of ${fmt(DEVICES)} in ${fmt(bare.seconds, 2)} s = ${fmt(bareRate)} /s (agents ${fmt(bareAgents * 100)}% of a core)`);

    const store = new PollingStore(ds, app.get(SecretBox), app.get(DevicesService));
    const metrics = new PollingMetrics();
    const poller = new Poller(store, metrics, { group: 'default', sockets: 4, maxInFlight: IN_FLIGHT, flushEveryMs: 1000 });
    await poller.reload();
    const writes = async () => (await metrics.ledgerWrites.get()).values[0]?.value ?? 0;
    const polls = async (result: string) => (await metrics.polls.get()).values.find((v) => v.labels.result === result)?.value ?? 0;

    if (process.env.ONLY === 'burst') {
      await poller.pollAll();
      const before = await agents.cpuSeconds();
      const [, again] = await timed(() => poller.pollAll());
      console.log(`agents ${fmt((((await agents.cpuSeconds()) - before) / again) * 100)}% of a core during the burst`);
      const mem = process.memoryUsage();
      console.log(`burst alone: ${fmt(DEVICES / again)} polls/s; heap ${fmt(mem.heapUsed / 2 ** 20)} MiB, rss ${fmt(mem.rss / 2 ** 20)} MiB, external ${fmt(mem.external / 2 ** 20)} MiB`);
      return;
    }
    if (onlyScheduled) {
      await poller.pollAll();
      await profileScheduled(poller);
      return;
    }
    const [, burst1] = await timed(() => poller.pollAll());
    const writesFirst = await writes();
    const agentsBurst = await agents.cpuSeconds();
    const [, burst2] = await timed(() => poller.pollAll());
    console.log(`                   agents ${fmt((((await agents.cpuSeconds()) - agentsBurst) / burst2) * 100)}% of a core during the second burst`);
    const writesSecond = (await writes()) - writesFirst;
    const ours = { seconds: Math.min(burst1, burst2), ok: (await polls('ok')) / 2 };
    const oursRate = DEVICES / ours.seconds;
    console.log(`poller, burst:     first ${fmt(burst1, 2)} s (${fmt(writesFirst)} rows written: each device's first state and monitoring span), again ${fmt(burst2, 2)} s (${fmt(writesSecond)} rows written)`);
    console.log(`                   ${fmt(oursRate)} polls/s, ${fmt(await polls('failed'))} failed of ${fmt(2 * DEVICES)}`);

    const sample = await snmpgetProcesses(agents.ports, SNMPGET_SAMPLE);
    const snmpgetRate = sample.ok / sample.seconds;
    console.log(`snmpget processes: ${fmt(sample.ok)} of ${fmt(SNMPGET_SAMPLE)} in ${fmt(sample.seconds, 2)} s = ${fmt(snmpgetRate)} /s (two at a time)`);

    // Scheduled polling: CYCLES intervals, measured from the moment the scheduler runs.
    const [, starting] = await timed(() => poller.start());
    console.log(`scheduler started in ${fmt(starting, 2)} s (its devices were loaded by the bursts)`);
    const before = { cpu: process.cpuUsage(), agentCpu: await agents.cpuSeconds(), ok: await polls('ok'), failed: await polls('failed'), writes: await writes(), at: performance.now() };
    let maxRss = 0;
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 1000);
    await new Promise((r) => setTimeout(r, CYCLES * INTERVAL * 1000));
    clearInterval(sampler);
    const wall = (performance.now() - before.at) / 1000;
    const cpu = process.cpuUsage(before.cpu);
    const agentCpu = (await agents.cpuSeconds()) - before.agentCpu;
    const lateness = (await metrics.lateness.get()).values;
    const count = lateness.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
    const sum = lateness.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;
    const within = (le: number) => lateness.find((v) => v.metricName?.endsWith('_bucket') && v.labels.le === le)?.value ?? 0;
    const missed = (await metrics.missed.get()).values[0]?.value ?? 0;
    const stats = poller.client.stats();
    const scheduledOk = (await polls('ok')) - before.ok;
    const scheduledFailed = (await polls('failed')) - before.failed;
    const scheduledWrites = (await writes()) - before.writes;
    await poller.stop();

    const cpuShare = (cpu.user + cpu.system) / 1e6 / wall;
    console.log(`\nscheduled, ${CYCLES} cycles of ${INTERVAL} s (${fmt(wall, 1)} s):`);
    console.log(`  polls ${fmt(scheduledOk)} ok, ${fmt(scheduledFailed)} failed (expected about ${fmt(DEVICES * CYCLES)}); cycles missed ${fmt(missed)}`);
    console.log(`  lateness: mean ${fmt((sum / Math.max(count, 1)) * 1000, 1)} ms; ${fmt((within(0.1) / Math.max(count, 1)) * 100, 2)}% within 100 ms, ${fmt((within(1) / Math.max(count, 1)) * 100, 2)}% within 1 s`);
    console.log(`  poller CPU ${fmt(cpuShare * 100, 1)}% of one core (this process, database included); agents ${fmt((agentCpu / wall) * 100, 1)}%`);
    console.log(`  max RSS ${fmt(maxRss / 2 ** 20)} MiB; UDP sockets ${stats.sockets}; SNMP sessions cached ${fmt(stats.sessions)}`);
    console.log(`  database rows written while polling: ${fmt(scheduledWrites)} (for ${fmt(scheduledOk + scheduledFailed)} polls)`);

    console.log('\n| what | figure | bar | ratio |');
    console.log('|---|---|---|---|');
    console.log(`| burst, poller vs bare net-snmp | ${fmt(oursRate)} vs ${fmt(bareRate)} /s | ≥ 0.5 | ${fmt(oursRate / bareRate, 2)} |`);
    console.log(`| burst, poller vs one snmpget process per request | ${fmt(oursRate)} vs ${fmt(snmpgetRate)} /s | ≥ 40 | ${fmt(oursRate / snmpgetRate, 1)} |`);
    console.log(`| scheduled, poller CPU | ${fmt(cpuShare * 100, 1)}% of a core | < 30% | |`);
    console.log(`| scheduled, missed cycles | ${fmt(missed)} | 0 | |`);
  } finally {
    agents.stop();
    await close();
  }
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
