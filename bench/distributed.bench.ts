/**
 * bench:distributed — the BullMQ poller (distributed mode: a job per bucket of devices per
 * interval, each device's state in Redis) against the in-process scheduler on the same fleet, measured in the
 * same run: polls done against those due, this process's CPU per poll, Redis's CPU, lateness, and
 * how long a worker takes to set up the fleet's job schedulers.
 *
 * Each mode polls one interval to warm up (first polls, sessions, the state's first trip to Redis),
 * then CYCLES intervals are measured. Agents: the test simulator in a child process.
 *
 * Environment (all bounded): DEVICES (20000, at most 200,000), AGENTS (50), INTERVAL (20 s),
 * CYCLES (2, at most 10), ENGINE (postgres | pglite), REDIS_URL (redis://127.0.0.1:6379).
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { DevicesService } from '@app/inventory';
import { DistributedPoller, Poller, PollingMetrics, PollingStore, SecretBox } from '@app/polling';
import { fmt, latenessSoFar, pointFleetAt, pollsCounted, seedFleet, startAgents } from './fleet';
import { benchApp } from './support';

const DEVICES = Math.min(Number(process.env.DEVICES ?? 20_000), 200_000);
const AGENTS = Number(process.env.AGENTS ?? 50);
const INTERVAL = Number(process.env.INTERVAL ?? 20);
const CYCLES = Math.min(Number(process.env.CYCLES ?? 2), 10);
const ENGINE = process.env.ENGINE ?? 'postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GROUP = 'bench';
const PREFIX = `hatang-bench-${process.pid}`;
const IN_FLIGHT = 600;

interface Figures {
  polls: number;
  failed: number;
  cpuShare: number;
  redisShare: number;
  latenessMs: number;
  withinOneSecond: number;
  skipped: number;
}

/** Redis's own CPU (user and system), in seconds. */
async function redisCpu(redis: IORedis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_cpu_sys') + field('used_cpu_user');
}

/** Waits one interval (warm-up), then measures CYCLES intervals of whichever poller runs. */
async function measure(metrics: PollingMetrics, redis: IORedis): Promise<Figures> {
  await new Promise((r) => setTimeout(r, INTERVAL * 1000));
  const count = (result: 'ok' | 'failed') => pollsCounted(metrics, result);
  const lateness = () => latenessSoFar(metrics, 1);
  const skipped = async () => (await metrics.duplicatesSkipped.get()).values[0]?.value ?? 0;
  const before = { ok: await count('ok'), failed: await count('failed'), late: await lateness(), skipped: await skipped(), redis: await redisCpu(redis), cpu: process.cpuUsage(), at: performance.now() };
  await new Promise((r) => setTimeout(r, CYCLES * INTERVAL * 1000));
  const wall = (performance.now() - before.at) / 1000;
  const cpu = process.cpuUsage(before.cpu);
  const late = await lateness();
  const n = Math.max(1, late.count - before.late.count);
  return {
    polls: (await count('ok')) - before.ok,
    failed: (await count('failed')) - before.failed,
    cpuShare: (cpu.user + cpu.system) / 1e6 / wall,
    redisShare: ((await redisCpu(redis)) - before.redis) / wall,
    latenessMs: ((late.sum - before.late.sum) / n) * 1000,
    withinOneSecond: (late.within - before.late.within) / n,
    skipped: (await skipped()) - before.skipped,
  };
}

async function cleanRedis(redis: IORedis): Promise<void> {
  const queue = new Queue(`poll-${GROUP}`, { connection: { url: REDIS_URL }, prefix: PREFIX });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

function print(name: string, f: Figures): void {
  const due = DEVICES * CYCLES;
  console.log(`${name}: ${fmt(f.polls)} polls ok, ${fmt(f.failed)} failed, of about ${fmt(due)} due; CPU ${fmt(f.cpuShare * 100, 1)}% of a core (${fmt((f.cpuShare * CYCLES * INTERVAL * 1e6) / Math.max(1, f.polls + f.failed), 1)} µs a poll); Redis ${fmt(f.redisShare * 100, 1)}%; lateness mean ${fmt(f.latenessMs, 1)} ms, ${fmt(f.withinOneSecond * 100, 2)}% within 1 s; slots skipped as already polled ${fmt(f.skipped)}`);
}

async function main(): Promise<void> {
  console.log(`bench:distributed — ${fmt(DEVICES)} devices over ${AGENTS} simulated agents, every ${INTERVAL} s (${fmt(DEVICES / INTERVAL)} polls/s due), engine ${ENGINE}, Redis ${REDIS_URL}`);
  const agents = await startAgents('simulator', AGENTS);
  const { app, ds, close } = await benchApp(ENGINE, { POLLER_IN_PROCESS: 'false' });
  const redis = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    const seconds = await seedFleet(app, ds, DEVICES, INTERVAL, GROUP);
    await pointFleetAt(ds, agents.ports);
    console.log(`fleet seeded in ${fmt(seconds, 1)} s`);
    const store = () => new PollingStore(ds, app.get(SecretBox), app.get(DevicesService));

    // The baseline: the in-process scheduler.
    const local = { metrics: new PollingMetrics() };
    const poller = new Poller(store(), local.metrics, { group: GROUP, sockets: 4, maxInFlight: IN_FLIGHT });
    await poller.start();
    const inProcess = await measure(local.metrics, redis);
    await poller.stop();
    print('in-process scheduler', inProcess);

    // One BullMQ worker on the same fleet.
    await cleanRedis(redis);
    const shared = { metrics: new PollingMetrics() };
    const worker = new DistributedPoller(store(), shared.metrics, { redisUrl: REDIS_URL, group: GROUP, prefix: PREFIX, sockets: 4, maxInFlight: IN_FLIGHT });
    const t0 = performance.now();
    await worker.start();
    console.log(`BullMQ worker started in ${fmt((performance.now() - t0) / 1000, 1)} s (one job scheduler per bucket of the interval)`);
    const distributed = await measure(shared.metrics, redis);
    await worker.stop();
    print('BullMQ worker', distributed);

    const perPoll = (f: Figures) => f.cpuShare / Math.max(1, f.polls + f.failed);
    console.log('\n| what | in-process | BullMQ worker | ratio |');
    console.log('|---|---|---|---|');
    console.log(`| polls done of ${fmt(DEVICES * CYCLES)} due | ${fmt(inProcess.polls)} | ${fmt(distributed.polls)} | ${fmt(distributed.polls / Math.max(1, inProcess.polls), 2)} |`);
    console.log(`| poller CPU, % of a core | ${fmt(inProcess.cpuShare * 100, 1)} | ${fmt(distributed.cpuShare * 100, 1)} | |`);
    console.log(`| CPU per poll | | | ${fmt(perPoll(distributed) / perPoll(inProcess), 2)}× (bar ≤ 1.5×) |`);
    console.log(`| Redis CPU, % of a core | ${fmt(inProcess.redisShare * 100, 1)} | ${fmt(distributed.redisShare * 100, 1)} | bar < 15% at 1,000 polls/s |`);
  } finally {
    await cleanRedis(redis).catch(() => undefined);
    redis.disconnect();
    agents.stop();
    await close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
