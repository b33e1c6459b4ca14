import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';

const before = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const after = JSON.parse(readFileSync(join(__dirname, 'fixtures/units-2025-07-small.json'), 'utf8'));

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
});
