import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

describe.each(ENGINES)('administrative units on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('imports the official list, then re-imports it without changing anything', async () => {
    const first = await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    expect(first.body).toMatchObject({ provinces: 2, districts: 3, communes: 6, created: 11, updated: 0, unchanged: 0, validFrom: '2025-03-01' });
    const again = await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 11 });
    const all = await t.http().get('/api/v1/administrative-units?limit=100').expect(200);
    expect(all.body.total).toBe(11);
  });

  it('finds "Bình Định" when searched without diacritics', async () => {
    const res = await t.http().get('/api/v1/administrative-units').query({ q: 'binh dinh' }).expect(200);
    expect(res.body.items.map((u: { name: string }) => u.name)).toEqual(['Tỉnh Bình Định']);
    const hoa = await t.http().get('/api/v1/administrative-units').query({ q: 'HOA HIEP' }).expect(200);
    expect(hoa.body.items.map((u: { code: string }) => u.code)).toEqual(['20194']);
  });

  it('ranks what a person means first: "Binh Dinh" lists the province before communes of that name', async () => {
    const quyNhon = (await t.http().get('/api/v1/administrative-units').query({ code: '540' })).body.items[0];
    // Communes whose names hold "Bình Định", created (in code order) before the province's name sorts.
    const made = await t.http().post('/api/v1/administrative-units').send([
      { code: '10001', name: 'Phường Bình Định Bắc', type: 'Phường', level: 'commune', parentId: quyNhon.id },
      { code: '10002', name: 'Xã Bình Định', type: 'Xã', level: 'commune', parentId: quyNhon.id },
      { code: '10003', name: 'Phường Bình Định', type: 'Phường', level: 'commune', parentId: quyNhon.id },
    ]).expect(201);
    try {
      const res = await t.http().get('/api/v1/administrative-units').query({ q: 'Binh Dinh' }).expect(200);
      expect(res.body.items.map((u: { name: string }) => u.name)).toEqual(['Tỉnh Bình Định', 'Phường Bình Định', 'Xã Bình Định', 'Phường Bình Định Bắc']);
      // Paged by cursor in the same order.
      const one = await t.http().get('/api/v1/administrative-units').query({ q: 'Binh Dinh', limit: 2 }).expect(200);
      const two = await t.http().get('/api/v1/administrative-units').query({ q: 'Binh Dinh', limit: 2, cursor: one.body.nextCursor }).expect(200);
      expect([...one.body.items, ...two.body.items].map((u: { code: string }) => u.code)).toEqual(['52', '10003', '10002', '10001']);
      // An explicit sort still rules.
      const byCode = await t.http().get('/api/v1/administrative-units').query({ q: 'Binh Dinh', sort: 'code' }).expect(200);
      expect(byCode.body.items.map((u: { code: string }) => u.code)).toEqual(['10001', '10002', '10003', '52']);
    } finally {
      await t.http().delete('/api/v1/administrative-units').send(made.body.map((u: { id: string }) => u.id)).expect(204);
    }
  });

  it('lists everything beneath a province by its GSO code', async () => {
    const res = await t.http().get('/api/v1/administrative-units').query({ within: '52', level: 'commune' }).expect(200);
    expect(res.body.total).toBe(5);
    expect(res.body.items.map((u: { code: string }) => u.code).sort()).toEqual(['21550', '21553', '21601', '21609', '21612']);
  });

  it('moves a commune directly under its province (two-level hierarchy) and keeps the subtree right', async () => {
    const province = (await t.http().get('/api/v1/administrative-units').query({ code: '52' })).body.items[0];
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    await t.http().patch(`/api/v1/administrative-units/${commune.id}`).send({ parentId: province.id }).expect(200);
    const underQuyNhon = await t.http().get('/api/v1/administrative-units').query({ within: '540' }).expect(200);
    expect(underQuyNhon.body.total).toBe(2);
    const underProvince = await t.http().get('/api/v1/administrative-units').query({ within: '52', level: 'commune' }).expect(200);
    expect(underProvince.body.total).toBe(5);
  });

  it('rejects a district placed under a commune, a bad code and an unknown field, naming each field', async () => {
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21550' })).body.items[0];
    const bad = await t.http().post('/api/v1/administrative-units').send({ code: '5411', name: 'Huyện X', level: 'district', type: 'Huyện', parentId: commune.id }).expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = bad.body.errors.map((e: { field: string }) => e.field).sort();
    expect(fields).toEqual(['code', 'parentId']);
    const unknown = await t.http().post('/api/v1/administrative-units').send({ code: '541', name: 'Huyện X', level: 'district', type: 'Huyện', colour: 'red' }).expect(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'colour', message: 'unknown field colour' })]);
    const total = await t.http().get('/api/v1/administrative-units').query({ validOn: 'all' });
    expect(total.body.total).toBe(11);
  });

  it('refuses to delete a unit that still has units beneath it', async () => {
    const district = (await t.http().get('/api/v1/administrative-units').query({ code: '542' })).body.items[0];
    const res = await t.http().delete(`/api/v1/administrative-units/${district.id}`).expect(409);
    expect(res.body.errors[0].message).toMatch(/still has 2 units/);
  });
});
