import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ConfigurationError, loadEnvironment } from '@app/config';
import ExcelJS from 'exceljs';
import { ZipFile } from 'yazl';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The counts a bad request must leave as they were. */
async function counts(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.ds.query(`SELECT (SELECT count(*)::int FROM agency) AS agencies, (SELECT count(*)::int FROM device) AS devices, (SELECT count(*)::int FROM maintenance_window) AS windows,
    (SELECT count(*)::int FROM administrative_unit) AS units, (SELECT count(*)::int FROM audit_entry) AS audit`);
  return row;
}

const tamper = (cursor: string, change: (c: Record<string, unknown>) => void) => {
  const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  change(c);
  return Buffer.from(JSON.stringify(c)).toString('base64url');
};

/** Malformed and hostile requests: each a 4xx naming what was wrong, none of them writing anything. */
describe.each(ENGINES)('hostile input on %s', (engine) => {
  let t: TestApp;
  let unitId: string;
  let agency: { id: string };
  let device: { id: string };
  let lanCursor: string;
  let deviceCursor: string;

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    unitId = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0].id;
    agency = (await t.http().post('/api/v1/agencies').send({ code: 'A1', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: unitId }).expect(201)).body;
    device = (await t.http().post('/api/v1/devices').send([
      { agencyId: agency.id, kind: 'router', commissionedOn: '2014-01-01', serialNumber: 'S-1' },
      { agencyId: agency.id, kind: 'switch', commissionedOn: '2015-01-01', serialNumber: 'S-2' },
    ]).expect(201)).body[0];
    await t.http().post('/api/v1/lans').send([{ agencyId: agency.id, name: 'LAN 1', departmentsJoined: 1, departmentsTotal: 2, commissionedOn: '2014-01-01' }, { agencyId: agency.id, name: 'LAN 2', departmentsJoined: 2, departmentsTotal: 2, commissionedOn: '2015-01-01' }]).then((r) => { if (r.status !== 201) throw new Error(JSON.stringify(r.body)); });
    lanCursor = (await t.http().get('/api/v1/lans?limit=1').expect(200)).body.nextCursor;
    deviceCursor = (await t.http().get('/api/v1/devices?limit=1&sort=commissionedOn').expect(200)).body.nextCursor;
  });
  afterAll(async () => {
    await t?.close();
  });

  let deep = '1';
  for (let i = 0; i < 4000; i++) deep = `{"a":${deep}}`;
  const cases: Array<{ name: string; method: 'get' | 'post' | 'patch'; path: () => string; body?: () => unknown; type?: string; status: number; field: string }> = [
    { name: 'PATCH agency name null', method: 'patch', path: () => `/api/v1/agencies/${agency.id}`, body: () => ({ name: null }), status: 400, field: 'name' },
    { name: 'PATCH agency kind null', method: 'patch', path: () => `/api/v1/agencies/${agency.id}`, body: () => ({ kind: null }), status: 400, field: 'kind' },
    { name: 'PATCH device kind null', method: 'patch', path: () => `/api/v1/devices/${device.id}`, body: () => ({ kind: null }), status: 400, field: 'kind' },
    { name: 'PATCH device status null', method: 'patch', path: () => `/api/v1/devices/${device.id}`, body: () => ({ status: null }), status: 400, field: 'status' },
    { name: 'POST device status null', method: 'post', path: () => '/api/v1/devices', body: () => ({ agencyId: agency.id, kind: 'router', status: null }), status: 400, field: 'status' },
    { name: 'NUL in a body', method: 'post', path: () => '/api/v1/devices', body: () => ({ agencyId: agency.id, kind: 'router', name: 'a\u0000b' }), status: 400, field: 'name' },
    { name: 'NUL in q', method: 'get', path: () => '/api/v1/devices?q=a%00b', status: 400, field: 'q' },
    { name: 'NUL in an audit filter', method: 'get', path: () => '/api/v1/audit?actor=a%00b', status: 400, field: 'actor' },
    { name: 'NUL in a CSV cell', method: 'post', path: () => '/api/v1/devices/import', body: () => 'kind,agencyCode,name\nrouter,A1,a\u0000b\n', type: 'text/csv', status: 400, field: 'file' },
    { name: 'JSON nested 4,000 levels', method: 'post', path: () => '/api/v1/agencies', body: () => deep, type: 'application/json', status: 400, field: 'a.a.a' },
    { name: 'a LAN cursor on /devices', method: 'get', path: () => `/api/v1/devices?cursor=${lanCursor}`, status: 400, field: 'cursor' },
    { name: 'a cursor with a value of the wrong type', method: 'get', path: () => `/api/v1/devices?sort=commissionedOn&cursor=${tamper(deviceCursor, (c) => (c.v = 'abc'))}`, status: 400, field: 'cursor' },
    { name: 'a cursor that is not base64 JSON', method: 'get', path: () => '/api/v1/devices?cursor=%%%', status: 400, field: 'cursor' },
    { name: 'offset=1e20', method: 'get', path: () => '/api/v1/devices?offset=1e20', status: 400, field: 'offset' },
    { name: 'limit=-5 on devices', method: 'get', path: () => '/api/v1/devices?limit=-5', status: 400, field: 'limit' },
    { name: 'limit=-5 on tokens', method: 'get', path: () => '/api/v1/tokens?limit=-5', status: 400, field: 'limit' },
    { name: 'limit=-5 on plans', method: 'get', path: () => '/api/v1/plans?limit=-5', status: 400, field: 'limit' },
    { name: 'limit=-5 on indicators', method: 'get', path: () => '/api/v1/indicators?limit=-5', status: 400, field: 'limit' },
    { name: 'year=abc on a plan list', method: 'get', path: () => '/api/v1/plans?year=abc', status: 400, field: 'year' },
    { name: 'validOn=2015-02-30', method: 'get', path: () => '/api/v1/administrative-units?validOn=2015-02-30', status: 400, field: 'validOn' },
    { name: 'audit from=2015-02-30', method: 'get', path: () => '/api/v1/audit?from=2015-02-30', status: 400, field: 'from' },
    { name: 'commissionedOn 2015-02-30', method: 'post', path: () => '/api/v1/devices', body: () => ({ agencyId: agency.id, kind: 'router', commissionedOn: '2015-02-30' }), status: 400, field: 'commissionedOn' },
    { name: 'a non-uuid deviceId filter', method: 'get', path: () => '/api/v1/maintenance-windows?deviceId=abc', status: 400, field: 'deviceId' },
    { name: 'a plan list for a non-uuid unit', method: 'get', path: () => '/api/v1/plans?administrativeUnitId=abc', status: 400, field: 'administrativeUnitId' },
    { name: 'an official list dated 31/02/2025', method: 'post', path: () => '/api/v1/administrative-units/official-list', body: () => ({ ...official, data_date: '31/02/2025' }), status: 422, field: 'data_date' },
    { name: 'its dry run', method: 'post', path: () => '/api/v1/administrative-units/official-list?dryRun=true', body: () => ({ ...official, data_date: '31/02/2025' }), status: 422, field: 'data_date' },
    { name: 'a 5,000-character name in the official list', method: 'post', path: () => '/api/v1/administrative-units/official-list', body: () => ({ data_date: '01/03/2025', data: [{ ...official.data[0], name: 'x'.repeat(5000) }] }), status: 422, field: 'data[0].name' },
    { name: 'sysUpTimeTicks 1e308', method: 'post', path: () => '/api/v1/poller/results', body: () => ({ items: [{ deviceId: device.id, at: new Date().toISOString(), reading: { sysUpTimeTicks: 1e308, interfaces: [] } }] }), status: 400, field: 'sysUpTimeTicks' },
    { name: 'a maintenance window from 1970 to 9999', method: 'post', path: () => '/api/v1/maintenance-windows', body: () => ({ deviceId: device.id, startsAt: '1970-01-01T00:00:00Z', endsAt: '9999-12-31T00:00:00Z', reason: 'x' }), status: 400, field: 'endsAt' },
    { name: 'a maintenance window of ten years', method: 'post', path: () => '/api/v1/maintenance-windows', body: () => ({ deviceId: device.id, startsAt: '2026-01-01T00:00:00Z', endsAt: '2036-01-01T00:00:00Z', reason: 'x' }), status: 400, field: 'endsAt' },
    { name: 'a __proto__ key', method: 'post', path: () => '/api/v1/agencies', body: () => `{"__proto__":{"x":1},"code":"P1","name":"n","kind":"commune_committee","administrativeUnitId":"${unitId}"}`, type: 'application/json', status: 400, field: '__proto__' },
    { name: 'a constructor key', method: 'post', path: () => '/api/v1/agencies', body: () => ({ constructor: { x: 1 }, code: 'P2', name: 'n', kind: 'commune_committee', administrativeUnitId: unitId }), status: 400, field: 'constructor' },
    { name: 'a nested __proto__ key', method: 'post', path: () => '/api/v1/devices', body: () => `[{"agencyId":"${'x'}","kind":"router","x":{"__proto__":{"polluted":1}}}]`, type: 'application/json', status: 400, field: '[0].x.__proto__' },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s: a clear 4xx naming the field, nothing written', async (_, c) => {
    const before = await counts(t);
    let req = t.http()[c.method](c.path());
    if (c.type) req = req.set('Content-Type', c.type);
    const res = c.body ? await req.send(c.body() as never) : await req;
    expect({ status: res.status, type: res.headers['content-type'] }).toEqual({ status: c.status, type: expect.stringContaining('application/problem+json') });
    expect((res.body.errors as Array<{ field: string }>).map((e) => e.field).join(' ')).toContain(c.field);
    expect(await counts(t)).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers null for any field that cannot be empty with a 400 naming it, on every resource (from the API document)', async () => {
    const doc = (await t.as().get('/api/openapi.json').expect(200)).body;
    const lan = (await t.http().get('/api/v1/lans?limit=1').expect(200)).body.items[0];
    const link = (await t.http().post('/api/v1/wan-links').send({ agencyId: agency.id, network: 'internet', medium: 'fibre', provider: 'VNPT', circuitId: 'NULL-1', commissionedOn: '2014-01-01' }).expect(201)).body;
    const records: Record<string, [string, string]> = {
      UpdateAgency: ['agencies', agency.id],
      UpdateDevice: ['devices', device.id],
      UpdateLan: ['lans', lan.id],
      UpdateWanLink: ['wan-links', link.id],
      UpdateAdministrativeUnit: ['administrative-units', unitId],
    };
    const tried: string[] = [];
    for (const [schema, [path, id]] of Object.entries(records)) {
      const props = doc.components.schemas[schema].properties as Record<string, { nullable?: boolean }>;
      for (const [field, p] of Object.entries(props)) {
        if (p.nullable) continue;
        const before = await counts(t);
        const res = await t.http().patch(`/api/v1/${path}/${id}`).send({ [field]: null });
        expect([`${path}.${field}`, res.status, res.body.errors?.[0]?.field]).toEqual([`${path}.${field}`, 400, field]);
        expect(await counts(t)).toEqual(before);
        tried.push(`${path}.${field}`);
      }
    }
    expect(tried.length).toBeGreaterThanOrEqual(13);
  });

  it('quotes a long wrong value, not the whole of it, and lists at most 100 problems', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `router,NO-SUCH-${i},${'x'.repeat(5000)}`);
    const res = await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(`kind,agencyCode,notes\n${rows.join('\n')}\n`).expect(422);
    expect(JSON.stringify(res.body).length).toBeLessThan(50_000);
    expect(res.body.errors).toHaveLength(100);
    expect(res.body.detail).toMatch(/more were left out/);
    const long = await t.http().post('/api/v1/agencies').send({ code: 'L1', name: 'y'.repeat(5000), kind: 'commune_committee', administrativeUnitId: unitId }).expect(400);
    expect(long.body.errors[0].value).toBe(`${'y'.repeat(80)}… (5000 characters)`);
  });

  it('neutralises CSV cells a spreadsheet would run, and reads them back unchanged', async () => {
    const evil = "=cmd|' /C calc'!A0";
    const d = (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', name: evil, model: '+1 model', manufacturer: '@SUM(A1)', notes: '-2', commissionedOn: '2016-01-01', serialNumber: 'EVIL-1' }).expect(201)).body;
    const csv = (await t.http().get('/api/v1/devices/export?format=csv&serialNumber=EVIL-1').expect(200)).text;
    const line = csv.split('\n').find((l) => l.includes(d.id))!;
    expect(line).toContain(`'=cmd|' /C calc'!A0`);
    expect(line).toContain("'+1 model");
    expect(line).toContain("'@SUM(A1)");
    expect(line).toContain("'-2");
    const again = await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(csv).expect(200);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect((await t.http().get(`/api/v1/devices/${d.id}`).expect(200)).body).toMatchObject({ name: evil, model: '+1 model', manufacturer: '@SUM(A1)', notes: '-2' });
  });

  it('imports Vietnamese dates and real date cells, updates by the id column, and names rows in every message', async () => {
    const csv = `kind,agencyCode,serialNumber,commissionedOn\nrouter,A1,VN-1,31/12/2015\nrouter,A1,VN-2,1/2/2016\n`;
    await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(csv).expect(200);
    const vn1 = (await t.http().get('/api/v1/devices?serialNumber=VN-1').expect(200)).body.items[0];
    expect(vn1.commissionedOn).toBe('2015-12-31');
    expect((await t.http().get('/api/v1/devices?serialNumber=VN-2').expect(200)).body.items[0].commissionedOn).toBe('2016-02-01');
    const bad = await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send('kind,agencyCode,commissionedOn\nrouter,A1,30/02/2016\n').expect(422);
    expect(bad.body.errors[0]).toMatchObject({ row: 2, column: 'commissionedOn' });

    // A device without a serial number, exported and re-imported: its id column updates it.
    const plain = (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'switch', name: 'no serial', commissionedOn: '2017-01-01' }).expect(201)).body;
    const exported = (await t.http().get('/api/v1/devices/export?format=csv&q=no serial').expect(200)).text;
    const renamed = exported.replace('no serial', 'renamed');
    const before = (await counts(t)).devices;
    expect((await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(renamed).expect(200)).body).toMatchObject({ created: 0, updated: 1 });
    expect((await counts(t)).devices).toBe(before);
    expect((await t.http().get(`/api/v1/devices/${plain.id}`).expect(200)).body.name).toBe('renamed');

    // Two rows with one serial number: the message names the other row, not "[0]".
    const twins = await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send('kind,agencyCode,serialNumber,commissionedOn\nrouter,A1,TW-1,2016-01-01\nrouter,A1,TW-1,2016-01-01\n').expect(422);
    expect(twins.body.errors.map((e: { message: string }) => e.message).join(' ')).toMatch(/in row 2/);
    expect(JSON.stringify(twins.body)).not.toMatch(/\[0\]/);

    // A real date cell of an XLSX.
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('devices');
    sheet.addRow(['kind', 'agencyCode', 'serialNumber', 'commissionedOn']);
    sheet.addRow(['router', 'A1', 'XL-1', new Date(Date.UTC(2018, 4, 20))]);
    const file = Buffer.from(await book.xlsx.writeBuffer());
    await t.http().post('/api/v1/devices/import').set('Content-Type', XLSX).send(file).expect(200);
    expect((await t.http().get('/api/v1/devices?serialNumber=XL-1').expect(200)).body.items[0].commissionedOn).toBe('2018-05-20');

    // As a browser (or the docs' "Try it out") sends a file: a multipart form's file field.
    const form = await t.http().post('/api/v1/devices/import?dryRun=true').attach('file', file, 'devices.xlsx').expect(200);
    expect(form.body).toMatchObject({ dryRun: true, rows: 1, created: 0, unchanged: 1 });
    await t.http().post('/api/v1/devices/import').attach('file', Buffer.from('kind,agencyCode,serialNumber,commissionedOn\nrouter,A1,MP-1,2019-01-01\n'), 'devices.csv').expect(200);
    expect((await t.http().get('/api/v1/devices?serialNumber=MP-1').expect(200)).body.total).toBe(1);
    const empty = await t.http().post('/api/v1/devices/import').field('note', 'x').expect(400);
    expect(empty.body.detail).toMatch(/field/i);
  });

  it('refuses a workbook that unpacks to more than 200 MB, before unpacking it into memory', async () => {
    // A valid zip whose sheet is 250 MB of one repeated row: 250 KB packed.
    const zip = new ZipFile();
    zip.addBuffer(Buffer.from('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'), '[Content_Types].xml');
    const row = Buffer.from('<row><c t="inlineStr"><is><t>x</t></is></c></row>');
    const big = Buffer.alloc(250 * 1024 * 1024);
    for (let at = 0; at + row.length <= big.length; at += row.length) row.copy(big, at);
    zip.addBuffer(big, 'xl/worksheets/sheet1.xml', { compress: true });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    const file = Buffer.concat(chunks);
    expect(file.length).toBeLessThan(2_000_000);
    const before = await counts(t);
    const res = await t.http().post('/api/v1/devices/import').set('Content-Type', XLSX).send(file).expect(422);
    expect(res.body.errors[0].message).toMatch(/unpacks to more than 200 MB/);
    expect(await counts(t)).toEqual(before);
  }, 60_000);

  it('refuses a spreadsheet of more than 200,000 rows with a clear message', async () => {
    const csv = `kind,agencyCode\n${'router,A1\n'.repeat(200_001)}`;
    const res = await t.http().post('/api/v1/devices/import').set('Content-Type', 'text/csv').send(csv).expect(422);
    expect(res.body.errors[0].message).toMatch(/at most 200,000 rows/);
  });

  it('pages every list with the same envelope, and searches the audit log', async () => {
    for (const path of ['/api/v1/plans', '/api/v1/indicators', '/api/v1/tokens', '/api/v1/plan-presets', '/api/v1/maintenance-windows', `/api/v1/devices/${device.id}/outages`, '/api/v1/audit', '/api/v1/devices']) {
      const body = (await t.http().get(path).expect(200)).body;
      expect(Object.keys(body).sort()).toEqual(['items', 'limit', 'nextCursor', 'offset', 'total']);
    }
    const indicators = (await t.http().get('/api/v1/indicators?limit=2').expect(200)).body;
    expect(indicators.items).toHaveLength(2);
    const next = (await t.http().get(`/api/v1/indicators?limit=2&cursor=${indicators.nextCursor}`).expect(200)).body;
    expect(next.items[0].id).not.toBe(indicators.items[0].id);
    expect(next.offset).toBe(2);
    const found = (await t.http().get('/api/v1/audit?q=nhon chau').expect(200)).body;
    expect(found.items.length).toBeGreaterThan(0);
    expect(found.items.every((e: { after: unknown; before: unknown }) => /Nhơn Châu/.test(JSON.stringify([e.after, e.before])))).toBe(true);
    expect((await t.http().get('/api/v1/audit?q=zzzz-nothing').expect(200)).body.total).toBe(0);
  });

  it('answers in Vietnamese to Accept-Language: vi, in English otherwise', async () => {
    const body = { agencyId: agency.id, kind: 'router', commissionedOn: '2015-02-30', status: null, colour: 'red' };
    const en = await t.http().post('/api/v1/devices').send(body).expect(400);
    expect(en.headers['content-language']).toBe('en');
    const vi = await t.http().post('/api/v1/devices').set('Accept-Language', 'vi-VN,vi;q=0.9,en;q=0.5').send(body).expect(400);
    expect(vi.headers['content-language']).toBe('vi');
    expect(vi.body.detail).toBe('Yêu cầu không hợp lệ');
    const byField = Object.fromEntries((vi.body.errors as Array<{ field: string; message: string }>).map((e) => [e.field, e.message]));
    expect(byField).toEqual({
      commissionedOn: 'commissionedOn phải là một ngày có thật, dạng YYYY-MM-DD, từ năm 1900 đến năm 2199',
      status: 'status không được để trống (null); bỏ trường này đi để giữ giá trị cũ',
      colour: 'không có trường colour',
    });
    const taken = await t.http().post('/api/v1/devices').set('Accept-Language', 'vi').send({ agencyId: agency.id, kind: 'router', commissionedOn: '2015-01-01', serialNumber: 'S-1' }).expect(400);
    expect(taken.body.errors[0].message).toBe('số serial S-1 đã thuộc về một thiết bị khác');
  });

  it('answers POST /tokens with Cache-Control: no-store', async () => {
    const res = await t.http().post('/api/v1/tokens').send({ owner: 'Cache test', role: 'viewer', administrativeUnitId: unitId }).expect(201);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('a record outside the caller\'s scope is one that does not exist', () => {
  let t: TestApp;
  let district: string;
  let foreignAgency: { id: string };
  let foreignDevice: { id: string };

  beforeAll(async () => {
    t = await startApp('pglite');
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const units = (await t.http().get('/api/v1/administrative-units?level=commune&limit=100').expect(200)).body.items as Array<{ id: string; code: string; parentId: string }>;
    const here = units.find((u) => u.code === '21601')!;
    const there = units.find((u) => u.parentId !== here.parentId)!;
    district = here.parentId;
    await t.http().post('/api/v1/agencies').send({ code: 'HERE', name: 'Here', kind: 'commune_committee', administrativeUnitId: here.id }).expect(201);
    foreignAgency = (await t.http().post('/api/v1/agencies').send({ code: 'THERE', name: 'There', kind: 'commune_committee', administrativeUnitId: there.id }).expect(201)).body;
    foreignDevice = (await t.http().post('/api/v1/devices').send({ agencyId: foreignAgency.id, kind: 'router', commissionedOn: '2014-01-01', serialNumber: 'FOREIGN-1' }).expect(201)).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('says the same of a foreign id as of an unknown one, in bulk writes and imports', async () => {
    const admin = await t.token({ role: 'network_admin', administrativeUnitId: district });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const a = await t.as(admin).patch('/api/v1/devices').send([{ id: foreignDevice.id, name: 'x' }]);
    const b = await t.as(admin).patch('/api/v1/devices').send([{ id: unknown, name: 'x' }]);
    const same = (body: unknown, id: string) => ({ ...JSON.parse(JSON.stringify(body).split(id).join('ID')), requestId: undefined });
    expect([a.status, same(a.body, foreignDevice.id)]).toEqual([b.status, same(b.body, unknown)]);
    // In a longer list too (each item named by its place).
    const a2 = await t.as(admin).patch('/api/v1/devices').send([{ id: foreignDevice.id, name: 'x' }, { id: unknown, name: 'y' }]);
    expect(a2.status).toBe(400);
    expect(a2.body.errors.map((e: { message: string }) => e.message.replace(foreignDevice.id, 'ID').replace(unknown, 'ID'))).toEqual(['device ID does not exist', 'device ID does not exist']);
    const del = await t.as(admin).delete('/api/v1/devices').send([foreignDevice.id, unknown]);
    expect(del.status).toBe(400);

    const foreignCode = await t.as(admin).post('/api/v1/devices/import').set('Content-Type', 'text/csv').send('kind,agencyCode,commissionedOn\nrouter,THERE,2014-01-01\n');
    const unknownCode = await t.as(admin).post('/api/v1/devices/import').set('Content-Type', 'text/csv').send('kind,agencyCode,commissionedOn\nrouter,NOWHERE,2014-01-01\n');
    expect(foreignCode.status).toBe(unknownCode.status);
    expect(foreignCode.body.errors[0].message).toBe('no such code: THERE');

    const serial = await t.as(admin).post('/api/v1/devices/import').set('Content-Type', 'text/csv').send('kind,agencyCode,serialNumber,commissionedOn\nrouter,HERE,FOREIGN-1,2014-01-01\n');
    expect(serial.status).toBe(422);
    expect(JSON.stringify(serial.body)).not.toContain(foreignDevice.id);
    expect(JSON.stringify(serial.body)).not.toMatch(/outside your scope/);
  });
});

describe('authentication before the body, and the failure limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('pglite', { AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: '10.0.0.0/8' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 401 to a body without a token before reading it, and closes the connection', async () => {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('error', () => undefined);
    // Headers announcing 17 MB, then a trickle: the answer must not wait for the body.
    socket.write('POST /api/v1/devices HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 17700000\r\n\r\n[');
    const started = Date.now();
    const trickle = setInterval(() => socket.writable && socket.write(' '), 100);
    await closed;
    clearInterval(trickle);
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('believes X-Forwarded-For only from the proxies named in TRUST_PROXY, and keeps known tokens working behind a blocked address', async () => {
    const good = await t.token({ role: 'viewer' });
    await t.as(good).get('/api/v1/me').expect(200);
    const never = await t.token({ role: 'viewer' });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await t.as(`hat_${String(i % 10).repeat(43)}`).set('X-Forwarded-For', `203.0.113.${i}`).get('/api/v1/me')).status);
    // At most 3 failures a minute from 127.0.0.1 (the test before this one made one): each header
    // named another address, and none of them was believed.
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThanOrEqual(2);
    expect(first).toBeLessThanOrEqual(3);
    expect(statuses.slice(0, first).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
    // The holder of a token that worked from this address before is not locked out.
    await t.as(good).get('/api/v1/me').expect(200);
    // A token never seen from this address waits out the minute like any guess.
    await t.as(never).get('/api/v1/me').expect(429);
    expect(() => loadEnvironment({ TRUST_PROXY: '1' })).toThrow(ConfigurationError);
    expect(loadEnvironment({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8, loopback' }).TRUST_PROXY).toBe('127.0.0.1, 10.0.0.0/8, loopback');
  });
});

describe('JSON logs with request ids', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp('pglite', { LOG_FORMAT: 'json', LOG_LEVEL: 'log' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs each request as a JSON line with its id, and returns the id in a header and in problems', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return write(chunk as never, ...(rest as [])) as boolean;
    });
    try {
      const ok = await t.http().get('/api/v1/me').set('X-Request-Id', 'proxy-req-0001').expect(200);
      expect(ok.headers['x-request-id']).toBe('proxy-req-0001');
      const bad = await t.http().get('/api/v1/devices?limit=-5').expect(400);
      expect(bad.body.requestId).toBe(bad.headers['x-request-id']);
      expect(bad.body.requestId).toMatch(/^[0-9a-f-]{36}$/);
      // A header that is not a plain id is replaced, not echoed.
      const odd = await t.http().get('/api/v1/me').set('X-Request-Id', 'x'.repeat(300)).expect(200);
      expect(odd.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      spy.mockRestore();
    }
    const entries = lines.join('').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    expect(entries).toEqual(expect.arrayContaining([
      expect.objectContaining({ level: 'log', context: 'HTTP', message: expect.objectContaining({ requestId: 'proxy-req-0001', method: 'GET', path: '/api/v1/me', status: 200 }) }),
      expect.objectContaining({ context: 'HTTP', message: expect.objectContaining({ path: '/api/v1/devices', status: 400 }) }),
    ]));
  });
});
