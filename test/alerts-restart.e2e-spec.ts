import { type ChildProcess, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SimulatedDevice } from './simulator/simulated-device';
import { freshPostgres } from './support/databases';
import { freePort, startApiProcess } from './support/processes';
import { startSmtp, startWebhook } from './support/receivers';
import { until } from './support/wait';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

/** Processes start and stop slowly: a wait here lasts up to 30 s. */
const untilSlow = <T>(what: string, probe: Parameters<typeof until<T>>[1]) => until(what, probe, 30_000);

/**
 * The outbox across a crash: the API that opened the incident and stored its notices is killed
 * (SIGKILL) before it sends them; the next API process sends each exactly once.
 */
describe('alert notices across a crash (PostgreSQL, real processes)', () => {
  const apis: ChildProcess[] = [];
  let pg: Awaited<ReturnType<typeof freshPostgres>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let hook: Awaited<ReturnType<typeof startWebhook>>;
  let router: SimulatedDevice;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pg = await freshPostgres();
    smtp = await startSmtp();
    hook = await startWebhook(0);
    router = await SimulatedDevice.start({ communities: ['public'], sysName: 'router-crash' });
    env = {
      ...process.env,
      NODE_OPTIONS: '',
      DATABASE_URL: pg.url,
      SECRET_KEY: 'a-test-key-for-the-crash-test-0123456789',
      SMTP_URL: smtp.url,
      ALERTS_EVALUATE_SECONDS: '1',
      ALERTS_RETRY_SECONDS: '1',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
    };
  });
  afterAll(async () => {
    for (const p of apis) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await router?.stop();
    await smtp?.stop();
    await hook?.stop();
    await pg?.drop();
  });

  const startApi = async (extra: Record<string, string>): Promise<{ proc: ChildProcess; base: string }> => {
    const port = await freePort();
    const proc = await startApiProcess({ ...env, ...extra }, port, (p) => apis.push(p));
    return { proc, base: `http://127.0.0.1:${port}/api/v1` };
  };

  it('sends each stored notice exactly once after the API that stored it is killed', async () => {
    const first = await startApi({ ALERTS_DELIVER: 'false' });
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', 'token-create', '--owner', 'Crash test', '--role', 'admin'], { cwd: ROOT, env });
    const token = /hat_[A-Za-z0-9_-]{43}/.exec(stdout)![0];
    const api = async (base: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : null;
    };
    const a = first.base;
    await api(a, 'POST', '/administrative-units/official-list', official);
    const commune = (await api(a, 'GET', '/administrative-units?code=21601')).items[0];
    const agency = await api(a, 'POST', '/agencies', { code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id });
    const device = await api(a, 'POST', '/devices', { agencyId: agency.id, kind: 'router', name: 'Router trước sự cố', status: 'active', commissionedOn: '2024-01-01', managementAddress: '127.0.0.1' });
    await api(a, 'PUT', `/devices/${device.id}/snmp`, { version: '2c', community: 'public', port: router.port, intervalSeconds: 1, timeoutMs: 300, retries: 0 });
    const email = await api(a, 'POST', '/alerts/channels', { name: 'Quản trị', kind: 'email', recipients: ['netadmin@binhdinh.gov.vn'] });
    const webhook = await api(a, 'POST', '/alerts/channels', { name: 'Hook', kind: 'webhook', url: hook.url, secret: 'a-secret-for-the-crash-test' });
    await api(a, 'POST', '/alerts/rules', { name: 'Router xuống', kind: 'device_down', minutes: 0, channelIds: [email.id, webhook.id] });
    await untilSlow('the router up', async () => (await api(a, 'GET', `/devices/${device.id}/poll-state`).catch(() => null))?.state === 'up');

    router.goDown();
    const incident = await untilSlow('the incident opened', async () => (await api(a, 'GET', '/alerts/incidents?state=open')).items[0]);
    await untilSlow('both notices stored', async () => (await api(a, 'GET', '/alerts/status')).outbox.pending === 2);
    first.proc.kill('SIGKILL');
    await new Promise((r) => first.proc.once('exit', r));
    expect(smtp.mails).toHaveLength(0);
    expect(hook.hooks).toHaveLength(0);

    // The next process (it does not poll: the incident stays as it was) finds them and sends them.
    const second = await startApi({ POLLER_IN_PROCESS: 'false' });
    await untilSlow('the e-mail and the webhook', () => smtp.mails.length >= 1 && hook.hooks.length >= 1);
    await new Promise((r) => setTimeout(r, 3000));
    expect(smtp.mails).toHaveLength(1);
    expect(hook.hooks).toHaveLength(1);
    expect(smtp.mails[0].subject).toBe(`[Hatang] SỰ CỐ: ${incident.summary}`);
    expect(hook.hooks[0].body).toMatchObject({ event: 'open', incident: { id: incident.id } });
    const deliveries = (await api(second.base, 'GET', `/alerts/incidents/${incident.id}/deliveries`)).items;
    expect(deliveries.map((d: { status: string; attempts: number }) => [d.status, d.attempts])).toEqual([
      ['sent', 1],
      ['sent', 1],
    ]);
    second.proc.kill('SIGTERM');
    await new Promise((r) => second.proc.once('exit', r));
  }, 240_000);
});
