/**
 * bench:alerts — a fleet polled at its interval, a rule for every device, and DOWN of its devices
 * going down at once (their agents stop answering); then coming back. Measured:
 *   - when the poller has recorded every one of them down, and from then until every notice is
 *     handed to the SMTP server and the webhook receiver (the goal: under 30 s), and the same for
 *     the recovery notices;
 *   - duplicates (each notice carries its delivery id; the receivers count distinct ids);
 *   - the poller's cycle meanwhile: lateness and missed cycles during the storm against a quiet
 *     interval before it, and the CPU of this process (poller, evaluator, sender, database client);
 *   - the baseline, in the same run: the same number of e-mails and webhooks sent straight from
 *     this process with the same transport and concurrency, nothing stored (the outbox's cost is
 *     the ratio).
 * The agents (net-snmp's agent) and the receivers run in child processes.
 *
 * Environment (all bounded): DEVICES (100000), DOWN (5000), RULES (1000: one per agency, each
 * agency holding DEVICES / RULES devices), AGENTS (100), INTERVAL (60 s), ENGINE (postgres | pglite),
 * EVALUATE (ALERTS_EVALUATE_SECONDS, 15).
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createTransport } from 'nodemailer';
import { AlertsService } from '@app/alerting';
import { DevicesService, EVERYWHERE } from '@app/inventory';
import { Poller, PollingMetrics, PollingStore, SecretBox } from '@app/polling';
import { fmt, latenessSoFar, pointFleetAt, seedFleet, startAgents } from './fleet';
import { benchApp, timed } from './support';

const DEVICES = Math.min(Number(process.env.DEVICES ?? 100_000), 200_000);
const AGENTS = Math.min(Number(process.env.AGENTS ?? 100), 500);
const DOWN = Math.min(Number(process.env.DOWN ?? 5000), DEVICES);
const RULES = Math.min(Number(process.env.RULES ?? 1000), 10_000);
const INTERVAL = Number(process.env.INTERVAL ?? 60);
const ENGINE = process.env.ENGINE ?? 'postgres';
const EVALUATE = process.env.EVALUATE ?? '15';
/** No wait below is longer than this. */
const DEADLINE_MS = (INTERVAL + 120) * 1000;

interface Counts {
  mails: { n: number; unique: number; last: number };
  hooks: { n: number; unique: number; last: number };
  cpu: NodeJS.CpuUsage;
}

async function startReceivers(): Promise<{ smtp: number; http: number; counts: () => Promise<Counts>; stop: () => void }> {
  const child = fork(join(__dirname, 'receivers.ts'), [], { execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const ports = await new Promise<{ smtp: number; http: number }>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
    });
    child.once('exit', (code) => reject(new Error(`receivers exited ${code}`)));
  });
  const counts = () =>
    new Promise<Counts>((resolve) => {
      child.once('message', (m) => resolve(m as Counts));
      child.send('counts');
    });
  return { ...ports, counts, stop: () => child.kill('SIGTERM') };
}

