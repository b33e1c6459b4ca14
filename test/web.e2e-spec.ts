import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AccountsService } from '@app/access';
import { DemoSeed } from '@app/coverage';
import { DemoReorganisation, EVERYWHERE } from '@app/inventory';
import { emptyMemory, Poller, PollingStore } from '@app/polling';
import ExcelJS from 'exceljs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEMO_CONTACT, startDemoAgents, type DemoAgents } from '../apps/api/src/demo-agents';
import { consoleRoot } from '../apps/api/src/http/console';
import { SimulatedDevice } from './simulator/simulated-device';
import { startApp, type TestApp } from './support/app';
import { startSmtp } from './support/receivers';
import { until } from './support/wait';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it): Playwright's own download is not reachable here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots go to dist/screenshots; SCREENSHOTS_DIR=docs/screenshots refreshes the README's. */
const SHOTS = process.env.SCREENSHOTS_DIR ?? join(__dirname, '..', 'dist', 'screenshots');

/**
 * The console in a real browser, on the demo province: signing in, the plan page's figures
 * against the API's, both languages, a district's account, and the fleet page following a device
 * that goes down and comes back.
 */
describe('the web console in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let agents: DemoAgents;
  let planId: string;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const password = 'mật khẩu thử nghiệm';

  beforeAll(async () => {
    if (!consoleRoot()) throw new Error('dist/web is missing: npm test builds it first (npm run build:web)');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
    smtp = await startSmtp();
    t = await startApp('pglite', { SMTP_URL: smtp.url, ALERTS_EVALUATE_SECONDS: '2' });
    const ctx = { actor: 'test', source: 'seed' as const, scope: EVERYWHERE };
    planId = (await t.app.get(DemoSeed).loadIfEmpty(ctx))!.plan.id;
    await t.app.get(AccountsService).ensureDemoUser(password, ctx);
    const quyNhon = (await t.http().get('/api/v1/administrative-units').query({ code: '540' }).expect(200)).body.items[0];
    await t.http().post('/api/v1/users').send({ username: 'quynhon', displayName: 'Phòng VH-TT Quy Nhơn', password, role: 'planner', administrativeUnitId: quyNhon.id }).expect(201);
    // Boundaries for the demo's 11 districts (squares on a grid: the real ones stay outside the project's tree).
    const districts = (await t.http().get('/api/v1/administrative-units').query({ within: '52', level: 'district', limit: 50 }).expect(200)).body.items as Array<{ code: string }>;
    const squareAt = (i: number) => {
      const [x, y] = [108.6 + (i % 4) * 0.2, 14.6 - Math.floor(i / 4) * 0.2];
      return [[[x, y], [x + 0.19, y], [x + 0.19, y + 0.19], [x, y + 0.19], [x, y]]];
    };
    await t.http().put('/api/v1/boundaries').send({ type: 'FeatureCollection', features: districts.map((d, i) => ({ type: 'Feature', properties: { code: d.code }, geometry: { type: 'Polygon', coordinates: squareAt(i) } })) }).expect(200);
    agents = await startDemoAgents(t.app, { basePort: 0, everySeconds: 3600, intervalSeconds: 1 });
    await t.app.get(Poller).reload();
    const server = t.app.getHttpServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(SHOTS, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await agents?.stop();
    await t?.close();
    await smtp?.stop();
  });

  const signIn = async (username: string, options: { bypassCSP?: boolean; timezoneId?: string } = {}): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, ...options });
    await page.goto(base);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(password);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    return page;
  };

  it('refuses a wrong password with the server\'s message, and keeps no secret in localStorage', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.getByLabel('Tên đăng nhập').fill('demo');
    await page.getByLabel('Mật khẩu').fill('not the password');
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    // The server's own message, in the console's language.
    await page.getByRole('alert').getByText('Sai tên đăng nhập hoặc mật khẩu').waitFor();
    // Evaluated in the page (this Node file has no DOM types, hence the cast).
    expect(await page.evaluate(() => JSON.stringify({ ...(globalThis as unknown as { localStorage: Record<string, string> }).localStorage }))).not.toMatch(/hat_|password|session/i);
    await page.close();
  });

  it('shows the plan\'s targets of a year with the API\'s figures, in Vietnamese then in English', async () => {
    const page = await signIn('demo');
    await page.waitForURL(`**/plans/${planId}`);
    await page.getByRole('button', { name: '2015', exact: true }).waitFor();
    const rows = page.locator('table.targets tbody tr');
    await rows.first().waitFor();
    // The same figures as the API's, as a Vietnamese office writes them.
    const api = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2015, missingLimit: 0 }).expect(200)).body.targets as Array<{ indicator: { code: string }; value: number; status: string; gap: { text: { vi: string } } }>;
    expect(await rows.count()).toBe(api.length);
    const lan = api.find((x) => x.indicator.code === 'commune_lan')!;
    const row = page.locator('tr[data-indicator="commune_lan"]');
    const vi = (lan.value.toFixed(2).replace('.', ',')) + '%';
    expect(await row.locator('td.num').nth(1).textContent()).toBe(vi);
    expect(await row.locator('.status').textContent()).toBe({ met: 'Đạt', behind: 'Chậm', on_track: 'Đúng tiến độ', no_data: 'Chưa có số liệu' }[lan.status]);
    expect(await row.textContent()).toContain(lan.gap.text.vi);
    expect(await row.textContent()).toContain('31/12/2015');
    await page.screenshot({ path: join(SHOTS, 'plan-vi.png'), fullPage: true });
    // As of a day: the inventory as it stood then.
    const mid = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ asOf: '2014-06-30', missingLimit: 0 }).expect(200)).body.targets.find((x: { indicator: { code: string } }) => x.indicator.code === 'commune_lan');
    await page.getByLabel('Hoặc tính đến ngày').fill('30/06/2014');
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.getByText(/^Tổng hợp đến ngày 30\/06\/2014/).waitFor();
    expect(await page.locator('tr[data-indicator="commune_lan"] td.num').nth(1).textContent()).toBe(`${mid.value.toFixed(2).replace('.', ',')}%`);
    expect(await page.locator('tr[data-indicator="commune_lan"]').textContent()).toContain('30/06/2014');
    // Another year is a click; English is one more.
    await page.getByRole('button', { name: '2013', exact: true }).click();
    await page.waitForURL('**?year=2013');
    await page.getByText(/^Tổng hợp 2013/).waitFor();
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('columnheader', { name: 'Status' }).waitFor();
    expect(await page.locator('tr[data-indicator="commune_lan"] td.num').nth(1).textContent()).toMatch(/^\d+\.\d\d%$/);
    await page.screenshot({ path: join(SHOTS, 'plan-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.close();
  });

  /** axe-core's serious and critical violations on the page as it stands. */
  const axeProblems = async (page: Page): Promise<string[]> => {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
    const result = (await page.evaluate(() => (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run())) as {
      violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }>;
    };
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  };

  it('passes axe-core with no serious or critical violation, and works by keyboard', async () => {
    // axe is injected as a script, which the console's CSP refuses: this page lets it in.
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 }, bypassCSP: true });
    await page.goto(base);
    await page.getByLabel('Tên đăng nhập').waitFor();
    expect(await axeProblems(page)).toEqual([]);
    // By keyboard: the username field, the password field, then Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.type('demo');
    await page.keyboard.press('Tab');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.locator('table.targets tbody tr').first().waitFor();
    expect(await axeProblems(page)).toEqual([]);
    // The skip link is the first stop, then the navigation; Enter follows a link.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent)).toBe('Bỏ qua, đến nội dung chính');
    // Plans, the whole country, then devices.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Thiết bị', exact: true }).waitFor();
    await page.locator('table.list-devices tbody tr').first().waitFor();
    expect(await axeProblems(page)).toEqual([]);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Mạng thiết bị' }).waitFor();
    expect(await axeProblems(page)).toEqual([]);
    await page.close();
  });

  it('opens a target: its years, its districts sorted, the communes still missing searchable without diacritics, and their export', async () => {
    // (CSP bypassed only to inject axe-core at the end.)
    const page = await signIn('demo', { bypassCSP: true });
    await page.locator('tr[data-indicator="commune_lan"] th a').click();
    await page.getByRole('heading', { name: 'Theo huyện 2015' }).waitFor();
    const answer = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2015, missingLimit: 100000 }).expect(200)).body;
    const api = answer.targets.find(
      (x: { indicator: { code: string } }) => x.indicator.code === 'commune_lan',
    ) as { wordingVi: string; breakdown: Array<{ value: number | null; districtId: string | null; numerator: number; denominator: number }>; missing: { total: number; items: Array<{ district: string | null; name: string }> } };
    const districtId = (name: string) => (answer.districts as Array<{ id: string; name: string }>).find((d) => d.name === name)!.id;
    // The districts, highest first, as many as the API's breakdown.
    const bars = page.locator('.bars li');
    expect(await bars.count()).toBe(api.breakdown.length);
    const values = (await bars.locator('.num').allTextContents()).map((v) => Number(v.split('%')[0].replace(/\./g, '').replace(',', '.')));
    expect(values).toEqual([...values].sort((a, b) => b - a));
    expect(await page.getByRole('heading', { name: /^Đơn vị chưa đạt/ }).textContent()).toBe(`Đơn vị chưa đạt (${api.missing.total})`);
    // The same breakdown on the districts' boundaries: one shape per district, its figure in its title.
    const shapes = page.locator('figure.map path.district');
    await shapes.first().waitFor();
    expect(await shapes.count()).toBe(11);
    const quyNhon = page.locator('figure.map path.district[data-code="540"]');
    const qn = api.breakdown.find((b) => b.districtId === districtId('Thành phố Quy Nhơn'))!;
    expect(await quyNhon.locator('title').textContent()).toBe(`Thành phố Quy Nhơn: ${qn.value!.toFixed(2).replace('.', ',')}% (${qn.numerator}/${qn.denominator})`);
    expect(await quyNhon.getAttribute('fill')).toBe(`hsl(${Math.round(qn.value! * 1.2)}, 65%, 42%)`);
    // Searching without diacritics: the first missing commune's name, typed plain ("an tan" for Xã An Tân), finds it.
    const plain = (x: string) => x.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase();
    const typed = plain(api.missing.items[0].name.replace(/^(Xã|Phường|Thị trấn) /, ''));
    await page.getByLabel('Tìm (không cần dấu)').fill(typed);
    const hoai = api.missing.items.filter((m) => plain(m.name).includes(typed)).length;
    expect(hoai).toBeGreaterThan(0);
    // Searched by the server: the list shown is the search's once the pager says so and the table is no longer busy.
    await page.locator('nav.pager span').getByText(`1–${hoai} / ${hoai}`).waitFor();
    await page.locator('table.missing[aria-busy="false"]').waitFor();
    expect(await page.locator('table.missing tbody tr').count()).toBe(hoai);
    // The export: the file lists every commune still missing for this target.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Xuất XLSX' }).click()]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile((await download.path())!);
    const rows = (book.getWorksheet('Còn thiếu')!.getSheetValues().slice(2) as unknown[][]).filter((r) => r[1] === api.wordingVi);
    expect(rows).toHaveLength(api.missing.total);
    expect(rows.map((r) => r[5]).sort()).toEqual(api.missing.items.map((m) => m.name).sort());
    await page.getByLabel('Tìm (không cần dấu)').fill('');
    await page.screenshot({ path: join(SHOTS, 'target-vi.png'), fullPage: true });
    expect(await axeProblems(page)).toEqual([]);
    await page.close();
  });

  it('registers a device: a validation error from the server beside its field, fixed, then the device in the list', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Thiết bị', exact: true }).click();
    await page.getByRole('heading', { name: 'Đăng ký thiết bị' }).waitFor();
    const total = (await t.http().get('/api/v1/devices').query({ limit: 1 }).expect(200)).body.total as number;
    await page.getByText(`1–50 / ${total.toLocaleString('vi-VN')}`).waitFor();
    // An agency picked by name, searched without diacritics.
    const form = page.getByRole('form', { name: 'Đăng ký thiết bị' });
    const agencyName = (await t.http().get('/api/v1/agencies').query({ q: 'UBND', limit: 1, sort: 'name' }).expect(200)).body.items[0] as { name: string; code: string };
    await form.getByLabel('Cơ quan', { exact: true }).fill(`${agencyName.name} (${agencyName.code})`);
    await form.getByLabel('Loại', { exact: true }).selectOption('switch');
    await form.getByLabel('Số serial').fill('WEB-SW-1');
    await form.getByLabel('Ngày đưa vào sử dụng').fill('30/02/2024');
    await page.getByRole('button', { name: 'Lưu' }).click();
    // The server refuses the day; the console says so beside the field, in the way the day was typed; nothing written.
    const error = page.locator('#device-commissionedOn-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('Không có ngày này: viết ngày dạng dd/mm/yyyy, ví dụ 31/12/2015');
    expect(await form.getByLabel('Ngày đưa vào sử dụng').getAttribute('aria-invalid')).toBe('true');
    // Only that field: the agency was found by its name.
    expect(await page.locator('form.register .error').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'device-form-vi.png') });
    expect((await t.http().get('/api/v1/devices').query({ serialNumber: 'WEB-SW-1' }).expect(200)).body.total).toBe(0);
    expect(await axeProblems(page)).toEqual([]);
    // Fixed: saved, and found in the list by searching.
    await form.getByLabel('Ngày đưa vào sử dụng').fill('29/02/2024');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã đăng ký: WEB-SW-1').waitFor();
    const saved = (await t.http().get('/api/v1/devices').query({ serialNumber: 'WEB-SW-1' }).expect(200)).body.items[0];
    expect(saved).toMatchObject({ kind: 'switch', commissionedOn: '2024-02-29', status: 'active' });
    await page.getByLabel('Tìm (không cần dấu)').fill('web-sw');
    const row = page.locator('tr[data-name="WEB-SW-1"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('29/02/2024');
    expect(await row.textContent()).toContain('Bộ chuyển mạch');
    // Its page: the fields, not monitored, and its history (who registered it).
    await row.getByRole('link', { name: 'WEB-SW-1' }).click();
    await page.getByRole('heading', { name: 'WEB-SW-1' }).waitFor();
    await page.locator('dl.facts').first().getByText(agencyName.name, { exact: false }).waitFor();
    const facts = (await page.locator('dl.facts').first().textContent()) ?? '';
    expect(facts).toContain('Bộ chuyển mạch');
    expect(facts).toContain('29/02/2024');
    expect(facts).toContain(agencyName.name);
    await page.getByText('Chưa được giám sát (chưa có hồ sơ SNMP).').waitFor();
    await page.locator('table.history tbody tr').first().waitFor();
    expect(await page.locator('table.history tbody tr').first().textContent()).toMatch(/Demo admin.*Tạo mới/);
    expect(await axeProblems(page)).toEqual([]);
    // Edited: only what changed is sent, with the version read.
    await page.getByLabel('Tên', { exact: true }).fill('SW tầng 2');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('heading', { name: 'SW tầng 2' }).waitFor();
    // Someone else changes it meanwhile: the next edit is refused (412), nothing overwritten.
    await t.http().patch(`/api/v1/devices/${saved.id}`).send({ notes: 'changed elsewhere' }).expect(200);
    await page.getByLabel('Model').fill('Catalyst 2960');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByText('Người khác vừa sửa thiết bị này: hãy tải lại trang rồi sửa lại.').waitFor();
    expect((await t.http().get(`/api/v1/devices/${saved.id}`).expect(200)).body).toMatchObject({ name: 'SW tầng 2', notes: 'changed elsewhere', model: null });
    // Deleted after a confirmation (on a fresh read).
    await page.reload();
    await page.getByRole('heading', { name: 'SW tầng 2' }).waitFor();
    await page.getByRole('button', { name: 'Xóa', exact: true }).click();
    expect(await axeProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Xóa hẳn' }).click();
    await page.getByRole('heading', { name: 'Đăng ký thiết bị' }).waitFor();
    await t.http().get(`/api/v1/devices/${saved.id}`).expect(404);
    // Paging over the province's devices: the next page starts at 51.
    await page.getByLabel('Tìm (không cần dấu)').fill('');
    await page.getByRole('button', { name: 'Sau →' }).click();
    await page.getByText(`51–100 / ${total.toLocaleString('vi-VN')}`).waitFor();
    await page.close();
  });

  it('lets an admin make an account; a planner cannot reach the accounts page, nor the API behind it', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Tài khoản' }).click();
    await page.getByRole('heading', { name: 'Tạo tài khoản' }).waitFor();
    await page.getByLabel('Tên đăng nhập').fill('kehoach1');
    await page.getByLabel('Họ tên, đơn vị').fill('Trần Thị B — Phòng Kế hoạch');
    await page.getByLabel('Mật khẩu').fill('short');
    await page.getByLabel('Vai trò').selectOption('planner');
    await page.getByRole('button', { name: 'Lưu' }).click();
    // The server's rule for passwords, in Vietnamese, beside the field.
    expect(await page.locator('#user-password-error').textContent()).toBe('mật khẩu phải có từ 12 đến 200 ký tự');
    await page.getByLabel('Mật khẩu').fill(password);
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('tr[data-username="kehoach1"]').waitFor();
    expect(await page.locator('tr[data-username="kehoach1"]').textContent()).toContain('Kế hoạch');
    expect(await axeProblems(page)).toEqual([]);
    await page.close();

    const planner = await signIn('kehoach1');
    await planner.locator('table.targets tbody tr').first().waitFor();
    expect(await planner.getByRole('link', { name: 'Tài khoản' }).count()).toBe(0);
    // Typing the address leads back to the plans, and the API refuses the planner.
    await planner.goto(`${base}/users`);
    await planner.waitForURL(/\/plans\//);
    const refused = await planner.evaluate(async () => (await fetch('/api/v1/users')).status);
    expect(refused).toBe(403);
    await planner.close();
  });

  it('imports a spreadsheet: a dry run naming the bad row, then the fixed file row by row, then the import', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Nhập bảng tính' }).click();
    await page.getByRole('heading', { name: 'Nhập bảng tính' }).waitFor();
    const agencyCode = (await t.http().get('/api/v1/agencies').query({ q: 'UBND', limit: 1, sort: 'name' }).expect(200)).body.items[0].code as string;
    const csv = (date: string) => Buffer.from(`kind,agencyCode,serialNumber,commissionedOn\nrouter,${agencyCode},IMP-1,01/03/2020\nswitch,${agencyCode},IMP-2,${date}\n`);
    await page.getByLabel('Tệp').setInputFiles({ name: 'thiet-bi.csv', mimeType: 'text/csv', buffer: csv('31/02/2020') });
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    const problems = page.locator('table.import-problems tbody tr');
    await problems.first().waitFor();
    expect(await problems.count()).toBe(1);
    expect(await problems.first().locator('td').allTextContents()).toEqual(['3', 'commissionedOn', 'commissionedOn phải là một ngày có thật, dạng YYYY-MM-DD, từ năm 1900 đến năm 2199']);
    expect(await page.getByRole('button', { name: 'Nhập', exact: true }).isDisabled()).toBe(true);
    expect(await axeProblems(page)).toEqual([]);
    // The fixed file: what each row would do, nothing written yet.
    await page.getByLabel('Tệp').setInputFiles({ name: 'thiet-bi.csv', mimeType: 'text/csv', buffer: csv('28/02/2020') });
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await page.locator('table.import-plan tbody tr').nth(1).waitFor();
    expect(await page.locator('table.import-plan tbody tr').allTextContents()).toEqual(['2Tạo mớiIMP-1', '3Tạo mớiIMP-2']);
    expect((await t.http().get('/api/v1/devices').query({ q: 'IMP-' }).expect(200)).body.total).toBe(0);
    await page.getByRole('button', { name: 'Nhập', exact: true }).click();
    await page.getByText(/^Đã nhập: 2 tạo mới, 0 cập nhật, 0 không đổi \/ 2 dòng$/).waitFor();
    const imported = (await t.http().get('/api/v1/devices').query({ q: 'IMP-', sort: 'serialNumber' }).expect(200)).body.items;
    expect(imported.map((d: { serialNumber: string; commissionedOn: string }) => [d.serialNumber, d.commissionedOn])).toEqual([['IMP-1', '2020-03-01'], ['IMP-2', '2020-02-28']]);
    await page.close();
  });

  it('takes a reported indicator\'s value on its target page, and freezes the year into a report', async () => {
    const all = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ missingLimit: 0 }).expect(200)).body.targets as Array<{ indicator: { code: string; kind: string }; year: number; value: number | null }>;
    const reported = all.find((x) => x.indicator.kind === 'reported' && x.value === null)!;
    expect(reported).toBeDefined();
    const page = await signIn('demo');
    await page.locator('table.targets tbody tr').first().waitFor();
    await page.goto(`${base}/plans/${planId}/targets/${reported.indicator.code}?year=${reported.year}`);
    await page.getByRole('heading', { name: `Nhập số liệu báo cáo năm ${reported.year}` }).waitFor();
    await page.getByLabel('Giá trị (%)').fill('150');
    await page.getByLabel('Nguồn (văn bản, báo cáo)').fill('Báo cáo số 12/BC-STTTT');
    await page.getByRole('button', { name: 'Lưu' }).click();
    expect(await page.locator('#rv-value-error').textContent()).toBe('value không được lớn hơn 100');
    await page.getByLabel('Giá trị (%)').fill('87,5');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã lưu').waitFor();
    await page.getByText('Nguồn số liệu: Báo cáo số 12/BC-STTTT').waitFor();
    const now = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: reported.year, missingLimit: 0 }).expect(200)).body.targets.find((x: { indicator: { code: string } }) => x.indicator.code === reported.indicator.code);
    expect(now.value).toBe(87.5);
    // Back on the plan page: freeze the year.
    await page.getByRole('link', { name: '← Kế hoạch' }).click();
    await page.getByText('Chưa có báo cáo nào được chốt.').waitFor();
    await page.getByRole('button', { name: `Chốt số liệu năm ${reported.year}` }).click();
    await page.locator('table.reports tbody tr').first().waitFor();
    expect(await page.locator('table.reports tbody tr').first().textContent()).toContain(`Báo cáo năm ${reported.year}`);
    const reports = (await t.http().get(`/api/v1/plans/${planId}/reports`).expect(200)).body;
    expect(reports.total).toBe(1);
    await page.close();
  });

  it('lists agencies, LANs, WAN links and units, searched without diacritics, with the API\'s totals', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Thiết bị', exact: true }).click();
    const sub = page.getByRole('navigation', { name: 'Danh mục' });
    for (const [link, path] of [['Cơ quan', 'agencies'], ['Mạng LAN', 'lans'], ['Đường truyền WAN', 'wan-links'], ['Đơn vị hành chính', 'administrative-units']] as const) {
      await sub.getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: link, exact: true }).waitFor();
      const total = (await t.http().get(`/api/v1/${path}`).query({ limit: 1 }).expect(200)).body.total as number;
      await page.getByText(`1–${Math.min(50, total)} / ${total.toLocaleString('vi-VN')}`).waitFor();
    }
    expect(await axeProblems(page)).toEqual([]);
    // Units: "binh dinh" ranks the province first, as the API does.
    await page.getByLabel('Tìm (không cần dấu)').fill('binh dinh');
    await page.locator('table tbody tr th', { hasText: 'Tỉnh Bình Định' }).first().waitFor();
    expect(await page.locator('table tbody tr th').first().textContent()).toBe('Tỉnh Bình Định');
    // Agencies: "hoai nhon" finds the agencies of Hoài Nhơn.
    await sub.getByRole('link', { name: 'Cơ quan' }).click();
    // The agencies' page first: typed too early, the search would land in the units' box.
    await page.getByRole('heading', { name: 'Thêm cơ quan' }).waitFor();
    await page.getByLabel('Tìm (không cần dấu)').fill('hoai nhon');
    const expected = (await t.http().get('/api/v1/agencies').query({ q: 'hoai nhon', limit: 1 }).expect(200)).body.total as number;
    await page.getByText(`1–${Math.min(50, expected)} / ${expected.toLocaleString('vi-VN')}`).waitFor();
    expect((await page.locator('table tbody tr th').allTextContents()).every((n) => /Hoài Nhơn/.test(n))).toBe(true);
    await page.close();
  });

  it('filters and sorts the device list with the API\'s filters, kept in the page\'s address', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Thiết bị', exact: true }).click();
    await page.locator('table.list-devices tbody tr').first().waitFor();
    const shown = async (query: Record<string, string>) => {
      const total = (await t.http().get('/api/v1/devices').query({ ...query, limit: 1 }).expect(200)).body.total as number;
      expect(total).toBeGreaterThan(0);
      await page.locator('nav.pager span').getByText(`1–${Math.min(50, total)} / ${total.toLocaleString('vi-VN')}`).waitFor({ timeout: 10_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; the pager says ${await page.locator('nav.pager span').textContent()}`);
      });
      return total;
    };
    const all = await shown({});
    await page.getByLabel('Lọc theo loại').selectOption({ label: 'Máy trạm' });
    const workstations = await shown({ kind: 'workstation' });
    // The area by its name, chosen from the suggestions: Hoài Nhơn and everything in it.
    await page.getByLabel('Địa bàn').fill('Thị xã Hoài Nhơn (543)');
    const inHoaiNhon = await shown({ kind: 'workstation', administrativeUnit: '543' });
    expect(inHoaiNhon).toBeLessThan(workstations);
    // Sorted by model, then the other way: the first row is the API's first.
    const model = page.getByRole('columnheader', { name: /Model/ });
    await model.getByRole('button').click();
    await page.locator('th[aria-sort="ascending"]', { hasText: 'Model' }).waitFor();
    await model.getByRole('button').click();
    await page.locator('th[aria-sort="descending"]', { hasText: 'Model' }).waitFor();
    const first = (await t.http().get('/api/v1/devices').query({ kind: 'workstation', administrativeUnit: '543', sort: '-model', limit: 1 }).expect(200)).body.items[0];
    await page.locator('table.list-devices[aria-busy="false"]').waitFor();
    expect(await page.locator('table.list-devices tbody tr').first().getAttribute('data-name')).toBe(first.serialNumber);
    // The address holds the list as it is: reloaded, the same figures and the area's name in its box.
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ kind: 'workstation', sort: '-model' });
    await page.reload();
    await shown({ kind: 'workstation', administrativeUnit: '543' });
    await expect(page.getByLabel('Địa bàn').inputValue()).resolves.toBe('Thị xã Hoài Nhơn (543)');
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'devices-filtered-vi.png') });
    // A day that does not exist, or is not written as a day: said beside the box, and the list stays as it was.
    for (const typed of ['31/02/2015', '31.12.2015']) {
      await page.getByLabel('Đang hoạt động vào ngày').fill(typed);
      await page.getByText('Không có ngày này: viết ngày dạng dd/mm/yyyy', { exact: false }).waitFor();
      expect(await page.getByLabel('Đang hoạt động vào ngày').getAttribute('aria-invalid')).toBe('true');
      await shown({ kind: 'workstation', administrativeUnit: '543' });
    }
    // A real day filters: the workstations in service on it.
    await page.getByLabel('Đang hoạt động vào ngày').fill('31/12/2012');
    await shown({ kind: 'workstation', administrativeUnit: '543', activeOn: '2012-12-31' });
    // The area's box emptied: the area's filter goes, the others stay.
    await page.getByLabel('Địa bàn').fill('');
    await shown({ kind: 'workstation', activeOn: '2012-12-31' });
    expect(new URL(page.url()).searchParams.get('administrativeUnit')).toBeNull();
    // Cleared: every device again.
    await page.getByRole('button', { name: 'Bỏ lọc' }).click();
    await shown({});
    expect(all).toBeGreaterThan(workstations);
    expect(await page.getByLabel('Địa bàn').inputValue()).toBe('');
    await page.close();
  });

  it('lets an admin add an administrative unit, the server\'s error beside its field', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Thiết bị', exact: true }).click();
    await page.getByRole('navigation', { name: 'Danh mục' }).getByRole('link', { name: 'Đơn vị hành chính' }).click();
    await page.getByRole('heading', { name: 'Thêm đơn vị hành chính' }).waitFor();
    await page.locator('#unit-code').fill('5a');
    await page.locator('#unit-name').fill('Xã Thử Nghiệm');
    await page.locator('#unit-level').selectOption('commune');
    await page.locator('#unit-type').fill('Xã');
    await page.locator('#unit-parentId').fill('Thị xã Hoài Nhơn (543)');
    await page.locator('#unit-validFrom').fill('01/07/2025');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#unit-code-error').waitFor();
    expect(await page.locator('#unit-code').getAttribute('aria-invalid')).toBe('true');
    expect((await t.http().get('/api/v1/administrative-units').query({ q: 'thu nghiem' }).expect(200)).body.total).toBe(0);
    await page.locator('#unit-code').fill('99999');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã lưu').waitFor();
    const saved = (await t.http().get('/api/v1/administrative-units').query({ code: '99999' }).expect(200)).body.items[0];
    const hoaiNhon = (await t.http().get('/api/v1/administrative-units').query({ code: '543' }).expect(200)).body.items[0];
    expect(saved).toMatchObject({ name: 'Xã Thử Nghiệm', level: 'commune', type: 'Xã', parentId: hoaiNhon.id, validFrom: '2025-07-01' });
    await page.close();
    // Gone again: the later tests count the demo's communes.
    await t.http().delete(`/api/v1/administrative-units/${saved.id}`).expect(204);
  });

  it('adds a LAN and a WAN link from their lists, the server\'s errors beside the fields', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.locator('table.targets tbody tr').first().waitFor();
    await page.goto(`${base}/lans`);
    await page.getByRole('heading', { name: 'Thêm mạng LAN' }).waitFor();
    const agency = (await t.http().get('/api/v1/agencies').query({ q: 'UBND', limit: 1, sort: 'name' }).expect(200)).body.items[0] as { id: string; name: string; code: string };
    const before = (await t.http().get('/api/v1/lans').query({ agencyId: agency.id }).expect(200)).body.total as number;
    await page.locator('#create-agencyId').fill(agency.name);
    await page.locator(`#create-agencyId-options option[value="${agency.name} (${agency.code})"]`).waitFor({ state: 'attached' });
    await page.locator('#create-agencyId').fill(`${agency.name} (${agency.code})`);
    await page.getByLabel('Tên', { exact: true }).fill('LAN tầng 3');
    await page.getByLabel('Số phòng ban đã kết nối').fill('7');
    await page.getByLabel('Tổng số phòng ban').fill('5');
    await page.getByLabel('Ngày đưa vào sử dụng').fill('01/06/2021');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('#create-departmentsJoined-error').waitFor();
    expect(await page.locator('#create-departmentsJoined-error').textContent()).toBe('kết nối 7 phòng ban nhưng cơ quan chỉ có 5');
    expect(await axeProblems(page)).toEqual([]);
    await page.getByLabel('Số phòng ban đã kết nối').fill('5');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã lưu').waitFor();
    const lans = (await t.http().get('/api/v1/lans').query({ agencyId: agency.id, sort: '-commissionedOn' }).expect(200)).body;
    expect(lans.total).toBe(before + 1);
    expect(lans.items[0]).toMatchObject({ name: 'LAN tầng 3', departmentsJoined: 5, departmentsTotal: 5, commissionedOn: '2021-06-01' });
    // Edited in place from the list (only what changed, with its version), then deleted after a confirmation.
    await page.getByLabel('Tìm (không cần dấu)').fill('lan tang 3');
    await page.getByRole('button', { name: 'LAN tầng 3' }).click();
    await page.getByRole('heading', { name: 'Sửa', exact: true }).waitFor();
    expect(await page.locator('#edit-commissionedOn').inputValue()).toBe('01/06/2021');
    await page.locator('#edit-departmentsTotal').fill('6');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã lưu').waitFor();
    expect((await t.http().get(`/api/v1/lans/${lans.items[0].id}`).expect(200)).body).toMatchObject({ departmentsJoined: 5, departmentsTotal: 6, name: 'LAN tầng 3' });
    expect(await axeProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Xóa', exact: true }).click();
    await page.getByRole('button', { name: 'Xóa hẳn' }).click();
    await page.getByRole('heading', { name: 'Thêm mạng LAN' }).waitFor();
    await t.http().get(`/api/v1/lans/${lans.items[0].id}`).expect(404);

    await page.getByRole('navigation', { name: 'Danh mục' }).getByRole('link', { name: 'Đường truyền WAN' }).click();
    await page.getByRole('heading', { name: 'Thêm đường truyền WAN' }).waitFor();
    await page.locator('#create-agencyId').fill(agency.name);
    await page.locator(`#create-agencyId-options option[value="${agency.name} (${agency.code})"]`).waitFor({ state: 'attached' });
    await page.locator('#create-agencyId').fill(`${agency.name} (${agency.code})`);
    await page.locator('#create-medium').selectOption('fibre');
    await page.locator('#create-bandwidthMbps').fill('100');
    await page.locator('#create-provider').fill('VNPT');
    await page.getByLabel('Mã đường truyền').fill('WEB-WAN-1');
    await page.getByLabel('Ngày đưa vào sử dụng').fill('02/06/2021');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByRole('status').getByText('Đã lưu').waitFor();
    const link = (await t.http().get('/api/v1/wan-links').query({ q: 'WEB-WAN-1' }).expect(200)).body.items[0];
    expect(link).toMatchObject({ network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, provider: 'VNPT', commissionedOn: '2021-06-02', agencyId: agency.id });
    await page.close();
  });

  it('sets the provinces side by side on the whole country\'s page, with the API\'s figures; a district\'s planner sees its own row', async () => {
    const page = await signIn('demo', { bypassCSP: true });
    await page.locator('table.targets tbody tr').first().waitFor();
    await page.getByRole('link', { name: 'Toàn quốc' }).click();
    await page.getByRole('heading', { name: 'Toàn quốc' }).waitFor();
    await page.locator('#overview-indicator').selectOption('staff_computers_district_up');
    await page.locator('#overview-year').fill('2014');
    const api = (await t.http().get('/api/v1/coverage/overview').query({ indicator: 'staff_computers_district_up', year: 2014 }).expect(200)).body.provinces[0];
    const row = page.locator('table.overview tbody tr[data-code="52"]');
    await row.getByText(`(${api.numerator.toLocaleString('vi-VN')}/${api.denominator.toLocaleString('vi-VN')})`).waitFor();
    expect(await row.textContent()).toContain(`${api.value.toLocaleString('vi-VN', { minimumFractionDigits: 2 })}%`);
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, 'overview-vi.png') });
    await page.close();
    const district = await signIn('quynhon');
    await district.getByRole('link', { name: 'Toàn quốc' }).click();
    await district.locator('table.overview tbody tr').first().waitFor();
    expect(await district.locator('table.overview tbody tr th').allTextContents()).toEqual(['Thành phố Quy Nhơn']);
    await district.close();
  });

  it('gives a district\'s planner the district\'s figures', async () => {
    const page = await signIn('quynhon');
    await page.getByText('Phạm vi: Thành phố Quy Nhơn').waitFor();
    await page.getByText('Phòng VH-TT Quy Nhơn · Thành phố Quy Nhơn').waitFor();
    await page.close();
  });

  it('shows the fleet live: a device that stops answering is listed as down, then leaves the list when it comes back', async () => {
    const page = await signIn('demo');
    await page.getByRole('link', { name: 'Mạng thiết bị' }).click();
    const upCard = page.locator('[data-state="up"] .count');
    await page.locator('[data-state="up"] .count', { hasText: /^3$/ }).waitFor({ timeout: 30_000 });
    expect(await upCard.textContent()).toBe('3');
    const flapping = agents.devices[agents.devices.length - 1];
    agents.flapping.goDown();
    // No reload: the page asks again every 10 seconds.
    const row = page.locator(`tr[data-device="${flapping.id}"]`);
    await row.waitFor({ timeout: 40_000 });
    expect(await row.textContent()).toContain(`127.0.0.1:${flapping.port}`);
    // Named as an admin knows it (model and serial when it has no name), the reason in Vietnamese.
    expect(await row.locator('th').textContent()).toBe(flapping.name);
    expect(await row.textContent()).toContain('Không trả lời (hết thời gian chờ)');
    expect(await page.locator('[data-state="down"] .count').textContent()).toBe('1');
    await page.screenshot({ path: join(SHOTS, 'fleet-vi.png'), fullPage: true });
    // Its page: down since when, the open outage on the timeline.
    await row.getByRole('link').click();
    await page.getByRole('heading', { name: flapping.name! }).waitFor();
    await page.locator('[data-testid="poll"] .pill', { hasText: 'Mất kết nối' }).waitFor();
    await page.locator('table.outages tbody tr', { hasText: 'đang diễn ra' }).waitFor();
    expect(await page.locator('svg.timeline rect.tl-down').count()).toBeGreaterThanOrEqual(1);
    await page.locator('table.availability tr[data-days="7"] td.num').first().filter({ hasText: '%' }).waitFor();
    // What it says of itself: where it is and who looks after it.
    expect(await page.locator('[data-testid="poll"]').textContent()).toContain(`sysContact${DEMO_CONTACT}`);
    expect(await page.locator('[data-testid="poll"]').textContent()).toMatch(/sysLocationPhòng máy, /);
    // The reason in Vietnamese, and the poller's own words beneath it; when it booted.
    expect(await page.locator('[data-testid="failure"]').textContent()).toMatch(/^Không trả lời \(hết thời gian chờ\)no answer from 127\.0\.0\.1:\d+/);
    expect(await page.locator('[data-testid="booted"]').textContent()).toMatch(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
    // Its interfaces as IF-MIB lists them, status in words.
    await page.locator('table.interfaces tr[data-if="Gi0/1"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('table.interfaces tr[data-if="Gi0/1"]').textContent()).toBe('1Gi0/1WAN tỉnh (VNPT)ethernetCsmacd1 GbpsBậtBật');
    expect(await page.locator('table.interfaces tr[data-if="Gi0/4"]').textContent()).toContain('TắtTắt');
    // An admin marks a port monitored: saved (read back from the server), then unmarked.
    const mark = page.getByRole('checkbox', { name: 'Giám sát Gi0/3' });
    await mark.check();
    await page.locator('table.interfaces tr[data-if="Gi0/3"] input:checked:not([disabled])').waitFor();
    const saved = (await t.http().get(`/api/v1/devices/${flapping.id}/interfaces`)).body.items.find((i: { name: string }) => i.name === 'Gi0/3');
    expect(saved.monitored).toBe(true);
    await mark.uncheck();
    await page.locator('table.interfaces tr[data-if="Gi0/3"] input:not(:checked):not([disabled])').waitFor();
    // What it hears over LLDP: an access point nobody registered.
    const heard = page.locator('table.neighbours tr[data-port="Gi0/2"]');
    await heard.waitFor({ timeout: 20_000 });
    expect(await heard.textContent()).toBe('Gi0/2ap-tang1 00:1e:7a:00:00:aaeth0 Wi-Fi tầng 1chưa có trong danh mục');
    await page.screenshot({ path: join(SHOTS, 'device-vi.png'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('[data-testid="poll"] .pill', { hasText: 'Down' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'device-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.locator('[data-testid="poll"] .pill', { hasText: 'Mất kết nối' }).waitFor();
    await page.goBack();
    await row.waitFor();
    agents.flapping.comeBack();
    await row.waitFor({ state: 'detached', timeout: 40_000 });
    expect(await page.locator('[data-state="down"] .count').textContent()).toBe('0');
    // The first two demo agents hear each other over LLDP: one link proposed, heard from both ends.
    await page.reload();
    const link = page.locator('table.proposed-links tbody tr');
    await link.first().waitFor({ timeout: 20_000 });
    expect(await link.count()).toBe(1);
    const [first, second] = agents.devices;
    expect([await link.locator('td').nth(0).textContent(), await link.locator('td').nth(2).textContent()].sort()).toEqual([first.name, second.name].sort());
    expect(await link.locator('td').nth(4).textContent()).toBe('cả hai đầu');
    await page.screenshot({ path: join(SHOTS, 'fleet-links-vi.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it("shows on the plan's page how much the province's WAN links are used, measured on their ports", async () => {
    const [first] = agents.devices;
    const iface = await until('the first agent\'s interfaces', async () => ((await t.http().get(`/api/v1/devices/${first.id}/interfaces`)).body.items ?? []).find((i: { name: string }) => i.name === 'Gi0/1'));
    const agencyId = (await t.http().get(`/api/v1/devices/${first.id}`).expect(200)).body.agencyId;
    const agencyName = (await t.http().get(`/api/v1/agencies/${agencyId}`).expect(200)).body.name;
    const link = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 50, deviceId: first.id, interfaceName: 'Gi0/1', commissionedOn: '2024-01-01' }).expect(201)).body;
    // A day of 5-minute points as the poller writes them: 45 Mbit/s in, 5 out, on a 50 Mbit/s contract.
    const slot = 300_000;
    const end = Date.now() - (Date.now() % slot);
    const day = Array.from({ length: 288 }, (_, k) => ({ ifIndex: 1, at: end - (288 - k) * slot, inBps: 45e6, outBps: 5e6, inErrorsPerSecond: 0, outErrorsPerSecond: 0, seconds: 300 }));
    await t.app.get(PollingStore).flush([{ deviceId: first.id, memory: emptyMemory(), events: [], changed: false, polledAt: end, points: day }]);
    try {
      const page = await signIn('demo');
      await page.getByRole('heading', { name: 'Mức sử dụng đường truyền WAN (7 ngày qua)' }).waitFor();
      const summary = await page.getByTestId('link-use-summary').textContent();
      const use = (await t.http().get('/api/v1/traffic/wan-links').query({ within: (await t.http().get(`/api/v1/plans/${planId}`)).body.administrativeUnitId, days: 7 })).body;
      expect(summary).toBe(`${use.summary.links.toLocaleString('vi-VN')} đường truyền đang hoạt động · 1 có số liệu đo · 1 quá tải (≥ 80%) · 0 gần như không dùng (< 1%) · 0 cổng chậm hơn băng thông hợp đồng`);
      const row = page.locator(`table.link-use tr[data-link="${link.id}"]`);
      expect(await row.textContent()).toBe(`${agencyName}50 Mbit/s1.000 Mbit/s45 Mbit/s5,0 Mbit/s90,0%`);
      expect(await row.locator('.use.busy').count()).toBe(1);
      await page.getByTestId('link-use-summary').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'plan-link-use-vi.png') });
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'WAN link use (last 7 days)' }).waitFor();
      expect(await row.textContent()).toBe(`${agencyName}50 Mbit/s1,000 Mbit/s45 Mbit/s5.0 Mbit/s90.0%`);
      await page.getByTestId('link-use-summary').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, 'plan-link-use-en.png') });
      await page.getByRole('button', { name: 'Tiếng Việt' }).click();
      await page.close();
    } finally {
      await t.http().delete(`/api/v1/wan-links/${link.id}`).expect(204);
    }
    expect(iface.speedMbps).toBe(1000);
  }, 60_000);

  it('discovers devices: credentials stored, a sweep of three addresses, the answering ones registered under an agency, a refused row named', async () => {
    const known = await SimulatedDevice.start({ address: '127.0.0.31', communities: ['xa-web-7'], sysName: 'sw-web-01', sysObjectID: '1.3.6.1.4.1.9.1.2134', chassis: { serialNumber: 'WEB-FOC-31', model: 'C1000-24T', manufacturer: 'Cisco' } });
    const other = await SimulatedDevice.start({ address: '127.0.0.32', port: known.port, communities: ['xa-web-7'], sysName: 'ap-web-02', sysObjectID: '1.3.6.1.4.1.14988.1' });
    try {
      const page = await signIn('demo', { bypassCSP: true });
      await page.getByRole('link', { name: 'Dò tìm thiết bị' }).click();
      await page.getByRole('heading', { name: 'Dò tìm thiết bị' }).waitFor();
      // A credential stored by name: its community never comes back.
      const cred = page.getByRole('form', { name: 'Lưu thông tin xác thực' });
      await cred.getByLabel('Tên').fill('v2c-web');
      await cred.getByLabel('Community').fill('xa-web-7');
      await cred.getByRole('button', { name: 'Lưu' }).click();
      await page.locator('section[aria-labelledby="cred-title"] table td', { hasText: 'v2c-web' }).waitFor();
      expect(await page.content()).not.toContain('xa-web-7');
      // A sweep of two agents and a silent address, on the agents' port.
      await page.getByLabel('Dải hoặc danh sách địa chỉ').fill('127.0.0.31 127.0.0.32 127.0.0.33');
      await page.getByRole('checkbox', { name: 'v2c-web' }).check();
      await page.getByLabel('Cổng SNMP').fill(String(known.port));
      await page.getByRole('button', { name: 'Bắt đầu dò' }).click();
      await page.getByRole('heading', { name: /Lượt dò 3 địa chỉ · đã xong/ }).waitFor({ timeout: 20_000 });
      expect(await page.locator('table.discovered tbody tr').count()).toBe(2);
      expect(await page.locator('table.discovered tbody tr').first().textContent()).toContain('Cisco C1000-24T');
      expect(await page.locator('table.discovered tbody tr').nth(1).textContent()).toContain('MikroTik');
      // Both picked, under an agency found by name; the first as a router.
      const agency = (await t.http().get('/api/v1/agencies').query({ q: 'UBND', limit: 1, sort: 'name' }).expect(200)).body.items[0] as { id: string; name: string; code: string };
      await page.getByRole('checkbox', { name: 'Chọn 127.0.0.31' }).check();
      await page.getByRole('checkbox', { name: 'Chọn 127.0.0.32' }).check();
      await page.getByLabel('Loại 127.0.0.31').selectOption('router');
      await page.getByLabel('Đăng ký vào cơ quan').fill(`${agency.name} (${agency.code})`);
      await page.getByRole('button', { name: 'Đăng ký các thiết bị đã chọn (2)' }).click();
      await page.getByText('Đã đăng ký: sw-web-01, ap-web-02').waitFor();
      const registered = (await t.http().get('/api/v1/devices').query({ agencyId: agency.id, q: 'web-0' }).expect(200)).body.items as Array<{ name: string; kind: string; managementAddress: string }>;
      expect(registered.map((d) => `${d.name} ${d.kind} ${d.managementAddress}`).sort()).toEqual(['ap-web-02 switch 127.0.0.32', 'sw-web-01 router 127.0.0.31']);
      // Read again, each row names the device it now is.
      await page.locator('table.discovered tbody tr', { hasText: 'trùng số serial, trùng địa chỉ quản lý, trùng tên' }).waitFor();
      // Registered twice: refused, the reason on its row, nothing written.
      await page.getByRole('checkbox', { name: 'Chọn 127.0.0.31' }).check();
      await page.getByRole('button', { name: 'Đăng ký các thiết bị đã chọn (1)' }).click();
      const rowProblem = page.locator('table.discovered tbody tr').first().locator('.error[role="alert"]');
      await rowProblem.waitFor();
      expect(await rowProblem.textContent()).toContain('WEB-FOC-31');
      expect((await t.http().get('/api/v1/devices').query({ serialNumber: 'WEB-FOC-31' }).expect(200)).body.total).toBe(1);
      expect(await axeProblems(page)).toEqual([]);
      await page.screenshot({ path: join(SHOTS, 'discovery-vi.png'), fullPage: true });
      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: /Sweep 3 addresses · done/ }).waitFor();
      await page.screenshot({ path: join(SHOTS, 'discovery-en.png'), fullPage: true });
      await page.getByRole('button', { name: 'Tiếng Việt' }).click();
      await page.close();
    } finally {
      // The registered devices go before their agents stop: polled and silent, they would go down and raise alerts in the tests after this one.
      for (const serial of ['WEB-FOC-31']) {
        const found = (await t.http().get('/api/v1/devices').query({ serialNumber: serial })).body.items as Array<{ id: string }>;
        for (const d of found) await t.http().delete(`/api/v1/devices/${d.id}`).expect(204);
      }
      const named = (await t.http().get('/api/v1/devices').query({ q: 'ap-web-02' })).body.items as Array<{ id: string; name: string }>;
      for (const d of named.filter((x) => x.name === 'ap-web-02')) await t.http().delete(`/api/v1/devices/${d.id}`).expect(204);
      await known.stop();
      await other.stop();
    }
  }, 60_000);

  it('alerts: a channel and a rule made in the console, the incident of a device that goes down acknowledged there, its notices and their attempts, in both languages', async () => {
    // A browser in Vietnam: the console's times and the notices' (written in Vietnam time) agree.
    const page = await signIn('demo', { timezoneId: 'Asia/Ho_Chi_Minh' });
    await page.getByRole('link', { name: 'Cảnh báo' }).click();
    await page.getByRole('heading', { name: 'Sự cố' }).waitFor();
    await page.getByRole('link', { name: 'Kênh thông báo' }).click();
    const channelForm = page.locator('form[aria-labelledby="new-channel-title"]');
    await channelForm.getByLabel('Tên').fill('Quản trị mạng Sở TT&TT');
    await channelForm.getByLabel('Người nhận').fill('netadmin@binhdinh.gov.vn, khong-phai-dia-chi');
    await channelForm.getByRole('button', { name: 'Lưu' }).click();
    // The server's message beside the field, in Vietnamese; nothing stored.
    await channelForm.locator('#channel-recipients-error', { hasText: 'mỗi người nhận phải là một địa chỉ thư điện tử' }).waitFor();
    expect((await t.http().get('/api/v1/alerts/channels').expect(200)).body.total).toBe(0);
    await channelForm.getByLabel('Người nhận').fill('netadmin@binhdinh.gov.vn');
    await channelForm.getByRole('button', { name: 'Lưu' }).click();
    const channelRow = page.locator('table.channels tbody tr', { hasText: 'Quản trị mạng Sở TT&TT' });
    await channelRow.waitFor();
    // A test notice: the SMTP server's answer under the button, the e-mail at the server.
    await channelRow.getByRole('button', { name: 'Gửi thử' }).click();
    await channelRow.getByRole('status').getByText(/^Đã gửi thử: 250 /).waitFor();
    await until('the test e-mail', () => smtp.mails.some((m) => m.subject.startsWith('[Hatang] THỬ:')));
    await page.screenshot({ path: join(SHOTS, 'alert-channels-vi.png'), fullPage: true });

    await page.getByRole('link', { name: 'Quy tắc cảnh báo' }).click();
    const ruleForm = page.locator('form[aria-labelledby="new-rule-title"]');
    await ruleForm.getByLabel('Tên').fill('Thiết bị cấp tỉnh mất kết nối');
    await ruleForm.getByLabel('Kéo dài ít nhất (phút)').fill('');
    await ruleForm.getByLabel(/Quản trị mạng Sở TT&TT/).check();
    await ruleForm.getByRole('button', { name: 'Lưu' }).click();
    await ruleForm.locator('#rule-minutes-error', { hasText: 'quy tắc loại "thiết bị mất kết nối" cần minutes' }).waitFor();
    await ruleForm.getByLabel('Kéo dài ít nhất (phút)').fill('0');
    await ruleForm.getByLabel('Nhắc lại mỗi (phút)').fill('30');
    await ruleForm.getByRole('button', { name: 'Lưu' }).click();
    await page.locator('table.rules tbody tr', { hasText: 'Thiết bị cấp tỉnh mất kết nối' }).waitFor();
    const rules = (await t.http().get('/api/v1/alerts/rules').expect(200)).body.items;
    expect(rules).toEqual([expect.objectContaining({ kind: 'device_down', minutes: 0, reminderMinutes: 30 })]);
    await page.screenshot({ path: join(SHOTS, 'alert-rules-vi.png'), fullPage: true });

    const flapping = agents.devices[agents.devices.length - 1];
    agents.flapping.goDown();
    await page.getByRole('link', { name: 'Sự cố', exact: true }).click();
    // No reload: the page asks again every 10 seconds.
    const row = page.locator('table.incidents tbody tr[data-incident]', { hasText: flapping.name! });
    await row.waitFor({ timeout: 40_000 });
    const [incident] = (await t.http().get('/api/v1/alerts/incidents').query({ state: 'open' }).expect(200)).body.items;
    expect(await row.locator('th').textContent()).toBe(incident.summary);
    await until('the incident\'s e-mail', () => smtp.mails.some((m) => m.subject === `[Hatang] SỰ CỐ: ${incident.summary}`));
    await row.getByRole('button', { name: 'Xác nhận' }).click();
    // Who acknowledged, as the audit log names the signed-in account, and when.
    await row.getByText(/^Demo admin.* · \d\d\/\d\d\/\d{4} \d\d:\d\d$/).waitFor();
    const acked = (await t.http().get(`/api/v1/alerts/incidents/${incident.id}`).expect(200)).body;
    expect(await row.locator('td').nth(3).textContent()).toMatch(new RegExp(`^${acked.acknowledgedBy.replace(/[()]/g, '\\$&')} · `));
    await row.getByRole('button', { name: 'Xem thông báo' }).click();
    const notice = page.locator('table.deliveries tbody tr').first();
    await notice.getByText('Đã gửi', { exact: true }).waitFor();
    expect(await notice.locator('th').textContent()).toBe('Báo sự cố');
    expect(await notice.locator('ol.attempts li').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'alerts-vi.png'), fullPage: true });

    agents.flapping.comeBack();
    await page.getByLabel('Xem').selectOption('all');
    await row.locator('td', { hasText: /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/ }).nth(1).waitFor({ timeout: 40_000 });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByRole('columnheader', { name: 'Acknowledged' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'alerts-en.png'), fullPage: true });
    await page.getByRole('link', { name: 'Alert rules' }).click();
    await page.getByRole('columnheader', { name: 'Condition' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'alert-rules-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.close();
  }, 120_000);

  it('after the demo is carried across the reorganisation: ended agencies marked, the list filtered to those existing on a day, in both languages', async () => {
    await t.app.get(DemoReorganisation).carryAcross();
    const page = await signIn('demo', { bypassCSP: true });
    await page.getByRole('link', { name: 'Thiết bị', exact: true }).click();
    await page.getByRole('navigation', { name: 'Danh mục' }).getByRole('link', { name: 'Cơ quan' }).click();
    await page.getByRole('heading', { name: 'Thêm cơ quan' }).waitFor();
    // Trần Quang Diệu's committee ended with its commune on 2025-07-01; its health station is in the new commune (Quy Nhơn Bắc) since.
    await page.getByLabel('Tìm (không cần dấu)').fill('tran quang dieu');
    await page.getByText('1–2 / 2').waitFor();
    await page.locator('table tbody tr td', { hasText: 'Đã kết thúc từ 01/07/2025' }).waitFor();
    await page.locator('table tbody tr td', { hasText: 'Thuộc đơn vị hiện tại từ 01/07/2025' }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'agencies-reorganised-vi.png'), fullPage: true });
    await page.getByLabel('Còn tồn tại vào ngày').fill('2026-01-01');
    await page.getByText('1–1 / 1').waitFor();
    expect(await page.locator('table tbody tr td', { hasText: 'Thuộc đơn vị hiện tại từ 01/07/2025' }).count()).toBe(1);
    expect(await axeProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('columnheader', { name: 'Validity' }).waitFor();
    await page.locator('table tbody tr td', { hasText: 'In its present unit since 01/07/2025' }).waitFor();
    await page.getByLabel('Existing on').fill('');
    await page.getByText('1–2 / 2').waitFor();
    await page.screenshot({ path: join(SHOTS, 'agencies-reorganised-en.png'), fullPage: true });
    await page.getByRole('button', { name: 'Tiếng Việt' }).click();
    await page.close();
  }, 120_000);
});

