import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.each(ENGINES)('spreadsheet import and export on %s', (engine) => {
  let t: TestApp;
  const total = async (path: string) => (await t.http().get(path).expect(200)).body.total as number;
  const csv = (path: string, text: string) => t.http().post(path).set('Content-Type', 'text/csv').send(text);

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  it('imports agencies referring to units and parents by code', async () => {
    const file = [
      'code,name,kind,sector,administrativeUnitCode,parentCode',
      'UBND-52,Ủy ban nhân dân tỉnh Bình Định,provincial_committee,general,52,',
      'SYT-52,Sở Y tế,provincial_department,health,52,UBND-52',
      'UBND-21550,Ủy ban nhân dân phường Nhơn Bình,commune_committee,,21550,',
    ].join('\n');
    const res = await csv('/api/v1/agencies/import', file).expect(200);
    expect(res.body).toMatchObject({ rows: 3, created: 3, updated: 0 });
    expect(await total('/api/v1/agencies?administrativeUnit=52')).toBe(3);
  });

  it('names the row of a one-row file whose problem only the write finds', async () => {
    const file = ['agencyCode,kind,serialNumber,status,commissionedOn,retiredOn', 'UBND-21550,router,ONE-1,retired,2015-01-01,2014-01-01'].join('\n');
    const res = await csv('/api/v1/devices/import', file).expect(422);
    expect(res.body.errors).toEqual([expect.objectContaining({ row: 2, column: 'retiredOn', message: 'retiredOn (2014-01-01) is before commissionedOn (2015-01-01)' })]);
  });

  it('rejects a file with bad rows, naming row and column, and writes nothing', async () => {
    const file = [
      'agencyCode,kind,serialNumber,status,commissionedOn,retiredOn',
      'UBND-21550,router,R-1,active,2013-01-01,',
      'UBND-99999,switch,S-1,active,2013-01-01,',
      'UBND-21550,toaster,T-1,active,2013-01-01,',
      'UBND-21550,switch,S-2,retired,2014-01-01,2013-01-01',
      'UBND-21550,switch,R-1,active,2013-01-01,',
    ].join('\n');
    const res = await csv('/api/v1/devices/import', file).expect(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    const found = res.body.errors.map((e: { row: number; column: string }) => [e.row, e.column]);
    expect(found).toEqual([
      [3, 'agencyCode'],
      [4, 'kind'],
      [5, 'retiredOn'],
      [6, 'serialNumber'],
    ]);
    expect(await total('/api/v1/devices')).toBe(0);
  });

  it('says in a dry run what would be created or changed, then imports and updates by serial number', async () => {
    const file = ['agencyCode,kind,serialNumber,model,commissionedOn', 'UBND-21550,router,R-1,ISR 4321,2013-01-01', 'UBND-21550,switch,S-1,SG1024,2013-02-01'].join('\n');
    const dry = await csv('/api/v1/devices/import?dryRun=true', file).expect(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: 2, updated: 0, plan: [{ row: 2, action: 'create' }, { row: 3, action: 'create' }] });
    expect(await total('/api/v1/devices')).toBe(0);
    await csv('/api/v1/devices/import', file).expect(200);
    const again = await csv('/api/v1/devices/import?dryRun=true', file.replace('ISR 4321', 'ISR 4331')).expect(200);
    // Only the router's model changes; the switch's row is as stored.
    expect(again.body).toMatchObject({ created: 0, updated: 1, unchanged: 1, plan: [{ row: 2, action: 'update' }, { row: 3, action: 'unchanged' }] });
    await csv('/api/v1/devices/import', file.replace('ISR 4321', 'ISR 4331')).expect(200);
    const router = (await t.http().get('/api/v1/devices?serialNumber=R-1')).body.items[0];
    expect(router.model).toBe('ISR 4331');
    expect(await total('/api/v1/devices')).toBe(2);
  });

  it('exports a filtered list as XLSX that imports back unchanged', async () => {
    const res = await t.http().get('/api/v1/devices/export?format=xlsx&kind=router').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(res.headers['content-type']).toContain(XLSX);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body);
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(2);
    expect(sheet.getRow(2).getCell(5).text).toBe('R-1');
    const audited = async () => (await t.http().get('/api/v1/audit').query({ entityType: 'device', limit: 1 }).expect(200)).body.total as number;
    const entries = await audited();
    const back = await t.http().post('/api/v1/devices/import').set('Content-Type', XLSX).send(res.body).expect(200);
    // Nothing in the file differs from the record: nothing written, nothing audited.
    expect(back.body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(await audited()).toBe(entries);
  });

  it('exports CSV with a header and one line per device', async () => {
    const res = await t.http().get('/api/v1/devices/export?format=csv').expect(200);
    const lines = res.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0].split(',').slice(0, 5)).toEqual(['id', 'agencyId', 'kind', 'name', 'serialNumber']);
    expect(lines).toHaveLength(3);
  });

  it('tells the sender, and only the sender, how far an import has got', async () => {
    const id = '7d0c6a53-3c1e-4d4e-9d55-1f2a3b4c5d6e';
    const rows = Array.from({ length: 1200 }, (_, i) => `UBND-21550,switch,PROG-${i},active,2016-01-01`);
    const file = ['agencyCode,kind,serialNumber,status,commissionedOn', ...rows].join('\n');
    const seen: Array<{ phase: string; done: number; total: number }> = [];
    let answered = false;
    const sending = csv('/api/v1/devices/import?dryRun=true', file).set('X-Import-Id', id).then((r) => {
      answered = true;
      return r;
    });
    // Read while it runs (bounded: 200 reads at most).
    for (let n = 0; n < 200 && !answered; n++) {
      const r = await t.http().get(`/api/v1/imports/${id}`);
      if (r.status === 200) seen.push(r.body);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect((await sending).status).toBe(200);
    const order = ['read', 'check', 'write', 'done'];
    for (let k = 1; k < seen.length; k++) {
      const [a, b] = [seen[k - 1], seen[k]];
      expect(order.indexOf(b.phase)).toBeGreaterThanOrEqual(order.indexOf(a.phase));
      if (a.phase === b.phase) expect(b.done).toBeGreaterThanOrEqual(a.done);
    }
    for (const s of seen.filter((x) => x.phase === 'check')) expect(s.total).toBe(1200);
    const final = (await t.http().get(`/api/v1/imports/${id}`).expect(200)).body;
    expect(final).toMatchObject({ phase: 'done', done: 1200, total: 1200 });
    // Another caller does not learn that this import exists; a bad id is refused and starts nothing.
    const other = await t.token({ role: 'network_admin', owner: 'Someone else' });
    await t.as(other).get(`/api/v1/imports/${id}`).expect(404);
    const bad = await csv('/api/v1/devices/import', file).set('X-Import-Id', 'not-a-uuid').expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'X-Import-Id', message: 'X-Import-Id must be a UUID' })]);
    expect(await total('/api/v1/devices?q=PROG-')).toBe(0);
  });

  it('reports a failed import as failed', async () => {
    const id = '0b7f6e0a-51f5-4c0e-8f7e-2f6a9c1d3e4b';
    await csv('/api/v1/devices/import', 'agencyCode,kind\nUBND-21550,toaster').set('X-Import-Id', id).expect(422);
    expect((await t.http().get(`/api/v1/imports/${id}`).expect(200)).body.phase).toBe('failed');
  });
});