async function until(what: string, probe: () => Promise<boolean>, deadlineMs = DEADLINE_MS): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await probe()) return performance.now();
    if (performance.now() - t0 > deadlineMs) throw new Error(`bench:alerts: ${what} did not happen within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The baseline: `n` e-mails and `n` webhooks sent straight, 20 at a time, with the outbox's transport settings. */
async function sendStraight(smtpPort: number, httpPort: number, n: number): Promise<number> {
  const transport = createTransport(`smtp://127.0.0.1:${smtpPort}?pool=true&maxConnections=5&maxMessages=1000`);
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      await transport.sendMail({ from: 'Hatang <hatang@localhost>', to: 'netadmin@example.gov.vn', subject: `[Hatang] SỰ CỐ: baseline ${i}`, text: 'Thiết bị mất kết nối', headers: { 'X-Hatang-Delivery': `baseline-${i}` } });
      const res = await fetch(`http://127.0.0.1:${httpPort}/hook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hatang-delivery': `baseline-${i}` }, body: JSON.stringify({ event: 'open', i }) });
      await res.text();
    }
  };
  await Promise.all(Array.from({ length: 20 }, worker));
  transport.close();
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  console.log(`bench:alerts — ${fmt(DEVICES)} devices polled every ${INTERVAL} s over ${AGENTS} simulated agents, ${fmt(RULES)} rules (device down, 0 minutes; e-mail and webhook), ${fmt(DOWN)} devices going down at once; engine ${ENGINE}, evaluation every ${EVALUATE} s`);
  const receivers = await startReceivers();
  const { app, ds, close } = await benchApp(ENGINE, {
    POLLER_IN_PROCESS: 'false',
    SMTP_URL: `smtp://127.0.0.1:${receivers.smtp}`,
    ALERTS_EVALUATE_SECONDS: EVALUATE,
    ALERTS_RETRY_SECONDS: '5',
  });
  const agents = await startAgents('simulator', AGENTS);
  try {
    const seeding = await seedFleet(app, ds, DEVICES, INTERVAL);
    // RULES agencies, the devices spread over them; a rule per agency naming both channels.
    await ds.query(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id)
      SELECT 'BENCH-' || g, 'Cơ quan ' || g, 'provincial_department', 'general', (SELECT id FROM administrative_unit WHERE code = '52') FROM generate_series(1, $1) g`, [RULES]);
    await ds.query(`UPDATE device d SET agency_id = a.id FROM (SELECT id, row_number() OVER (ORDER BY id) AS k FROM device) n, agency a
      WHERE n.id = d.id AND a.code = 'BENCH-' || (1 + n.k % $1)`, [RULES]);
    await pointFleetAt(ds, agents.ports);
    const alerts = app.get(AlertsService);
    const ctx = { actor: 'bench', source: 'cli' as const, scope: EVERYWHERE };
    const email = await alerts.createChannel({ name: 'Quản trị mạng', kind: 'email', recipients: ['netadmin@example.gov.vn'] }, ctx);
    const hook = await alerts.createChannel({ name: 'Webhook', kind: 'webhook', url: `http://127.0.0.1:${receivers.http}/hook`, secret: 'bench-secret-0123456789' }, ctx);
    const agencies: Array<{ id: string }> = await ds.query(`SELECT id FROM agency WHERE code LIKE 'BENCH-%' ORDER BY code`);
    const [, ruling] = await timed(async () => {
      for (const a of agencies) await alerts.createRule({ name: `Mất kết nối ${a.id.slice(0, 8)}`, kind: 'device_down', minutes: 0, agencyId: a.id, channelIds: [email.id, hook.id] }, ctx);
    });
    console.log(`fleet seeded in ${fmt(seeding, 1)} s; ${fmt(agencies.length)} rules made through the API's service in ${fmt(ruling, 1)} s`);

    // Baseline, in this run: the same number of notices sent straight, nothing stored.
    const straight = await sendStraight(receivers.smtp, receivers.http, DOWN);
    const afterBaseline = await receivers.counts();
    console.log(`baseline: ${fmt(DOWN)} e-mails and ${fmt(DOWN)} webhooks sent straight in ${fmt(straight, 2)} s`);

    const store = new PollingStore(ds, app.get(SecretBox), app.get(DevicesService));
    const metrics = new PollingMetrics();
    const poller = new Poller(store, metrics, { group: 'default', sockets: 4, maxInFlight: 600, flushEveryMs: 1000 });
    await poller.reload(true);
    const [, burst] = await timed(() => poller.pollAll());
    const [{ up }] = (await ds.query(`SELECT count(*) FILTER (WHERE state = 'up')::int AS up FROM device_poll_state`)) as Array<{ up: number }>;
    console.log(`every device polled once in ${fmt(burst, 1)} s: ${fmt(up)} up`);
    await poller.start();

    // A quiet interval first: the poller's lateness and CPU without alerts.
    const quiet0 = { lateness: await latenessSoFar(metrics, 1), missed: (await metrics.missed.get()).values[0]?.value ?? 0, cpu: process.cpuUsage(), at: performance.now() };
    await new Promise((r) => setTimeout(r, INTERVAL * 1000));
    const quiet = window(quiet0, await latenessSoFar(metrics, 1), (await metrics.missed.get()).values[0]?.value ?? 0, process.cpuUsage(quiet0.cpu), performance.now());

    // The storm: DOWN devices' agents stop answering (each agent serves DEVICES / AGENTS devices).
    const perAgent = DEVICES / AGENTS;
    const downAgents = Array.from({ length: Math.ceil(DOWN / perAgent) }, (_, i) => i);
    const downIds = new Set((await ds.query(`SELECT device_id AS id FROM snmp_profile WHERE port = ANY($1::int[])`, [downAgents.map((i) => agents.ports[i])])).map((r: { id: string }) => r.id));
    const expected = downIds.size;
    const storm0 = { lateness: await latenessSoFar(metrics, 1), missed: (await metrics.missed.get()).values[0]?.value ?? 0, cpu: process.cpuUsage(), at: performance.now() };
    await agents.set!({ down: downAgents });
    const silentAt = performance.now();
    const downCount = async () => Number(((await ds.query(`SELECT count(*) AS n FROM device_poll_state WHERE state = 'down'`)) as Array<{ n: string }>)[0].n);
    const recordedAt = await until('every device recorded down', async () => (await downCount()) >= expected);
    const openedAt = await until('every incident opened', async () => Number((await ds.query(`SELECT count(*) AS n FROM alert_incident WHERE resolved_at IS NULL`))[0].n) >= expected);
    const target = { mails: afterBaseline.mails.n + expected, hooks: afterBaseline.hooks.n + expected };
    const handedAt = await until('every notice handed over', async () => {
      const c = await receivers.counts();
      return c.mails.n >= target.mails && c.hooks.n >= target.hooks;
    });
    // Each notice's wait from stored to handed over (database clock).
    const [waits] = (await ds.query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY w) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY w) AS p99, max(w) AS max, count(*)::int AS sent, max(attempts)::int AS "maxAttempts"
         FROM (SELECT EXTRACT(EPOCH FROM sent_at - created_at)::float8 AS w, attempts FROM alert_delivery WHERE event = 'open' AND status = 'sent') x`,
    )) as Array<{ p50: number; p99: number; max: number; sent: number; maxAttempts: number }>;
    const storm = window(storm0, await latenessSoFar(metrics, 1), (await metrics.missed.get()).values[0]?.value ?? 0, process.cpuUsage(storm0.cpu), performance.now());
    await new Promise((r) => setTimeout(r, 3000));
    const afterStorm = await receivers.counts();

    // Back: every one answers again; one recovery notice each.
    await agents.set!({ up: downAgents });
    const backAt = performance.now();
    const upAgainAt = await until('every device recorded up', async () => (await downCount()) === 0);
    const recoveredAt = await until('every recovery handed over', async () => {
      const c = await receivers.counts();
      return c.mails.n >= target.mails + expected && c.hooks.n >= target.hooks + expected;
    });
    await new Promise((r) => setTimeout(r, 3000));
    const end = await receivers.counts();
    await poller.stop();

    // The outbox's own pace, against the baseline: a backlog of DOWN notices on each channel stored
    // at once (a reminder for every incident of the storm), sent by the running API.
    const backlog = await receivers.counts();
    const drain0 = performance.now();
    await ds.query(
      `INSERT INTO alert_delivery (incident_id, channel_id, event, seq, next_attempt_at, message)
       SELECT i.id, c.id, 'reminder', 1, now(), jsonb_build_object('subject', '[Hatang] NHẮC LẠI (lần 1): ' || i.summary, 'text', i.summary, 'payload', jsonb_build_object('event', 'reminder', 'text', i.summary))
         FROM alert_incident i CROSS JOIN alert_channel c`,
    );
    const drainedAt = await until('the backlog sent', async () => {
      const c = await receivers.counts();
      return c.mails.n - backlog.mails.n >= expected && c.hooks.n - backlog.hooks.n >= expected;
    });
    const drain = (drainedAt - drain0) / 1000;

    const dup = (c: Counts['mails'], base: Counts['mails']) => c.n - base.n - (c.unique - base.unique);
    const s = (ms: number) => fmt(ms / 1000, 1);
    console.log(`\nstorm: ${fmt(expected)} devices went silent`);
    console.log(`  recorded down by the poller after ${s(recordedAt - silentAt)} s (an interval of ${INTERVAL} s and a 5 s timeout, one retry: the poller's detection, not alerting)`);
    console.log(`  incidents open ${s(openedAt - recordedAt)} s after that; every notice handed over ${s(handedAt - recordedAt)} s after it (${s(handedAt - silentAt)} s after the agents went silent)`);
    console.log(`  e-mails ${fmt(afterStorm.mails.n - afterBaseline.mails.n)} (${fmt(dup(afterStorm.mails, afterBaseline.mails))} duplicate), webhooks ${fmt(afterStorm.hooks.n - afterBaseline.hooks.n)} (${fmt(dup(afterStorm.hooks, afterBaseline.hooks))} duplicate), for ${fmt(expected)} incidents`);
    console.log(`  each notice's wait from stored to handed over: median ${fmt(waits.p50, 2)} s, 99th percentile ${fmt(waits.p99, 2)} s, at most ${fmt(waits.max, 2)} s (${fmt(waits.sent)} notices, at most ${waits.maxAttempts} attempt each)`);
    console.log(`backlog: ${fmt(2 * expected)} notices stored at once, all handed over in ${fmt(drain, 2)} s (${fmt((2 * expected) / drain)} /s), against ${fmt(straight, 2)} s sent straight`);
    console.log(`recovery: recorded up ${s(upAgainAt - backAt)} s after the agents answered; every recovery notice handed over ${s(recoveredAt - upAgainAt)} s after that`);
    console.log(`  e-mails ${fmt(end.mails.n - afterStorm.mails.n)}, webhooks ${fmt(end.hooks.n - afterStorm.hooks.n)}; duplicates over the whole run: ${fmt(dup(end.mails, afterBaseline.mails))} e-mails, ${fmt(dup(end.hooks, afterBaseline.hooks))} webhooks`);
    for (const [name, w] of [['quiet interval', quiet], ['storm', storm]] as const) {
      console.log(`poller, ${name} (${fmt(w.seconds, 0)} s): mean lateness ${fmt(w.meanMs, 1)} ms, ${fmt(w.withinPercent, 2)}% of polls within 1 s, cycles missed ${fmt(w.missed)}; this process ${fmt(w.cpuPercent, 1)}% of a core`);
    }
    const delivery = (handedAt - recordedAt) / 1000;
    console.log('\n| what | figure | bar | ratio |');
    console.log('|---|---|---|---|');
    console.log(`| ${fmt(expected)} down → every notice handed over (from the poller's record) | ${fmt(delivery, 1)} s | < 30 s | |`);
    console.log(`| the same from the agents going silent | ${s(handedAt - silentAt)} s | | |`);
    console.log(`| a backlog of ${fmt(2 * expected)} notices sent through the outbox vs straight (baseline, nothing stored) | ${fmt(drain, 2)} s vs ${fmt(straight, 2)} s | | ${fmt(drain / straight, 2)} |`);
    console.log(`| each notice's wait, stored → handed over: median / 99th percentile / max | ${fmt(waits.p50, 2)} / ${fmt(waits.p99, 2)} / ${fmt(waits.max, 2)} s | | |`);
    console.log(`| duplicates | ${fmt(dup(end.mails, afterBaseline.mails) + dup(end.hooks, afterBaseline.hooks))} | 0 | |`);
    console.log(`| poller lateness, storm vs quiet | ${fmt(storm.meanMs, 1)} vs ${fmt(quiet.meanMs, 1)} ms | | ${fmt(storm.meanMs / Math.max(quiet.meanMs, 0.001), 2)} |`);
    console.log(`| poller cycles missed during the storm | ${fmt(storm.missed)} | 0 | |`);
  } finally {
    agents.stop();
    receivers.stop();
    await close();
  }
}

function window(
  before: { lateness: { count: number; sum: number; within: number }; missed: number; at: number },
  lateness: { count: number; sum: number; within: number },
  missed: number,
  cpu: NodeJS.CpuUsage,
  at: number,
): { seconds: number; meanMs: number; withinPercent: number; missed: number; cpuPercent: number } {
  const seconds = (at - before.at) / 1000;
  const count = lateness.count - before.lateness.count;
  return {
    seconds,
    meanMs: ((lateness.sum - before.lateness.sum) / Math.max(count, 1)) * 1000,
    withinPercent: ((lateness.within - before.lateness.within) / Math.max(count, 1)) * 100,
    missed: missed - before.missed,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
