/**
 * npm run bench:web — the console on the demo province, then with 100,000 more devices, in
 * Debian's Chromium: the JavaScript the first page ships (gzipped), and the time until the plan
 * page shows its figures with a cold cache (a new browser context each time), beside the API
 * call's own time in the same run (the baseline: what the page cannot be faster than).
 * Bounded: 5 cold loads per inventory size, each with a 30 s limit.
 */
import 'reflect-metadata';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { chromium } from 'playwright-core';
import { AccountsService } from '@app/access';
import { loadEnvironment } from '@app/config';
import { DemoSeed } from '@app/coverage';
import { EVERYWHERE } from '@app/inventory';
import { AppModule } from '../apps/api/src/app.module';
import { configureApp, httpOptionsOf } from '../apps/api/src/app';
import { consoleRoot } from '../apps/api/src/http/console';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const LOADS = 5;
const PASSWORD = 'bench password long enough';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  if (!consoleRoot()) throw new Error('dist/web is missing: npm run build:web');
  const env = loadEnvironment({ DATA_DIR: 'memory://', LOG_LEVEL: 'error', POLLER_IN_PROCESS: 'false' });
  const mod = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = mod.createNestApplication({ bodyParser: false, logger: ['error'] });
  configureApp(app, httpOptionsOf(env));
  await app.init();
  const server = app.getHttpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const ctx = { actor: 'bench', source: 'seed' as const, scope: EVERYWHERE };
  const planId = (await app.get(DemoSeed).loadIfEmpty(ctx))!.plan.id;
  await app.get(AccountsService).ensureDemoUser(PASSWORD, ctx);
  const ds = app.get<DataSource>(getDataSourceToken());
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    // JavaScript of the first page (sign-in), as a gzip-serving proxy would send it.
    const page = await browser.newPage();
    const scripts: Buffer[] = [];
    page.on('response', (r) => {
      if (r.request().resourceType() === 'script') void r.body().then((b) => scripts.push(b));
    });
    await page.goto(base, { waitUntil: 'networkidle' });
    await page.close();
    const raw = scripts.reduce((n, b) => n + b.length, 0);
    const gz = scripts.reduce((n, b) => n + gzipSync(b, { level: 6 }).length, 0);
    console.log(`first page JavaScript: ${(gz / 1024).toFixed(1)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw, ${scripts.length} file(s)); goal under 250 KB`);

    for (const size of ['demo', '+100,000 devices']) {
      if (size !== 'demo') {
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM agency`);
        await ds.query(`INSERT INTO device (agency_id, kind, status, commissioned_on)
          SELECT a.id, 'workstation', 'active', date '2011-01-01' + (i * 37 % 1800)
          FROM generate_series(0, 99999) i JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM agency) a ON a.k = i % ${n}`);
      }
      const [{ devices }] = await ds.query(`SELECT count(*)::int AS devices FROM device`);
      const pageTimes: number[] = [];
      const apiTimes: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        const context = await browser.newContext();
        const signIn = await context.request.post(`${base}/api/v1/session`, { data: { username: 'demo', password: PASSWORD } });
        if (!signIn.ok()) throw new Error(`sign-in: ${signIn.status()}`);
        // The API call alone, with the same cookie.
        const t0 = performance.now();
        const r = await context.request.get(`${base}/api/v1/plans/${planId}/coverage?missingLimit=0`);
        if (!r.ok()) throw new Error(`coverage: ${r.status()}`);
        await r.body();
        apiTimes.push(performance.now() - t0);
        // The page, cold: nothing cached in this context.
        const p = await context.newPage();
        const t1 = performance.now();
        await p.goto(`${base}/plans/${planId}`);
        await p.locator('table.targets tbody tr').first().waitFor({ timeout: 30_000 });
        pageTimes.push(performance.now() - t1);
        await context.close();
      }
      const pageMs = median(pageTimes);
      const apiMs = median(apiTimes);
      console.log(
        `${size.padEnd(17)} (${devices.toLocaleString('en')} devices): plan page shows its figures in ${pageMs.toFixed(0)} ms (median of ${LOADS} cold loads; goal under 1,000 ms); the coverage call alone ${apiMs.toFixed(0)} ms; page / call ${(pageMs / apiMs).toFixed(1)}x`,
      );
      // The device list: a page change (the next 50, newest first), against the list call alone.
      const context = await browser.newContext();
      await context.request.post(`${base}/api/v1/session`, { data: { username: 'demo', password: PASSWORD } });
      const p = await context.newPage();
      await p.goto(`${base}/devices`);
      await p.locator('table.list-devices tbody tr').first().waitFor();
      const changeTimes: number[] = [];
      const listTimes: number[] = [];
      for (let i = 0; i < LOADS; i++) {
        // The page changed when the pager says so ("51–100 / …") and the table shows it (aria-busy off).
        const pager = p.locator('nav.pager span');
        const before = (await pager.textContent()) ?? '';
        const t2 = performance.now();
        await p.getByRole('button', { name: 'Sau →' }).click();
        await pager.filter({ hasNotText: before }).waitFor({ timeout: 30_000 });
        await p.locator('table.list-devices[aria-busy="false"]').waitFor({ timeout: 30_000 });
        changeTimes.push(performance.now() - t2);
        const t3 = performance.now();
        const r = await context.request.get(`${base}/api/v1/devices?limit=50&offset=${(i + 2) * 50}&sort=-commissionedOn`);
        await r.body();
        listTimes.push(performance.now() - t3);
      }
      await context.close();
      const changeMs = median(changeTimes);
      const listMs = median(listTimes);
      console.log(
        `${size.padEnd(17)} (${devices.toLocaleString('en')} devices): device list page change ${changeMs.toFixed(0)} ms (median of ${LOADS}; goal under 200 ms); the list call alone ${listMs.toFixed(0)} ms; page / call ${(changeMs / listMs).toFixed(1)}x`,
      );
    }
  } finally {
    await browser.close();
    await app.close();
  }
}
main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
