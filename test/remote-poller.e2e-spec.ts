import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';

const ROOT = join(__dirname, '..');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `apps/poller` with API_URL and a poller token, as a district would run it: a separate process
 * with no database, polling a simulated device over UDP on 127.0.0.1, its results kept by the API.
 */
describe('the poller with no database, through the API', () => {
  let t: TestApp;
  let sim: SimulatedDevice;
  let poller: ChildProcess | undefined;
  let output = '';
  let device: { id: string };
  const dataDir = join(mkdtempSync(join(tmpdir(), 'hatang-remote-')), 'never-created');

  beforeAll(async () => {
    sim = await SimulatedDevice.start({ communities: ['an-lao-secret'], sysName: 'an-lao-gw' });
    t = await startApp('pglite');
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    await t.http().post('/api/v1/administrative-units/official-list').send(JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'))).expect(200);
    const anLao = (await t.http().get('/api/v1/administrative-units').query({ code: '542' })).body.items[0];
    const agency = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-542', name: 'UBND huyện An Lão', kind: 'district_committee', administrativeUnitId: anLao.id }).expect(201)).body;
    device = (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' }).expect(201)).body;
    await t.http().put(`/api/v1/devices/${device.id}/snmp`).send({ version: '2c', community: 'an-lao-secret', port: sim.port, intervalSeconds: 1, timeoutMs: 300, retries: 0, pollerGroup: 'an-lao' }).expect(200);
    const token = await t.token({ role: 'poller', owner: 'Poller at UBND huyện An Lão', administrativeUnitId: anLao.id });
    poller = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/poller/src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, API_URL: `http://127.0.0.1:${port}`, POLLER_TOKEN: token, POLLER_GROUP: 'an-lao', DATABASE_URL: '', DATA_DIR: dataDir, NODE_OPTIONS: '' },
    });
    poller.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    poller.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  }, 60_000);
  afterAll(async () => {
    poller?.kill('SIGKILL');
    await sim?.stop();
    await t?.close();
  });

  const state = async () => (await t.http().get(`/api/v1/devices/${device.id}/poll-state`)).body as { state?: string; sysName?: string };
  const outages = async () => (await t.http().get(`/api/v1/devices/${device.id}/outages`).query({ from: '2020-01-01T00:00:00Z' }).expect(200)).body.items as Array<{ cause: string; startedAt: string; endedAt: string | null }>;

  it('polls its group, and the API records the device going down and coming back within one interval of the truth', async () => {
    const up = await until('the first poll', async () => ((await state()).state === 'up' ? state() : undefined), 30_000).catch((e: Error) => {
      throw new Error(`${e.message}; poller said: ${output}`);
    });
    expect(up.sysName).toBe('an-lao-gw');
    expect(output).toContain('polling 1 devices of group "an-lao"');

    const downAt = Date.now();
    sim.goDown();
    const opened = await until('the outage', async () => (await outages()).find((o) => o.cause === 'unreachable'), 15_000);
    // Stamped with the send time of the first poll that got no answer: within one interval (1 s)
    // of the truth, or up to the poll's timeout (0.3 s) before it.
    expect(Date.parse(opened.startedAt) - downAt).toBeGreaterThanOrEqual(-300);
    expect(Date.parse(opened.startedAt) - downAt).toBeLessThanOrEqual(1000);

    const backAt = Date.now();
    sim.comeBack();
    const closed = await until('the outage to end', async () => (await outages()).find((o) => o.cause === 'unreachable' && o.endedAt), 15_000);
    expect(Date.parse(closed.endedAt!) - backAt).toBeGreaterThanOrEqual(-300);
    expect(Date.parse(closed.endedAt!) - backAt).toBeLessThanOrEqual(1000);
    expect((await state()).state).toBe('up');
    // polledAt is the last poll, though nothing has changed (and no row been written) since the outage ended.
    await new Promise((r) => setTimeout(r, 3000));
    const now = (await state()) as { polledAt: string; since: string };
    expect(Date.now() - Date.parse(now.polledAt)).toBeLessThan(2500);
    expect(Date.parse(now.polledAt) - Date.parse(now.since)).toBeGreaterThan(2000);
  }, 60_000);

  it('stops on SIGTERM after sending what it polled, and never touched a database', async () => {
    const code = await new Promise<number | null>((resolve) => {
      poller!.once('exit', (c) => resolve(c));
      poller!.kill('SIGTERM');
    });
    poller = undefined;
    expect(code).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);
});
