import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

/** A square ring of `n` positions per side around (lon, lat), closed. */
function square(lon: number, lat: number, size: number, n = 50): number[][] {
  const ring: number[][] = [];
  const corners = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size]];
  for (let c = 0; c < 4; c++) {
    const [a, b] = [corners[c], corners[(c + 1) % 4]];
    for (let i = 0; i < n; i++) ring.push([a[0] + ((b[0] - a[0]) * i) / n, a[1] + ((b[1] - a[1]) * i) / n]);
  }
  ring.push([...ring[0]]);
  return ring;
}

/** Boundaries imported by GSO code, checked, audited, and served simplified for maps. */
describe.each(ENGINES)('boundaries on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const collection = (features: Array<{ code: string; geometry: unknown }>) => ({
    type: 'FeatureCollection',
    features: features.map((f) => ({ type: 'Feature', properties: { code: f.code }, geometry: f.geometry })),
  });

  it('refuses a bad geometry, naming it, and writes nothing', async () => {
    const open = square(109, 13.7, 0.2);
    open.pop();
    const res = await t.http().put('/api/v1/boundaries').send(collection([
      { code: '540', geometry: { type: 'Polygon', coordinates: [square(109, 13.7, 0.2)] } },
      { code: '542', geometry: { type: 'Polygon', coordinates: [open] } },
      { code: '543', geometry: { type: 'Point', coordinates: [109, 14] } },
      { code: '544', geometry: { type: 'Polygon', coordinates: [[[200, 14], [201, 14], [201, 15], [200, 14]]] } },
    ])).expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['features[1].geometry.coordinates[0][0]', 'features[2].geometry.type', 'features[3].geometry.coordinates[0][0]']);
    const { features } = (await t.http().get('/api/v1/boundaries').query({ within: '52' }).expect(200)).body;
    expect(features).toEqual([]);
  });

  it('sets boundaries by code, lists unknown codes, audits a summary, and serves them simplified within the scope', async () => {
    const file = collection([
      { code: '540', geometry: { type: 'Polygon', coordinates: [square(109.1, 13.7, 0.2)] } },
      { code: '542', geometry: { type: 'MultiPolygon', coordinates: [[square(108.8, 14.3, 0.3)], [square(108.7, 14.2, 0.05)]] } },
      { code: '999', geometry: { type: 'Polygon', coordinates: [square(100, 10, 1)] } },
    ]);
    const dry = await t.http().put('/api/v1/boundaries?dryRun=true').send(file).expect(200);
    expect(dry.body).toEqual({ dryRun: true, updated: 2, unchanged: 0, unknownCodes: ['999'] });
    expect((await t.http().get('/api/v1/boundaries').query({ within: '52' }).expect(200)).body.features).toEqual([]);
    expect((await t.http().put('/api/v1/boundaries').send(file).expect(200)).body).toEqual({ dryRun: false, updated: 2, unchanged: 0, unknownCodes: ['999'] });
    expect((await t.http().put('/api/v1/boundaries').send(file).expect(200)).body).toMatchObject({ updated: 0, unchanged: 2 });

    const map = (await t.http().get('/api/v1/boundaries').query({ within: '52', level: 'district' }).expect(200)).body;
    expect(map.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(['540', '542']);
    // Simplified: a square of 201 positions keeps its 4 corners (and the closing one).
    expect(map.features[0].geometry.coordinates[0]).toHaveLength(5);
    const exact = (await t.http().get('/api/v1/boundaries').query({ within: '52', tolerance: 0 }).expect(200)).body;
    expect(exact.features[0].geometry.coordinates[0]).toHaveLength(201);
    // Units' lists and records stay light: no boundary in them.
    const unit = (await t.http().get('/api/v1/administrative-units').query({ code: '540' }).expect(200)).body.items[0];
    expect(unit.boundary).toBeUndefined();
    const audit = (await t.http().get('/api/v1/audit').query({ entityId: unit.id }).expect(200)).body.items[0];
    expect(audit.after).toEqual({ boundary: { type: 'Polygon', positions: 201 } });

    // A district's token writes its own district's boundary only, and reads its province's map.
    const district = await t.token({ role: 'admin', administrativeUnitId: unit.id });
    await t.as(district).put('/api/v1/boundaries').send(collection([{ code: '542', geometry: { type: 'Polygon', coordinates: [square(108.8, 14.3, 0.2)] } }])).expect(403);
    expect((await t.as(district).get('/api/v1/boundaries').query({ within: '52' }).expect(200)).body.features.map((f: { properties: { code: string } }) => f.properties.code)).toEqual(['540']);
  });
});
