/**
 * What the poller benchmarks share: agents on 127.0.0.1 (the test simulator in a child process, or
 * one Debian snmpd on many ports), a fleet of devices seeded straight into the database, and the
 * figures read off a poller's metrics.
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { AdministrativeUnitsService, EVERYWHERE } from '@app/inventory';
import { type PollingMetrics, SecretBox } from '@app/polling';
import { freeUdpPort } from '../test/support/snmpd';
import { timed } from './support';

export type AgentKind = 'simulator' | 'snmpd';

export interface Agents {
  ports: number[];
  stop: () => void;
  cpuSeconds: () => Promise<number>;
  /** Simulated agents only: these (by index) stop answering, or answer again. */
  set?: (order: { down?: number[]; up?: number[] }) => Promise<void>;
}

/** `count` ports of one kind of agent on 127.0.0.1, answering community "public". */
export function startAgents(kind: AgentKind, count: number): Promise<Agents> {
  return kind === 'snmpd' ? startSnmpdAgents(count) : startSimulatedAgents(count);
}

/** One snmpd answering community "public" on `count` ports of 127.0.0.1. */
async function startSnmpdAgents(count: number): Promise<Agents> {
  const ports: number[] = [];
  while (ports.length < count) {
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

/** `count` simulated devices (net-snmp's agent) in a child process, so this process's CPU is measured alone. */
async function startSimulatedAgents(count: number): Promise<Agents> {
  const child = fork(join(__dirname, 'agents.ts'), [String(count)], { execArgv: ['-r', '@swc-node/register'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
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
  const set = (order: { down?: number[]; up?: number[] }) =>
    new Promise<void>((resolve) => {
      child.once('message', () => resolve());
      child.send(order);
    });
  return { ports, stop: () => child.kill('SIGTERM'), cpuSeconds, set };
}

/**
 * One agency and `devices` devices at 127.0.0.1, each with a v2c profile (community "public",
 * timeout 5 s, one retry) in the poller group; ports are set by pointFleetAt. Returns the seconds it took.
 */
export async function seedFleet(app: INestApplication, ds: DataSource, devices: number, intervalSeconds: number, group = 'default'): Promise<number> {
  await app.get(AdministrativeUnitsService).importOfficialList(JSON.parse(readFileSync(join(__dirname, '../test/fixtures/dvhcvn-small.json'), 'utf8')), { actor: 'bench', source: 'cli', scope: EVERYWHERE });
  await ds.query(`INSERT INTO agency (code, name, kind, sector, administrative_unit_id) SELECT 'BENCH', 'Bench agency', 'provincial_department', 'general', id FROM administrative_unit WHERE code = '52'`);
  const sealed = app.get(SecretBox).seal('public');
  const [, seconds] = await timed(async () => {
    await ds.query(`INSERT INTO device (agency_id, kind, status, commissioned_on, management_address, name, serial_number)
      SELECT a.id, 'router', 'active', '2024-01-01', '127.0.0.1', 'bench-' || g, 'BENCH-' || g FROM agency a, generate_series(1, $1) g WHERE a.code = 'BENCH'`, [devices]);
    await ds.query(`INSERT INTO snmp_profile (device_id, version, community_secret, port, timeout_ms, retries, interval_seconds, poller_group)
      SELECT d.id, '2c', $1, 161, 5000, 1, $2, $3 FROM device d`, [sealed, intervalSeconds, group]);
  });
  return seconds;
}

/** Points every device's profile at one of the ports, round robin. */
export async function pointFleetAt(ds: DataSource, ports: number[]): Promise<void> {
  await ds.query(`UPDATE snmp_profile p SET port = ($1::int[])[1 + n.k % $2] FROM (SELECT device_id, (row_number() OVER (ORDER BY device_id))::int AS k FROM snmp_profile) n WHERE p.device_id = n.device_id`, [ports, ports.length]);
}

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Polls a poller has counted with the given result ('ok' or 'failed'). */
export async function pollsCounted(metrics: PollingMetrics, result: 'ok' | 'failed'): Promise<number> {
  return (await metrics.polls.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
}

/** The lateness histogram so far: how many polls, their summed lateness (s), and how many were within `le` seconds. */
export async function latenessSoFar(metrics: PollingMetrics, le: number): Promise<{ count: number; sum: number; within: number }> {
  const values = (await metrics.lateness.get()).values;
  const pick = (suffix: string, bound?: number) => values.find((v) => v.metricName?.endsWith(suffix) && (bound === undefined || v.labels.le === bound))?.value ?? 0;
  return { count: pick('_count'), sum: pick('_sum'), within: pick('_bucket', le) };
}
