import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IndicatorsService } from '@app/coverage';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

interface AuditRow {
  action: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** Concurrent writers, versions and paging: nothing lost, nothing repeated. */
describe.each(ENGINES)('integrity on %s', (engine) => {
  let t: TestApp;
  let agency: { id: string };

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    agency = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'Ủy ban nhân dân xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body;
  });
  afterAll(async () => {
    await t.close();
  });

  const newDevice = async (name: string) => (await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', name, commissionedOn: '2014-01-01' }).expect(201)).body as { id: string };
  const auditOf = async (id: string): Promise<AuditRow[]> => (await t.http().get('/api/v1/audit').query({ entityId: id, sort: 'id', limit: 1000 }).expect(200)).body.items;

  it('loses no update among 20 parallel PATCHes: the audit log is a chain', async () => {
    const device = await newDevice('R-0');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.http().patch(`/api/v1/devices/${device.id}`).send({ name: `R-${i + 1}`, notes: `writer ${i + 1}` })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const log = await auditOf(device.id);
    expect(log.map((e) => e.action)).toEqual(['create', ...Array(20).fill('update')]);
    let breaks = 0;
    for (let i = 1; i < log.length; i++) if (log[i].before!.name !== log[i - 1].after!.name || log[i].before!.notes !== log[i - 1].after!.notes) breaks++;
    expect(breaks).toBe(0);
    const final = (await t.http().get(`/api/v1/devices/${device.id}`).expect(200)).body;
    expect(final.name).toBe(log[20].after!.name);
  });

  it('10 parallel DELETEs and 10 PATCHes: one delete, and every update before it', async () => {
    const device = await newDevice('R-race');
    const deletes = Array.from({ length: 10 }, () => t.http().delete(`/api/v1/devices/${device.id}`));
    const patches = Array.from({ length: 10 }, (_, i) => t.http().patch(`/api/v1/devices/${device.id}`).send({ name: `R-race-${i}` }));
    const answers = await Promise.all([...deletes, ...patches]);
    const deleted = answers.slice(0, 10).map((a) => a.status);
    const patched = answers.slice(10).map((a) => a.status);
    expect(deleted.filter((s) => s === 204)).toHaveLength(1);
    expect(deleted.filter((s) => s !== 204).every((s) => s === 404)).toBe(true);
    expect(patched.every((s) => s === 200 || s === 404)).toBe(true);
    const log = await auditOf(device.id);
    expect(log.filter((e) => e.action === 'delete')).toHaveLength(1);
    expect(log.filter((e) => e.action === 'update')).toHaveLength(patched.filter((s) => s === 200).length);
    expect(log[log.length - 1].action).toBe('delete');
  });

  it('refuses a PATCH or DELETE with a stale If-Match (412), and writes nothing', async () => {
    const device = await newDevice('R-etag');
    const read = await t.http().get(`/api/v1/devices/${device.id}`).expect(200);
    const v1 = read.headers.etag;
    expect(v1).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    const changed = await t.http().patch(`/api/v1/devices/${device.id}`).set('If-Match', v1).send({ name: 'R-etag-2' }).expect(200);
    const v2 = changed.headers.etag;
    expect(v2).not.toBe(v1);
    expect((await t.http().get(`/api/v1/devices/${device.id}`)).headers.etag).toBe(v2);

    const stale = await t.http().patch(`/api/v1/devices/${device.id}`).set('If-Match', v1).send({ name: 'R-etag-lost' }).expect(412);
    expect(stale.headers['content-type']).toContain('application/problem+json');
    expect(stale.body.detail).toContain(v2);
    await t.http().delete(`/api/v1/devices/${device.id}`).set('If-Match', v1).expect(412);
    expect((await t.http().get(`/api/v1/devices/${device.id}`).expect(200)).body.name).toBe('R-etag-2');
    expect((await auditOf(device.id)).map((e) => e.action)).toEqual(['create', 'update']);

    await t.http().delete(`/api/v1/devices/${device.id}`).set('If-Match', `"other", ${v2}`).expect(204);

    // The contract says so, beside the answers it already gave.
    const doc = (await t.as().get('/api/openapi.json').expect(200)).body;
    const one = doc.paths['/api/v1/devices/{id}'];
    expect(Object.keys(one.patch.responses).sort()).toEqual(['200', '412', 'default']);
    expect(Object.keys(one.delete.responses).sort()).toEqual(['204', '412', 'default']);
    expect(one.patch.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toContain('header:If-Match');
  });

  it('takes an ifMatch per item of a bulk PATCH or DELETE: one stale item refuses the whole write (412, naming it)', async () => {
    const [a, b] = [await newDevice('R-bulk-a'), await newDevice('R-bulk-b')];
    const etag = async (id: string) => (await t.http().get(`/api/v1/devices/${id}`).expect(200)).headers.etag as string;
    const [a1, b1] = [await etag(a.id), await etag(b.id)];
    // Someone else renames b after it was read.
    await t.http().patch(`/api/v1/devices/${b.id}`).send({ name: 'R-bulk-b-other' }).expect(200);
    const b2 = await etag(b.id);

    // Both renamed in one bulk PATCH, each with the version its writer read of it.
    const renameBoth = (bRead: string) =>
      t
        .http()
        .patch('/api/v1/devices')
        .send([
          { id: a.id, ifMatch: a1, name: 'R-bulk-a-mine' },
          { id: b.id, ifMatch: bRead, name: 'R-bulk-b-mine' },
        ]);
    const patch = await renameBoth(b1).expect(412);
    expect(patch.body.errors).toEqual([{ field: '[1].ifMatch', message: `${b1} is not the current version (now ${b2})` }]);
    expect(patch.body.detail).toContain('1 of these records have changed');
    const del = await t.http().delete('/api/v1/devices').send([a.id, { id: b.id, ifMatch: b1 }]).expect(412);
    expect(del.body.errors.map((p: { field: string }) => p.field)).toEqual(['[1].ifMatch']);
    // Nothing of either write happened.
    expect((await t.http().get(`/api/v1/devices/${a.id}`).expect(200)).body.name).toBe('R-bulk-a');
    expect((await t.http().get(`/api/v1/devices/${b.id}`).expect(200)).body.name).toBe('R-bulk-b-other');
    expect((await auditOf(a.id)).map((e) => e.action)).toEqual(['create']);

    // In Vietnamese too.
    const vi = await t.http().patch('/api/v1/devices').set('Accept-Language', 'vi').send([{ id: b.id, ifMatch: b1, name: 'x' }, { id: a.id, name: 'y' }]).expect(412);
    expect(vi.body.detail).toMatch(/^1 bản ghi đã bị người khác thay đổi/);

    // A malformed ifMatch or an unknown key in a delete item is a 400 naming it, and deletes nothing.
    const bad = await t.http().delete('/api/v1/devices').send([{ id: a.id, ifMatch: 7 }, { id: b.id, etag: b2 }]).expect(400);
    expect(bad.body.errors.map((p: { field: string }) => p.field)).toEqual(['[0].ifMatch', '[1].etag']);
    const badPatch = await t.http().patch('/api/v1/devices').send([{ id: a.id, ifMatch: '', name: 'z' }]).expect(400);
    expect(badPatch.body.errors.map((p: { field: string }) => p.field)).toEqual(['[0].ifMatch']);

    // With the current versions both writes go through.
    const done = await renameBoth(b2).expect(200);
    expect(done.body.map((d: { name: string }) => d.name)).toEqual(['R-bulk-a-mine', 'R-bulk-b-mine']);
    await t.http().delete('/api/v1/devices').send([{ id: a.id, ifMatch: await etag(a.id) }, b.id]).expect(204);
    await t.http().get(`/api/v1/devices/${b.id}`).expect(404);

    const doc = (await t.as().get('/api/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths['/api/v1/devices'].patch.responses)).toContain('412');
    expect(Object.keys(doc.paths['/api/v1/devices'].delete.responses)).toContain('412');
  });

  it('writes nothing for a write that changes nothing, and nothing when the catalogue is synced again', async () => {
    const device = await newDevice('R-noop');
    const read = await t.http().get(`/api/v1/devices/${device.id}`).expect(200);
    const same = await t.http().patch(`/api/v1/devices/${device.id}`).send({ name: 'R-noop', kind: 'router' }).expect(200);
    expect(same.headers.etag).toBe(read.headers.etag);
    expect((await auditOf(device.id)).map((e) => e.action)).toEqual(['create']);

    // Each process start syncs the built-in indicators: a second sync, as at a restart, adds no entries.
    const indicatorEntries = async () => (await t.http().get('/api/v1/audit').query({ entityType: 'indicator', limit: 1 }).expect(200)).body.total as number;
    await t.http().get('/api/v1/indicators').expect(200);
    const before = await indicatorEntries();
    const indicators = t.app.get(IndicatorsService) as unknown as { catalogue?: Promise<void>; ensureCatalogue(): Promise<void> };
    indicators.catalogue = undefined;
    await indicators.ensureCatalogue();
    expect(await indicatorEntries()).toBe(before);
  });

  it('applies the same rules on create as on update: no active device without commissionedOn', async () => {
    const res = await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', name: 'R-undated' }).expect(400);
    expect(res.body.errors).toEqual([{ field: 'commissionedOn', message: 'an active item needs commissionedOn' }]);
    await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'router', name: 'R-planned', status: 'planned' }).expect(201);
    await t.http().post('/api/v1/wan-links').send({ agencyId: agency.id, network: 'internet', medium: 'fibre' }).expect(400);
  });

  it('labels each answer in /metrics with its real status', async () => {
    await t.http().get('/api/v1/devices/00000000-0000-4000-8000-000000000000').expect(404);
    await t.as('hat_not-a-token').get('/api/v1/devices').expect(401);
    await t.http().post('/api/v1/devices').send({ agencyId: agency.id, kind: 'toaster' }).expect(400);
    const text = (await t.http().get('/metrics').expect(200)).text;
    const count = (route: string, status: number) => Number(new RegExp(`hatang_http_request_duration_seconds_count\\{method="[A-Z]+",route="${route.replace(/[/:]/g, (c) => `\\${c}`)}",status="${status}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    expect(count('/api/v1/devices/:id', 404)).toBeGreaterThanOrEqual(1);
    expect(count('/api/v1/devices', 401)).toBeGreaterThanOrEqual(1);
    expect(count('/api/v1/devices', 400)).toBeGreaterThanOrEqual(1);
    expect(text).not.toMatch(/status="500"/);
  });

  it('pages 10,000 rows that share one timestamp, each once, and exports them all', async () => {
    const lan = (await t.http().post('/api/v1/lans').send({ agencyId: agency.id, name: 'LAN', departmentsTotal: 1, departmentsJoined: 1, commissionedOn: '2014-01-01' }).expect(201)).body;
    // One bulk write is one transaction: every row gets the same created_at, as the demo's 6,091 devices do.
    const items = Array.from({ length: 10_000 }, (_, i) => ({ agencyId: agency.id, kind: 'workstation', name: `PC ${i}`, serialNumber: `SAME-${String(i).padStart(5, '0')}`, commissionedOn: '2014-01-01' }));
    await t.http().post('/api/v1/devices').send(items).expect(201);
    const [{ n }] = await t.ds.query(`SELECT count(DISTINCT created_at)::int AS n FROM device WHERE serial_number LIKE 'SAME-%'`);
    expect(n).toBe(1);

    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = (await t.http().get('/api/v1/devices').query({ q: 'SAME', limit: 1000, ...(cursor ? { cursor } : {}) }).expect(200)).body;
      for (const d of page.items as Array<{ id: string }>) seen.add(d.id);
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(seen.size).toBe(10_000);
    expect(pages).toBeLessThanOrEqual(11);

    // Small pages too: the second page is not the first again.
    const first = (await t.http().get('/api/v1/devices').query({ q: 'SAME', limit: 5 }).expect(200)).body;
    const second = (await t.http().get('/api/v1/devices').query({ q: 'SAME', limit: 5, cursor: first.nextCursor }).expect(200)).body;
    expect(second.items.map((d: { id: string }) => d.id).filter((id: string) => first.items.some((f: { id: string }) => f.id === id))).toEqual([]);
    expect(second.nextCursor).not.toBe(first.nextCursor);

    // A cursor of another list is refused, not misread.
    const lans = (await t.http().get('/api/v1/lans').query({ limit: 1 }).expect(200)).body;
    expect(lans.items[0].id).toBe(lan.id);
    await t.http().post('/api/v1/lans').send({ agencyId: agency.id, name: 'LAN 2', departmentsTotal: 1, departmentsJoined: 0, commissionedOn: '2014-01-01' }).expect(201);
    const lanCursor = (await t.http().get('/api/v1/lans').query({ limit: 1 }).expect(200)).body.nextCursor;
    const wrong = await t.http().get('/api/v1/devices').query({ cursor: lanCursor }).expect(400);
    expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);

    const csv = await t.http().get('/api/v1/devices/export').query({ q: 'SAME' }).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => done(null, text));
    }).expect(200);
    const lines = (csv.body as string).trim().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(10_000);
  }, 120_000);
});
