import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyMemory, PollingStore, type TrafficPoint, TrafficService } from '@app/polling';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));
const SLOT = 300_000;
const HOUR = 3_600_000;

/** PostgreSQL's percentile_cont: linear between the two nearest ranks. */
function percentile(values: number[], p: number): number {
  const v = [...values].sort((a, b) => a - b);
  const pos = p * (v.length - 1);
  const lo = Math.floor(pos);
  return v[lo] + (pos - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]) - v[lo]);
}
const localMonth = (ms: number) => new Date(ms + 7 * HOUR).toISOString().slice(0, 7);

/** Traffic series of an interface and a WAN link: points as the poller writes them, roll-ups, retention, percentiles. */
describe.each(ENGINES)('traffic on %s', (engine) => {
  let t: TestApp;
  let deviceId: string;
  let linkId: string;
  let interfaceId: string;
  // Two days of 5-minute points ending at the last whole slot: in = 0…99 Mbit/s in turn, out 10 Mbit/s.
  const now = Date.now() - (Date.now() % SLOT);
  const points: TrafficPoint[] = Array.from({ length: 576 }, (_, k) => ({
    ifIndex: 1,
    at: now - (576 - k) * SLOT,
    inBps: (k % 100) * 1e6,
    outBps: 10e6,
    inErrorsPerSecond: 0.1,
    outErrorsPerSecond: 0,
    seconds: 300,
  }));

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    const agencyId = (await t.http().post('/api/v1/agencies').send({ code: 'UBND-21601', name: 'UBND xã Nhơn Châu', kind: 'commune_committee', administrativeUnitId: commune.id }).expect(201)).body.id;
    deviceId = (await t.http().post('/api/v1/devices').send({ agencyId, kind: 'router', name: 'r-traffic', status: 'active', commissionedOn: '2024-01-01' }).expect(201)).body.id;
    const store = t.app.get(PollingStore);
    const row = { alias: null, descr: null, type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'up', operStatus: 'up' };
    await store.saveInterfaces(deviceId, [{ ifIndex: 1, name: 'Gi0/1', ...row }, { ifIndex: 2, name: 'Gi0/2', ...row }], new Date(now - 3 * 86_400_000));
    interfaceId = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces`).expect(200)).body.items[0].id;
    linkId = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 100, deviceId, interfaceName: 'Gi0/1', commissionedOn: '2024-01-01' }).expect(201)).body.id;
    // Written as the poller writes them: in batches, with a point 40 days old that retention removes.
    const stale = { ...points[0], at: now - 40 * 86_400_000 };
    for (let i = 0; i < points.length; i += 100) {
      await store.flush([{ deviceId, memory: emptyMemory(), events: [], changed: false, polledAt: now, points: i === 0 ? [stale, ...points.slice(0, 100)] : points.slice(i, i + 100) }]);
    }
    await t.app.get(TrafficService).rollUp(now);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it('gives a day as 5-minute points, as the poller wrote them', async () => {
    const day = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaceId}/traffic`).query({ from: new Date(now - 86_400_000).toISOString(), to: new Date(now).toISOString() }).expect(200)).body;
    expect(day).toMatchObject({ interfaceId, name: 'Gi0/1', resolution: '5m' });
    expect(day.points).toHaveLength(288);
    expect(day.points[0]).toEqual({ at: new Date(points[288].at).toISOString(), inBps: points[288].inBps, outBps: 10e6, inErrorsPerSecond: 0.1, outErrorsPerSecond: 0, seconds: 300 });
  });

  it('rolls the points up into hours and days: averages weighted by the seconds measured, and the busiest 5 minutes', async () => {
    const hours = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaceId}/traffic`).query({ from: new Date(now - 2 * 86_400_000).toISOString(), to: new Date(now).toISOString(), resolution: '1h' }).expect(200)).body;
    expect(hours.resolution).toBe('1h');
    // Whole hours only (the hour in progress is rolled up once it ends), from the first that starts in the span.
    const ended = points.filter((p) => p.at < now - (now % HOUR) && p.at - (p.at % HOUR) >= now - 2 * 86_400_000);
    const byHour = new Map<number, TrafficPoint[]>();
    for (const p of ended) byHour.set(p.at - (p.at % HOUR), [...(byHour.get(p.at - (p.at % HOUR)) ?? []), p]);
    expect(hours.points).toHaveLength(byHour.size);
    for (const h of hours.points) {
      const inHour = byHour.get(Date.parse(h.at))!;
      expect(h.inBps).toBeCloseTo(inHour.reduce((s, p) => s + p.inBps, 0) / inHour.length, 3);
      expect(h.inMaxBps).toBe(Math.max(...inHour.map((p) => p.inBps)));
      expect(h.seconds).toBe(300 * inHour.length);
    }
    // A span of months reads daily points (Vietnam's days); the days that have ended are there.
    const days = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaceId}/traffic`).query({ from: new Date(now - 90 * 86_400_000).toISOString(), to: new Date(now).toISOString() }).expect(200)).body;
    expect(days.resolution).toBe('1d');
    for (const d of days.points) expect((Date.parse(d.at) + 7 * HOUR) % 86_400_000).toBe(0);
    expect(days.points.length).toBeGreaterThanOrEqual(1);
    // Rolling up again changes nothing.
    await t.app.get(TrafficService).rollUp(now);
    const again = (await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaceId}/traffic`).query({ from: new Date(now - 2 * 86_400_000).toISOString(), to: new Date(now).toISOString(), resolution: '1h' }).expect(200)).body;
    expect(again.points).toEqual(hours.points);
  });

  it('drops points past their retention', async () => {
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM traffic_5m WHERE at < $1`, [new Date(now - 35 * 86_400_000)]);
    expect(n).toBe(0);
    const [{ total }] = await t.ds.query(`SELECT count(*)::int AS total FROM traffic_5m`);
    expect(total).toBe(576);
  });

  it("gives a WAN link's traffic with its utilisation of the contract, and each month's 95th percentile", async () => {
    const link = (await t.http().get(`/api/v1/wan-links/${linkId}/traffic`).query({ from: new Date(now - 3_600_000).toISOString(), to: new Date(now).toISOString() }).expect(200)).body;
    expect(link).toMatchObject({ wanLinkId: linkId, interfaceId, interfaceName: 'Gi0/1', contractedMbps: 100, measuredMbps: 1000, resolution: '5m' });
    expect(link.points).toHaveLength(12);
    for (const p of link.points) expect(p.inUtilisationPercent).toBeCloseTo(p.inBps / 1e6, 5);
    expect(link.points[0].outUtilisationPercent).toBe(10);

    const monthly = (await t.http().get(`/api/v1/wan-links/${linkId}/traffic/monthly`).query({ months: 2 }).expect(200)).body;
    expect(monthly.months.map((m: { month: string }) => m.month)).toEqual([localMonth(Date.now()), localMonth(Date.UTC(new Date(Date.now() + 7 * HOUR).getUTCFullYear(), new Date(Date.now() + 7 * HOUR).getUTCMonth() - 1, 15))]);
    for (const m of monthly.months) {
      const inMonth = points.filter((p) => localMonth(p.at) === m.month);
      expect(m.points).toBe(inMonth.length);
      if (inMonth.length === 0) expect(m.inP95Bps).toBeNull();
      else {
        expect(m.inP95Bps).toBeCloseTo(percentile(inMonth.map((p) => p.inBps), 0.95), 3);
        expect(m.inUtilisationPercent).toBeCloseTo(m.inP95Bps / 1e6, 2);
      }
    }
  });

  it("gives the links' use over the last days for a plan's page: busiest first, with what is unmeasured", async () => {
    const commune = (await t.http().get('/api/v1/administrative-units').query({ code: '21601' })).body.items[0];
    const agencyId = (await t.http().get(`/api/v1/wan-links/${linkId}`).expect(200)).body.agencyId;
    // A second link, on no device: in service, never measured.
    const unmeasured = (await t.http().post('/api/v1/wan-links').send({ agencyId, network: 'provincial_wan', medium: 'fibre', bandwidthMbps: 20, commissionedOn: '2024-01-01' }).expect(201)).body.id;
    const use = (await t.http().get('/api/v1/traffic/wan-links').query({ within: commune.id, days: 1 }).expect(200)).body;
    const inSpan = points.filter((p) => p.at >= Date.parse(use.from));
    expect(inSpan.length).toBeGreaterThan(280);
    expect(use.summary).toEqual({ links: 2, measured: 1, busy: 1, idle: 0, belowContract: 0 });
    expect(use.items.map((i: { wanLinkId: string }) => i.wanLinkId)).toEqual([linkId, unmeasured]);
    const [measured, none] = use.items;
    expect(measured.points).toBe(inSpan.length);
    expect(measured.inP95Bps).toBeCloseTo(percentile(inSpan.map((p) => p.inBps), 0.95), 3);
    expect(measured.inAvgBps).toBeCloseTo(inSpan.reduce((n, p) => n + p.inBps, 0) / inSpan.length, 3);
    expect(measured.outP95Bps).toBeCloseTo(10e6, 3);
    // The busier direction against the 100 Mbps contract: about 94 %, busy (80 % or more).
    expect(measured.utilisationPercent).toBeCloseTo(measured.inP95Bps / 1e6, 2);
    expect(measured).toMatchObject({ contractedMbps: 100, measuredMbps: 1000, agencyName: 'UBND xã Nhơn Châu', network: 'provincial_wan' });
    expect(none).toMatchObject({ points: 0, inP95Bps: null, utilisationPercent: null, measuredMbps: null });
    // Another province's unit holds neither.
    const other = (await t.http().get('/api/v1/administrative-units').query({ level: 'province', limit: 5 })).body.items.find((u: { code: string }) => u.code !== '52');
    expect((await t.http().get('/api/v1/traffic/wan-links').query({ within: other.id }).expect(200)).body.summary.links).toBe(0);
    const bad = await t.http().get('/api/v1/traffic/wan-links').query({ days: 40, within: 'x' }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['days', 'within']);
    await t.http().delete(`/api/v1/wan-links/${unmeasured}`).expect(204);
  });

  it('judges "a link of at least N Mbps" on the registered figure, the measured capacity, or both', async () => {
    const province = (await t.http().get('/api/v1/administrative-units').query({ code: '52' }).expect(200)).body.items[0];
    const year = new Date().getFullYear();
    for (const basis of ['registered', 'measured', 'both']) {
      await t
        .http()
        .post('/api/v1/indicators')
        .send({
          code: `link_500_${basis}`,
          labelVi: `Đường truyền từ 500 Mbps (${basis})`,
          labelEn: `Links of 500 Mbps (${basis})`,
          definition: { population: { entity: 'agency', kinds: 'commune_committee' }, criterion: { hasLink: { minBandwidthMbps: 500, bandwidthBasis: basis } } },
        })
        .expect(201);
    }
    const targets = ['registered', 'measured', 'both'].map((basis) => ({ indicator: `link_500_${basis}`, year, value: 100, wordingVi: basis }));
    const plan = (await t.http().post('/api/v1/plans').send({ administrativeUnitId: province.id, titleVi: 'Băng thông', periodFrom: year, periodTo: year, targets }).expect(201)).body;
    const figures = async () =>
      Object.fromEntries(((await t.http().get(`/api/v1/plans/${plan.id}/coverage`).query({ year }).expect(200)).body.targets as Array<{ indicator: { code: string }; numerator: number; denominator: number }>).map((x) => [x.indicator.code, `${x.numerator}/${x.denominator}`]));
    // Registered 100 Mbps, its interface Gi0/1 measures 1,000.
    expect(await figures()).toEqual({ link_500_registered: '0/1', link_500_measured: '1/1', link_500_both: '0/1' });
    // The device now says the port runs at 100 Mbps: the figure follows at once (the list's change moves the inventory's version).
    const row = { alias: null, descr: null, type: 'ethernetCsmacd', adminStatus: 'up', operStatus: 'up' };
    await t.app.get(PollingStore).saveInterfaces(deviceId, [{ ifIndex: 1, name: 'Gi0/1', speedMbps: 100, ...row }, { ifIndex: 2, name: 'Gi0/2', speedMbps: 1000, ...row }], new Date());
    expect((await figures()).link_500_measured).toBe('0/1');
    const bad = await t.http().post('/api/v1/indicators').send({ code: 'x_bad', labelVi: 'x', labelEn: 'x', definition: { population: { entity: 'agency', kinds: 'commune_committee' }, criterion: { hasLink: { bandwidthBasis: 'guessed' } } } }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('definition.criterion.hasLink.bandwidthBasis');
  });

  it('refuses a bad span or resolution, naming the field', async () => {
    const bad = await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${interfaceId}/traffic`).query({ resolution: '10m' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'resolution' })]);
    const empty = await t.http().get(`/api/v1/wan-links/${linkId}/traffic`).query({ from: new Date(now).toISOString(), to: new Date(now - 1000).toISOString() }).expect(400);
    expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'to' })]);
    await t.http().get(`/api/v1/wan-links/${linkId}/traffic/monthly`).query({ months: 14 }).expect(400);
    await t.http().get(`/api/v1/devices/${deviceId}/interfaces/${deviceId}/traffic`).expect(404);
  });

  it("takes an interface's points with it when its device is deleted (the points carry no foreign key)", async () => {
    const count = async (table: string) => (await t.ds.query(`SELECT count(*)::int AS n FROM ${table} WHERE interface_id = $1`, [interfaceId]))[0].n as number;
    expect(await count('traffic_5m')).toBeGreaterThan(500);
    expect(await count('traffic_1h')).toBeGreaterThan(40);
    // Another device's points stay.
    const other = (await t.http().post('/api/v1/devices').send({ agencyId: (await t.http().get(`/api/v1/devices/${deviceId}`)).body.agencyId, kind: 'router', name: 'r-other', status: 'active', commissionedOn: '2024-01-01' }).expect(201)).body.id;
    const store = t.app.get(PollingStore);
    await store.saveInterfaces(other, [{ ifIndex: 1, name: 'Gi0/1', alias: null, descr: null, type: 'ethernetCsmacd', speedMbps: 1000, adminStatus: 'up', operStatus: 'up' }], new Date(now - 86_400_000));
    await store.flush([{ deviceId: other, memory: emptyMemory(), events: [], changed: false, polledAt: now, points: points.slice(-3) }]);
    await t.http().delete(`/api/v1/wan-links/${linkId}`).expect(204);
    await t.http().delete(`/api/v1/devices/${deviceId}`).expect(204);
    for (const table of ['traffic_5m', 'traffic_1h', 'traffic_1d']) expect(await count(table)).toBe(0);
    const [{ n }] = await t.ds.query(`SELECT count(*)::int AS n FROM traffic_5m x JOIN device_interface i ON i.id = x.interface_id WHERE i.device_id = $1`, [other]);
    expect(n).toBe(3);
  });
});
