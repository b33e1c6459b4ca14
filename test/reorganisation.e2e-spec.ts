import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';

const before = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const after = JSON.parse(readFileSync(join(__dirname, 'fixtures/units-2025-07-small.json'), 'utf8'));
const texts = JSON.parse(readFileSync(join(__dirname, 'fixtures/reorganisation-2025-small.json'), 'utf8'));

/** The lists before and after the 2025 reorganisation side by side, each unit with its dates; history never rewritten. */
describe.each(ENGINES)('the 2025 reorganisation of units on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(before).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const units = async (validOn: string) =>
    ((await t.http().get('/api/v1/administrative-units').query({ validOn, limit: 100, sort: 'code' }).expect(200)).body.items as Array<{ id: string; code: string; name: string; level: string; parentId: string | null; validFrom: string | null; validTo: string | null }>);

  it('refuses a two-level list without the day it came into force, and writes nothing', async () => {
    const res = await t.http().post('/api/v1/administrative-units/official-list').send(after).expect(422);
    expect(res.body.errors[0]).toMatchObject({ field: 'validFrom' });
    expect((await units('2025-07-01')).length).toBe(11);
  });

  it('imports the two-level list from 2025-07-01 beside the 2025-03 list: changed units get new versions, dissolved ones end', async () => {
    const dry = await t.http().post('/api/v1/administrative-units/official-list').query({ validFrom: '2025-07-01', replaces: 'true', dryRun: 'true' }).send(after).expect(200);
    // 52 and 48 renamed or re-typed, four communes re-formed under their province; three districts and two communes dissolved.
    expect(dry.body).toMatchObject({ validFrom: '2025-07-01', provinces: 2, districts: 0, communes: 4, created: 0, updated: 0, versioned: 6, ended: 5, unchanged: 0 });
    expect((await units('2025-07-01')).length).toBe(11);
    const done = await t.http().post('/api/v1/administrative-units/official-list').query({ validFrom: '2025-07-01', replaces: 'true' }).send(after).expect(200);
    expect(done.body).toEqual(dry.body);

    const old = await units('2025-06-30');
    const now = await units('2025-07-01');
    expect(old.map((u) => `${u.code} ${u.name}`)).toEqual([
      '20194 Phường Hòa Hiệp Bắc',
      '21550 Phường Nhơn Bình',
      '21553 Phường Nhơn Phú',
      '21601 Xã Nhơn Châu',
      '21609 Thị trấn An Lão',
      '21612 Xã An Hưng',
      '48 Thành phố Đà Nẵng',
      '490 Quận Liên Chiểu',
      '52 Tỉnh Bình Định',
      '540 Thành phố Quy Nhơn',
      '542 Huyện An Lão',
    ]);
    expect(old.every((u) => u.validTo === '2025-07-01')).toBe(true);
    expect(now.map((u) => `${u.code} ${u.name} ${u.level}`)).toEqual([
      '20194 Phường Hải Vân commune',
      '21553 Phường Quy Nhơn Bắc commune',
      '21601 Phường Quy Nhơn Đông commune',
      '21609 Xã An Lão commune',
      '48 Thành phố Đà Nẵng province',
      '52 Tỉnh Gia Lai province',
    ]);
    expect(now.every((u) => u.validFrom === '2025-07-01' && u.validTo === null)).toBe(true);
    // Two levels: the new communes sit directly under their province's new version.
    const giaLai = now.find((u) => u.code === '52')!;
    expect(now.filter((u) => u.parentId === giaLai.id).map((u) => u.code)).toEqual(['21553', '21601', '21609']);
    // The old Bình Định is still there, with its districts and communes, as it was.
    const binhDinh = old.find((u) => u.code === '52')!;
    expect(binhDinh.id).not.toBe(giaLai.id);
    expect((await t.http().get(`/api/v1/administrative-units/${binhDinh.id}`).expect(200)).body).toMatchObject({ name: 'Tỉnh Bình Định', validTo: '2025-07-01' });
    expect((await t.http().get('/api/v1/administrative-units').query({ within: binhDinh.id, validOn: '2025-06-30' }).expect(200)).body.total).toBe(7);

    // Once more: nothing changes.
    const again = await t.http().post('/api/v1/administrative-units/official-list').query({ validFrom: '2025-07-01', replaces: 'true' }).send(after).expect(200);
    expect(again.body).toMatchObject({ created: 0, updated: 0, versioned: 0, ended: 0, unchanged: 6 });
    // Every version is in the audit log: the ends and the new versions.
    const audit = (await t.http().get('/api/v1/audit').query({ entityType: 'administrative_unit', limit: 100 }).expect(200)).body.items as Array<{ action: string; after: { validTo?: string } | null }>;
    expect(audit.filter((e) => e.action === 'update' && e.after?.validTo === '2025-07-01')).toHaveLength(11);
  });

  it('applies a later decree as a new version with its date, never by rewriting the version before it', async () => {
    const renamed = structuredClone(after);
    renamed[0].Wards[0] = { ...renamed[0].Wards[0], Name: 'Quy Nhơn Bắc Mới', FullName: 'Phường Quy Nhơn Bắc Mới' };
    const res = await t.http().post('/api/v1/administrative-units/official-list').query({ validFrom: '2026-04-30', replaces: 'true' }).send(renamed).expect(200);
    expect(res.body).toMatchObject({ versioned: 1, ended: 0, unchanged: 5 });
    const name = async (on: string) => (await units(on)).find((u) => u.code === '21553')!.name;
    expect(await name('2026-04-29')).toBe('Phường Quy Nhơn Bắc');
    expect(await name('2026-04-30')).toBe('Phường Quy Nhơn Bắc Mới');
    expect(await name('2025-06-30')).toBe('Phường Nhơn Phú');
    // An older list after a newer one is refused, naming the unit, and changes nothing.
    const late = await t.http().post('/api/v1/administrative-units/official-list').query({ validFrom: '2025-12-31', replaces: 'true' }).send(after).expect(422);
    expect(late.body.errors[0].message).toContain('import lists in the order of their dates');
    expect(await name('2026-04-30')).toBe('Phường Quy Nhơn Bắc Mới');
  });

  it('proposes the old units each new commune was formed from, and keeps what people confirm: by the API and by a workbook round trip', async () => {
    const res = await t.http().post('/api/v1/unit-successions/propose').query({ effectiveOn: '2025-07-01' }).send(texts).expect(200);
    // 13 names; the small list holds only some of the old communes: the others are open, for a person.
    expect(res.body).toMatchObject({ effectiveOn: '2025-07-01', communes: 4, unknownCommunes: [], names: 13, keptConfirmed: 0 });
    const all = (await t.http().get('/api/v1/unit-successions').query({ limit: 100 }).expect(200)).body;
    const row = (code: string, text: string) => all.items.find((s: { newUnit: { code: string }; itemText: string }) => s.newUnit.code === code && s.itemText === text);
    expect(row('21553', 'Phường Nhơn Phú')).toMatchObject({ status: 'proposed', oldUnit: { code: '21553', name: 'Phường Nhơn Phú', district: 'Thành phố Quy Nhơn' }, how: 'name and type' });
    expect(row('21609', 'Thị trấn An Lão')).toMatchObject({ status: 'proposed', oldUnit: { code: '21609' } });
    expect(row('20194', 'Phường Hòa Hiệp Bắc')).toMatchObject({ status: 'proposed', oldUnit: { code: '20194', province: 'Thành phố Đà Nẵng' } });
    expect(row('21601', 'Xã Nhơn Hội')).toMatchObject({ status: 'open', oldUnit: null, candidates: [] });
    expect(all.counts).toEqual({ proposed: res.body.proposed, open: res.body.open, confirmed: 0 });

    // A person decides one by the API: Nhơn Hội is (in this small list) Nhơn Châu, 21601.
    const nhonHoi = row('21601', 'Xã Nhơn Hội');
    await t.http().patch(`/api/v1/unit-successions/${nhonHoi.id}`).send({ oldCode: '99999' }).expect(400);
    const decided = (await t.http().patch(`/api/v1/unit-successions/${nhonHoi.id}`).send({ oldCode: '21601', share: 'part' }).expect(200)).body;
    expect(decided).toMatchObject({ status: 'confirmed', oldUnit: { code: '21601', name: 'Xã Nhơn Châu' }, share: 'part', how: 'chosen by a person', confirmedBy: 'Test admin' });

    // The workbook: confirm a proposal with x, choose for an open name (An Tân is not in the small
    // list: the reviewer's choice, whatever it is, is what is kept), leave the rest.
    const file = await t.http().get('/api/v1/unit-successions/sheet').buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    }).expect(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(file.body as never);
    const ws = wb.getWorksheet('successions')!;
    const header = (ws.getRow(1).values as string[]).slice(1);
    expect(header).toEqual(['id', 'newProvince', 'newCode', 'newName', 'itemText', 'status', 'how', 'oldCode', 'oldName', 'candidates', 'share', 'confirm', 'confirmedBy']);
    const col = (name: string) => header.indexOf(name) + 1;
    const rowOf = (text: string) => { for (let i = 2; i <= ws.rowCount; i++) if (ws.getRow(i).getCell(col('itemText')).value === text) return ws.getRow(i); throw new Error(text); };
    rowOf('Phường Nhơn Phú').getCell(col('confirm')).value = 'x';
    rowOf('Xã An Tân').getCell(col('oldCode')).value = '21612';
    // A wrong code first: the row is named, nothing is written.
    rowOf('Phường Hòa Hiệp Bắc').getCell(col('oldCode')).value = '12345';
    const bad = await t.http().put('/api/v1/unit-successions/sheet').set('Content-Type', XLSX).send(Buffer.from(await wb.xlsx.writeBuffer())).expect(422);
    expect(bad.body.errors[0]).toMatchObject({ row: rowOf('Phường Hòa Hiệp Bắc').number, column: 'oldCode' });
    expect((await t.http().get('/api/v1/unit-successions').query({ status: 'confirmed' }).expect(200)).body.total).toBe(1);
    rowOf('Phường Hòa Hiệp Bắc').getCell(col('oldCode')).value = '20194';
    rowOf('Phường Hòa Hiệp Bắc').getCell(col('confirm')).value = 'có';
    const good = await t.http().put('/api/v1/unit-successions/sheet').set('Content-Type', XLSX).send(Buffer.from(await wb.xlsx.writeBuffer())).expect(200);
    expect(good.body).toEqual({ rows: 13, confirmed: 3, unchanged: 10 });
    const confirmed = (await t.http().get('/api/v1/unit-successions').query({ status: 'confirmed' }).expect(200)).body.items;
    expect(confirmed.map((s: { itemText: string; oldUnit: { code: string } }) => `${s.itemText} → ${s.oldUnit.code}`).sort()).toEqual([
      'Phường Hòa Hiệp Bắc → 20194',
      'Phường Nhơn Phú → 21553',
      'Xã An Tân → 21612',
      'Xã Nhơn Hội → 21601',
    ]);

    // Proposing again keeps every confirmed row as people left it.
    const again = await t.http().post('/api/v1/unit-successions/propose').query({ effectiveOn: '2025-07-01' }).send(texts).expect(200);
    expect(again.body.keptConfirmed).toBe(4);
    expect((await t.http().get(`/api/v1/unit-successions/${nhonHoi.id}`).expect(200)).body).toMatchObject({ oldUnit: { code: '21601' }, confirmedBy: 'Test admin' });
    const audit = (await t.http().get('/api/v1/audit').query({ entityType: 'unit_succession', limit: 50 }).expect(200)).body.items;
    expect(audit.filter((e: { action: string }) => e.action === 'update')).toHaveLength(4);
  });

  it('dry-runs carrying the new Gia Lai across: what ends, what begins, what moves with its commune, what waits for a person', async () => {
    // Old agencies and their equipment: a committee of a commune that went whole into Quy Nhơn Bắc,
    // a school there, a district committee (no district level any more), a health station of Nhơn
    // Bình, which a person has said was split (part of it went into Quy Nhơn Bắc too).
    const unitOf = async (code: string) => (await units('2025-06-30')).find((u) => u.code === code)!.id;
    const agency = async (code: string, name: string, kind: string, unit: string) =>
      (await t.http().post('/api/v1/agencies').send({ code, name, kind, administrativeUnitId: await unitOf(unit) }).expect(201)).body.id as string;
    const committee = await agency('UBND-21553', 'UBND phường Nhơn Phú', 'commune_committee', '21553');
    const school = await agency('THCS-21553', 'Trường THCS Nhơn Phú', 'school', '21553');
    const district = await agency('UBND-540', 'UBND thành phố Quy Nhơn', 'district_committee', '540');
    const station = await agency('TYT-21550', 'Trạm y tế Nhơn Bình', 'health_station', '21550');
    const device = (agencyId: string, serialNumber: string) => t.http().post('/api/v1/devices').send({ agencyId, kind: 'workstation', serialNumber, status: 'active', commissionedOn: '2020-01-01' }).expect(201);
    await device(committee, 'PC-1');
    await device(school, 'PC-2');
    await device(district, 'PC-3');
    await device(station, 'PC-4');

    const tranQuangDieu = (await t.http().get('/api/v1/unit-successions').query({ status: 'open', province: '52', limit: 100 }).expect(200)).body.items.find((x: { itemText: string }) => x.itemText === 'Phường Trần Quang Diệu');
    await t.http().patch(`/api/v1/unit-successions/${tranQuangDieu.id}`).send({ oldCode: '21550', share: 'part' }).expect(200);
    const before = await t.http().get('/api/v1/administrative-units').query({ validOn: 'all', limit: 100 }).expect(200);
    const plan = (await t.http().get('/api/v1/unit-successions/plan').query({ province: '52' }).expect(200)).body;
    expect(plan).toMatchObject({
      effectiveOn: '2025-07-01',
      province: { code: '52', name: 'Tỉnh Gia Lai' },
      oldProvinces: [{ code: '52', name: 'Tỉnh Bình Định' }],
      units: { ending: { province: 1, district: 2, commune: 5 }, beginning: { province: 1, commune: 3 } },
      agencies: { communeCommitteesEnding: 1, communeCommitteesToBegin: 3, moving: 1, split: 1, unmapped: 0, districtLevel: 1 },
      equipment: { devices: { moving: 2, waiting: 2 }, lans: { moving: 0, waiting: 0 }, wanLinks: { moving: 0, waiting: 0 } },
      staffingToEnter: 3,
    });
    expect(plan.decisions.splitUnits).toEqual([{ oldCode: '21550', oldName: 'Phường Nhơn Bình', newCommunes: ['Phường Quy Nhơn Bắc', 'Phường Quy Nhơn Đông'] }]);
    expect(plan.decisions.agenciesToPlace.map((a: { name: string; reason: string }) => `${a.name}: ${a.reason}`).sort()).toEqual(['Trạm y tế Nhơn Bình: split', 'UBND thành phố Quy Nhơn: district_level']);
    expect(plan.decisions.openNames).toBe((await t.http().get('/api/v1/unit-successions').query({ status: 'open', province: '52' }).expect(200)).body.total);
    // A dry run: nothing changed.
    expect((await t.http().get('/api/v1/administrative-units').query({ validOn: 'all', limit: 100 }).expect(200)).body).toEqual(before.body);
    const district52 = await t.token({ role: 'viewer', administrativeUnitId: await unitOf('52') });
    await t.as(district52).get('/api/v1/unit-successions/plan').query({ province: '52' }).expect(403);
  });
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
