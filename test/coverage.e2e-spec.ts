import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CoverageService, type TargetCoverage, trendAt } from '@app/coverage';
import { ENGINES } from './support/databases';
import { startApp, type TestApp } from './support/app';

const official = JSON.parse(readFileSync(join(__dirname, 'fixtures/dvhcvn-small.json'), 'utf8'));

type Target = TargetCoverage;

/**
 * A hand-built province (Bình Định 52 of the small fixture: communes 21550, 21553, 21601 under Quy
 * Nhơn, 21609 under An Lão, 21612 moved directly under the province as in the 2025 hierarchy) whose
 * every figure is worked out by hand in the comments.
 */
describe.each(ENGINES)('coverage on %s', (engine) => {
  let t: TestApp;
  let planId: string;
  const unit = async (code: string) => (await t.http().get('/api/v1/administrative-units').query({ code }).expect(200)).body.items[0] as { id: string };
  const agency = async (code: string, kind: string, unitCode: string) =>
    (await t.http().post('/api/v1/agencies').send({ code, name: `Agency ${code}`, kind, administrativeUnitId: (await unit(unitCode)).id }).expect(201)).body as { id: string };
  const post = async (path: string, body: object) => (await t.http().post(`/api/v1/${path}`).send(body).expect(201)).body as { id: string };
  const coverage = async (query: Record<string, string | number> = {}) =>
    (await t.http().get(`/api/v1/plans/${planId}/coverage`).query(query).expect(200)).body.targets as Target[];
  const find = (targets: Target[], code: string, year: number) => targets.find((x) => x.indicator.code === code && x.year === year)!;
  /** The target's lists, from their own paged route (the coverage answer carries their numbers only). */
  const listsOf = async (target: Target, query: Record<string, string | number> = {}, plan = planId) =>
    (await t.http().get(`/api/v1/plans/${plan}/coverage/${target.targetId}/missing`).query(query).expect(200)).body as Pick<Target, 'missing' | 'unmeasured'> & { limit: number; offset: number; asOf: string };

  beforeAll(async () => {
    t = await startApp(engine);
    await t.http().post('/api/v1/administrative-units/official-list').send(official).expect(200);
    const province = await unit('52');
    // Commune 21612 now hangs directly under the province (two-level hierarchy).
    await t.http().patch(`/api/v1/administrative-units/${(await unit('21612')).id}`).send({ parentId: province.id }).expect(200);

    const a = await agency('UBND-21550', 'commune_committee', '21550');
    const b = await agency('UBND-21553', 'commune_committee', '21553');
    const c = await agency('UBND-21601', 'commune_committee', '21601');
    const d = await agency('UBND-21612', 'commune_committee', '21612');
    // 21609 has no committee registered at all.

    // A: LAN from 2012, complete only from 2013-06-01; fibre internet and a TSLCD link from 2012.
    await post('lans', { agencyId: a.id, name: 'LAN A', departmentsJoined: 6, departmentsTotal: 6, commissionedOn: '2012-01-01', completedOn: '2013-06-01' });
    await post('wan-links', { agencyId: a.id, network: 'internet', medium: 'fibre', provider: 'VNPT', circuitId: 'A-NET', commissionedOn: '2012-01-01' });
    await post('wan-links', { agencyId: a.id, network: 'tslcd', medium: 'fibre', provider: 'VNPT', circuitId: 'A-WAN', commissionedOn: '2012-01-01' });
    // B: a LAN that never joins every department; fibre internet and WAN.
    await post('lans', { agencyId: b.id, name: 'LAN B', departmentsJoined: 3, departmentsTotal: 5, commissionedOn: '2012-05-01' });
    await post('wan-links', { agencyId: b.id, network: 'internet', medium: 'fibre', provider: 'VNPT', circuitId: 'B-NET', commissionedOn: '2012-01-01' });
    await post('wan-links', { agencyId: b.id, network: 'provincial_wan', medium: 'fibre', provider: 'VNPT', circuitId: 'B-WAN', commissionedOn: '2012-01-01' });
    // C: no LAN, copper internet, no WAN.
    await post('wan-links', { agencyId: c.id, network: 'internet', medium: 'copper', provider: 'Viettel', circuitId: 'C-NET', commissionedOn: '2011-01-01' });
    // D: complete LAN and fibre from 2012; its WAN link retired mid-2014.
    await post('lans', { agencyId: d.id, name: 'LAN D', departmentsJoined: 4, departmentsTotal: 4, commissionedOn: '2012-03-01' });
    await post('wan-links', { agencyId: d.id, network: 'internet', medium: 'fibre', provider: 'VNPT', circuitId: 'D-NET', commissionedOn: '2012-01-01' });
    await post('wan-links', { agencyId: d.id, network: 'tslcd', medium: 'fibre', provider: 'VNPT', circuitId: 'D-WAN', commissionedOn: '2012-01-01', status: 'retired', retiredOn: '2014-06-30' });

    // Staff of district level and above: the Quy Nhơn committee has 10 civil servants in 2013 and no
    // figure for 2014, and 12 computers (2 more than staff); the department has 20 in 2013 and 2014
    // and 5 working computers, 3 more retired in mid-2013.
    const district = await agency('UBND-540', 'district_committee', '540');
    const dept = await agency('STTTT', 'provincial_department', '52');
    await t.http().put(`/api/v1/agencies/${district.id}/staffing/2013`).send({ civilServants: 10, publicEmployees: 0 }).expect(200);
    await t.http().put(`/api/v1/agencies/${dept.id}/staffing/2013`).send({ civilServants: 20, publicEmployees: 4 }).expect(200);
    await t.http().put(`/api/v1/agencies/${dept.id}/staffing/2014`).send({ civilServants: 20, publicEmployees: 4 }).expect(200);
    // Commune staff are not of district level: they must not count.
    await t.http().put(`/api/v1/agencies/${a.id}/staffing/2013`).send({ civilServants: 7, publicEmployees: 0 }).expect(200);
    const ws = (agencyId: string, n: number, extra: object = {}) =>
      t.http().post('/api/v1/devices').send(Array.from({ length: n }, () => ({ agencyId, kind: 'workstation', commissionedOn: '2013-01-01', ...extra }))).expect(201);
    await ws(district.id, 12);
    await ws(dept.id, 5);
    await ws(dept.id, 3, { commissionedOn: '2012-01-01', status: 'retired', retiredOn: '2013-06-30' });
    await ws(a.id, 7);

    planId = (
      await post('plans', {
        administrativeUnitId: province.id,
        titleVi: 'Kế hoạch thử',
        periodFrom: 2011,
        periodTo: 2015,
        targets: [
          { indicator: 'commune_lan_complete_fibre_wan', year: 2012, value: 20, wordingVi: 'UBND cấp xã có LAN hoàn chỉnh' },
          { indicator: 'commune_lan_complete_fibre_wan', year: 2013, value: 60, wordingVi: 'UBND cấp xã có LAN hoàn chỉnh' },
          { indicator: 'commune_lan_complete_fibre_wan', year: 2014, value: 80, wordingVi: 'UBND cấp xã có LAN hoàn chỉnh' },
          { indicator: 'commune_lan', year: 2012, value: 50, wordingVi: 'Xã có LAN' },
          { indicator: 'staff_computers_district_up', year: 2013, value: 50, wordingVi: 'CBCC có máy tính' },
          { indicator: 'staff_computers_district_up', year: 2014, value: 100, wordingVi: 'CBCC có máy tính' },
          { indicator: 'data_centre_completion', year: 2014, value: 100, wordingVi: 'TTTHDL' },
        ],
      })
    ).id;
  });
  afterAll(async () => {
    await t.close();
  });

  it('counts commune committees with a complete LAN, fibre and WAN, year by year from the equipment dates', async () => {
    const all = await coverage();
    // 2012: only D (A's LAN is not complete until 2013-06-01) → 1 of 4.
    expect(find(all, 'commune_lan_complete_fibre_wan', 2012)).toMatchObject({ numerator: 1, denominator: 4, value: 25, status: 'met', asOf: '2012-12-31' });
    // 2013: A and D → 2 of 4; the target 60% needs 3: one more, and the year is over.
    expect(find(all, 'commune_lan_complete_fibre_wan', 2013)).toMatchObject({ numerator: 2, denominator: 4, value: 50, status: 'behind', gap: { count: 1 } });
    // 2014: D's WAN link was retired on 2014-06-30 → only A.
    expect(find(all, 'commune_lan_complete_fibre_wan', 2014)).toMatchObject({ numerator: 1, denominator: 4, value: 25, gap: { count: 3, text: { en: '3 more communes' } } });
  });

  it('breaks the figure down by district, with the commune moved under the province on its own line', async () => {
    const answer = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2013 }).expect(200)).body as { targets: Target[]; districts: Array<{ id: string; name: string }> };
    const t2013 = find(answer.targets, 'commune_lan_complete_fibre_wan', 2013);
    // Each district named once for the whole answer; a breakdown names it by id.
    const name = (id: string | null) => (id === null ? null : answer.districts.find((d) => d.id === id)!.name);
    expect(t2013.breakdown.map((b) => [name(b.districtId), b.numerator, b.denominator])).toEqual([
      [null, 1, 1], // 21612, directly under the province
      ['Thành phố Quy Nhơn', 1, 3],
    ]);
  });

  it('lists the communes that do not count, with the reasons', async () => {
    const t2013 = find(await coverage({ year: 2013 }), 'commune_lan_complete_fibre_wan', 2013);
    expect(t2013.missing).toEqual({ total: 2, items: [] });
    const lists = await listsOf(t2013);
    expect(lists.missing.total).toBe(2);
    const reasons = Object.fromEntries(lists.missing.items.map((m) => [m.name, m.reasons.map((r) => r.en)]));
    expect(reasons).toEqual({
      'Agency UBND-21553': ['LAN not complete'],
      'Agency UBND-21601': ['no LAN', 'no fibre internet link', 'no provincial WAN or TSLCD network link'],
    });
    // A page at a time, and searched without diacritics; the answer with missingLimit lists them too.
    // Paged by offset; a cursor is refused, not ignored.
    const refused = await t.http().get(`/api/v1/plans/${planId}/coverage/${t2013.targetId}/missing`).query({ cursor: 'abc' }).expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'cursor', message: 'this list is paged by offset: give limit and offset' })]);
    const second = await listsOf(t2013, { limit: 1, offset: 1 });
    expect(second.missing).toEqual({ total: 2, items: [expect.objectContaining({ name: 'Agency UBND-21601' })] });
    expect((await listsOf(t2013, { q: 'ubnd-21553' })).missing).toEqual({ total: 1, items: [expect.objectContaining({ name: 'Agency UBND-21553' })] });
    expect(find(await coverage({ year: 2013, missingLimit: 10 }), 'commune_lan_complete_fibre_wan', 2013).missing.items).toEqual(lists.missing.items);
  });

  it('counts communes (units) with a LAN, naming the one with no committee registered', async () => {
    // 2012: A, B and D have a LAN; C has none; 21609 has no committee → 3 of 5.
    const t2012 = find(await coverage({ year: 2012 }), 'commune_lan', 2012);
    expect(t2012).toMatchObject({ numerator: 3, denominator: 5, value: 60, status: 'met' });
    expect((await listsOf(t2012)).missing.items.map((m) => m.reasons[0].en).sort()).toEqual(['no LAN', 'no agency of the kinds counted is registered in this unit']);
  });

  it('keeps counts between questions, and a write followed by a read shows the write', async () => {
    const t2012 = find(await coverage({ year: 2012 }), 'commune_lan', 2012);
    expect(t2012).toMatchObject({ numerator: 3, denominator: 5 });
    // The commune with a committee but no LAN gets one (commissioned in 2011): 4 of 5 at once.
    const noLan = (await listsOf(t2012)).missing.items.find((m) => m.reasons[0].en === 'no LAN')!;
    const committee = (await t.http().get('/api/v1/agencies').query({ administrativeUnit: noLan.id }).expect(200)).body.items[0];
    const lan = (await t.http().post('/api/v1/lans').send({ agencyId: committee.id, name: 'LAN mới', departmentsJoined: 1, departmentsTotal: 3, commissionedOn: '2011-05-01' }).expect(201)).body;
    expect(find(await coverage({ year: 2012 }), 'commune_lan', 2012)).toMatchObject({ numerator: 4, denominator: 5 });
    // A write outside the API (an administrator's SQL) moves the figures too.
    await t.ds.query(`UPDATE lan SET commissioned_on = '2013-01-01' WHERE id = $1`, [lan.id]);
    expect(find(await coverage({ year: 2012 }), 'commune_lan', 2012)).toMatchObject({ numerator: 3, denominator: 5 });
    await t.http().delete(`/api/v1/lans/${lan.id}`).expect(204);
    expect(find(await coverage({ year: 2013 }), 'commune_lan', 2012)).toBeUndefined();
  });

  it('sets every province side by side for one indicator, each against its own target, units counted as valid on the date', async () => {
    const overview = async (query: Record<string, string | number>, as = t.http()) => (await as.get('/api/v1/coverage/overview').query(query).expect(200)).body as {
      year: number;
      asOf: string;
      provinces: Array<{ code: string; name: string; numerator: number; denominator: number; value: number | null; target: number | null; status: string | null; rank: number | null }>;
      cost: { passes: unknown[] };
    };
    // 2012: Bình Định 3 of 5 communes have a LAN (its plan asks 50%: met, first); Đà Nẵng's one commune has none, and no plan.
    const o = await overview({ indicator: 'commune_lan', year: 2012 });
    expect(o).toMatchObject({ year: 2012, asOf: '2012-12-31' });
    expect(o.provinces.map((p) => [p.code, p.numerator, p.denominator, p.value, p.target, p.status, p.rank])).toEqual([
      ['48', 0, 1, 0, null, null, 2],
      ['52', 3, 5, 60, 50, 'met', 1],
    ]);
    // The whole country's pass (leaves built as sets) gives the province the figures of its own pass (probes), target by target.
    for (const target of (await coverage()).filter((x) => x.indicator.kind === 'measured' && x.numerator !== null)) {
      const row = (await overview({ indicator: target.indicator.code, year: target.year })).provinces.find((p) => p.code === '52')!;
      expect([target.indicator.code, target.year, row.numerator, row.denominator]).toEqual([target.indicator.code, target.year, target.numerator, target.denominator]);
    }
    // A commune ended mid-2012 (merged) counts before its end date, not after.
    const ended = await unit('21609');
    await t.http().patch(`/api/v1/administrative-units/${ended.id}`).send({ validTo: '2012-07-01' }).expect(200);
    try {
      expect((await overview({ indicator: 'commune_lan', asOf: '2012-06-30' })).provinces.find((p) => p.code === '52')).toMatchObject({ numerator: 3, denominator: 5, value: 60 });
      expect((await overview({ indicator: 'commune_lan', year: 2012 })).provinces.find((p) => p.code === '52')).toMatchObject({ numerator: 3, denominator: 4, value: 75 });
    } finally {
      await t.http().patch(`/api/v1/administrative-units/${ended.id}`).send({ validTo: null }).expect(200);
    }
    // Recounted after that change back (a write), then asked again: nothing recounted.
    expect((await overview({ indicator: 'commune_lan', year: 2012 })).cost.passes).toHaveLength(1);
    expect((await overview({ indicator: 'commune_lan', year: 2012 })).cost).toMatchObject({ passes: [], cachedDates: 1 });
    // A district's account sees its own district only; an agency's, none.
    const quyNhon = await unit('540');
    const district = await t.token({ role: 'planner', administrativeUnitId: quyNhon.id });
    const own = await overview({ indicator: 'commune_lan', year: 2012 }, t.as(district));
    expect(own.provinces.map((p) => [p.name, p.numerator, p.denominator, p.target])).toEqual([['Thành phố Quy Nhơn', 2, 3, 50]]);
    const committee = (await t.http().get('/api/v1/agencies').query({ code: 'UBND-21550' }).expect(200)).body.items[0];
    await t.as(await t.token({ role: 'planner', agencyId: committee.id })).get('/api/v1/coverage/overview').query({ indicator: 'commune_lan', year: 2012 }).expect(403);
    // A bad question changes nothing and says why.
    const bad = await t.http().get('/api/v1/coverage/overview').query({ indicator: 'commune_lan', year: 2012, asOf: '2013-01-01' }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'asOf', message: 'asOf 2013-01-01 is not in 2012' })]);
    await t.http().get('/api/v1/coverage/overview').query({ indicator: 'no_such_indicator', year: 2012 }).expect(404);
    const unnamed = await t.http().get('/api/v1/coverage/overview').query({ year: 2012 }).expect(400);
    expect(unnamed.body.errors).toEqual([{ field: 'indicator', message: 'indicator must be an indicator\'s code (e.g. commune_lan)' }]);
    // The export: a row per province by rank, the values as percentages.
    const csv = await t.http().get('/api/v1/coverage/overview/export').query({ indicator: 'commune_lan', year: 2012, format: 'csv' }).expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('Xếp hạng,Mã,"Tỉnh, thành phố",Tử số,Mẫu số,Thực hiện (%),Kế hoạch (%),Đánh giá');
    expect(lines[1]).toBe('1,52,Tỉnh Bình Định,3,5,60,50,Đạt');
    expect(lines[2]).toBe('2,48,Thành phố Đà Nẵng,0,1,0,,Không có chỉ tiêu');
  });

  it('uses the year’s staffing as denominator and at most one computer per person in each agency', async () => {
    const all = await coverage();
    // 2013: committee min(10, 12) = 10, department 5 working (3 retired mid-year) of 20 → 15 / 30.
    // The committee's 2 spare computers do not cover the department's staff; commune staff are left out.
    const s2013 = find(all, 'staff_computers_district_up', 2013);
    expect(s2013).toMatchObject({ numerator: 15, denominator: 30, value: 50, status: 'met' });
    expect((await listsOf(s2013)).missing.items).toEqual([expect.objectContaining({ name: 'Agency STTTT', short: 15 })]);
    // 2014: the committee has no staffing figure: left out of the ratio and listed → 5 / 20.
    const s2014 = find(all, 'staff_computers_district_up', 2014);
    expect(s2014).toMatchObject({ numerator: 5, denominator: 20, value: 25, status: 'behind', gap: { count: 15 } });
    expect(s2014.unmeasured).toEqual({ total: 1, items: [] });
    expect((await listsOf(s2014)).unmeasured).toEqual({ total: 1, items: [expect.objectContaining({ name: 'Agency UBND-540', reason: expect.objectContaining({ en: 'no staffing figure for 2014' }) })] });
  });

  it('computes as of any date and projects the trend of the previous years to judge the current year', async () => {
    // On 2013-07-01: A (complete since 2013-06-01) and D → 50%. Year-ends 2010–2012: 0, 0, 25.
    const [mid] = (await coverage({ asOf: '2013-07-01' })).filter((x) => x.indicator.code === 'commune_lan_complete_fibre_wan');
    expect(mid).toMatchObject({ asOf: '2013-07-01', numerator: 2, denominator: 4, value: 50 });
    expect(mid.projection!.basis).toEqual([
      { date: '2010-12-31', value: 0 },
      { date: '2011-12-31', value: 0 },
      { date: '2012-12-31', value: 25 },
      { date: '2013-07-01', value: 50 },
    ]);
    const projected = Math.round(trendAt(mid.projection!.basis, '2013-12-31') * 100) / 100;
    expect(mid.projection!.projectedValue).toBe(projected);
    expect(projected).toBeGreaterThan(50);
    expect(projected).toBeLessThan(60);
    expect(mid.status).toBe('behind'); // the trend stops short of 60% by the year's end

    // The same date with "today" set to it: the current year is judged by the projection too.
    const service = t.app.get(CoverageService);
    service.clock = () => new Date('2013-07-01T08:00:00Z');
    try {
      const current = find(await coverage({ year: 2013 }), 'commune_lan_complete_fibre_wan', 2013);
      expect(current).toMatchObject({ asOf: '2013-07-01', value: 50, status: 'behind' });
      expect(current.projection!.projectedValue).toBe(projected);
    } finally {
      service.clock = () => new Date();
    }
  });

  it('takes reported indicators from the values planners enter, with their source', async () => {
    const province = await unit('52');
    const before = find(await coverage({ year: 2014 }), 'data_centre_completion', 2014);
    expect(before).toMatchObject({ value: null, status: 'no_data' });
    await t.http().put('/api/v1/indicators/data_centre_completion/reported-values').send({ administrativeUnitId: province.id, year: 2014, value: 100, source: 'Báo cáo 12/BC-STTTT' }).expect(200);
    const after = find(await coverage({ year: 2014 }), 'data_centre_completion', 2014) as Target & { reported: { source: string } };
    expect(after).toMatchObject({ value: 100, status: 'met', reported: { source: 'Báo cáo 12/BC-STTTT' } });
    const bad = await t.http().put('/api/v1/indicators/commune_lan/reported-values').send({ administrativeUnitId: province.id, year: 2014, value: 10, source: 'x y z' }).expect(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'indicator' });
  });

  it('freezes a saved report: later changes to the inventory do not move its figures', async () => {
    const saved = (await t.http().post(`/api/v1/plans/${planId}/reports`).send({ year: 2013, title: 'Năm 2013' }).expect(201)).body;
    // B's LAN becomes complete in 2013: the live figure moves, the report does not.
    const lanB = (await t.http().get('/api/v1/lans').query({ q: 'LAN B' }).expect(200)).body.items[0];
    await t.http().patch(`/api/v1/lans/${lanB.id}`).send({ departmentsJoined: 5, completedOn: '2013-09-01' }).expect(200);
    expect(find(await coverage({ year: 2013 }), 'commune_lan_complete_fibre_wan', 2013)).toMatchObject({ numerator: 3, value: 75, status: 'met' });
    const report = (await t.http().get(`/api/v1/reports/${saved.id}`).expect(200)).body;
    expect(find(report.figures.targets, 'commune_lan_complete_fibre_wan', 2013)).toMatchObject({ numerator: 2, value: 50, status: 'behind' });
    // Even a direct UPDATE is refused by the database.
    await expect(t.ds.query(`UPDATE coverage_report SET title = 'x' WHERE id = $1`, [saved.id])).rejects.toThrow(/immutable/);
    await t.http().patch(`/api/v1/lans/${lanB.id}`).send({ departmentsJoined: 3, completedOn: null }).expect(200);
  });

  it('exports the target table as XLSX (indicator × year) and CSV with Vietnamese labels', async () => {
    const xlsx = await t.http().get(`/api/v1/plans/${planId}/coverage/export`).buffer(true).parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(xlsx.status).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.body as never);
    const sheet = book.getWorksheet('Chỉ tiêu')!;
    expect(sheet.getRow(4).values).toEqual(expect.arrayContaining(['STT', 'Chỉ tiêu', '2012', '2013', '2014']));
    expect(sheet.getRow(5).getCell(3).value).toBe('Kế hoạch');
    const row = [...Array(sheet.rowCount).keys()].map((i) => sheet.getRow(i + 1)).find((r) => r.getCell(2).value === 'UBND cấp xã có LAN hoàn chỉnh')!;
    // 2013 is the second year: target 60%, actual 50%, behind.
    expect([row.getCell(6).value, row.getCell(7).value, row.getCell(8).value]).toEqual([0.6, 0.5, 'Chậm']);
    expect(row.getCell(7).numFmt).toBe('0.00%');
    expect(book.getWorksheet('Còn thiếu')!.rowCount).toBeGreaterThan(1);

    const csv = await t.http().get(`/api/v1/plans/${planId}/coverage/export`).query({ format: 'csv', year: 2013 }).expect(200);
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('STT,Chỉ tiêu,Mã chỉ tiêu,Năm,Kế hoạch (%),Thực hiện (%),Tử số,Mẫu số,Còn thiếu,Đánh giá,Tính đến ngày');
    expect(lines).toContain(',UBND cấp xã có LAN hoàn chỉnh,commune_lan_complete_fibre_wan,2013,60,50,2,4,cần thêm 1 UBND cấp xã,Chậm,2013-12-31');
  });

  it('explains itself: a 0% first-year target, a reported indicator with no value, nothing to count, English plurals', async () => {
    const province = await unit('52');
    const plan = await post('plans', {
      administrativeUnitId: province.id,
      titleVi: 'Kế hoạch giải thích',
      periodFrom: 2011,
      periodTo: 2015,
      targets: [
        { indicator: 'commune_lan_complete_fibre_wan', year: 2012, value: 0, wordingVi: 'Năm đầu: 0%' },
        { indicator: 'commune_lan_complete_fibre_wan', year: 2013, value: 60, wordingVi: 'Một xã nữa' },
        { indicator: 'data_centre_completion', year: 2015, value: 100, wordingVi: 'TTTHDL' },
        { indicator: 'health_station_computers', year: 2014, value: 50, wordingVi: 'Trạm y tế có máy tính' },
      ],
    });
    const all = (await t.http().get(`/api/v1/plans/${plan.id}/coverage`).expect(200)).body.targets as Target[];
    // 2012: 1 of 4 count; a 0% target is met, and the 3 not counting are still listed and named as such.
    const first = find(all, 'commune_lan_complete_fibre_wan', 2012);
    expect(first).toMatchObject({ status: 'met', numerator: 1, denominator: 4, missing: { total: 3 }, gap: { count: 0, text: { en: 'target reached; 3 communes not counted yet' } } });
    expect((await listsOf(first, {}, plan.id)).missing.items).toHaveLength(3);
    // 2013: one more commune (singular).
    expect(find(all, 'commune_lan_complete_fibre_wan', 2013).gap!.text.en).toBe('1 more commune');
    // A reported indicator nobody entered: no figure, and where to enter it.
    const reported = find(all, 'data_centre_completion', 2015);
    expect(reported).toMatchObject({ status: 'no_data', value: null });
    expect(reported.explanation!.en).toContain('PUT /api/v1/indicators/data_centre_completion/reported-values');
    // No health station in the inventory: nothing to count, and why.
    const stations = find(all, 'health_station_computers', 2014);
    expect(stations).toMatchObject({ status: 'no_data', denominator: 0, gap: null });
    expect(stations.explanation!.en).toMatch(/^Nothing to count in Tỉnh Bình Định on 2014-12-31/);
  });

  it('exports every member not counting, staff without a figure, two decimals, headed with the district of a district token', async () => {
    const district = await unit('540');
    const token = await t.token({ role: 'planner', administrativeUnitId: district.id });
    const load = async (query: Record<string, string | number>, as = t.http()) => {
      const res = await as.get(`/api/v1/plans/${planId}/coverage/export`).query(query).buffer(true).parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      });
      expect(res.status).toBe(200);
      const book = new ExcelJS.Workbook();
      await book.xlsx.load(res.body as never);
      return book;
    };
    // The answer lists one member per target here; the export lists them all.
    const answer = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2014, missingLimit: 1 }).expect(200)).body.targets as Target[];
    expect(find(answer, 'commune_lan_complete_fibre_wan', 2014).missing).toMatchObject({ total: 3, items: [expect.anything()] });
    const book = await load({ year: 2014 });
    const rows = book.getWorksheet('Còn thiếu')!.getSheetValues().slice(2) as unknown[][];
    expect(rows.filter((r) => r[1] === 'UBND cấp xã có LAN hoàn chỉnh')).toHaveLength(3);
    // An export asked for a shorter list says what it left out.
    const short = (await load({ year: 2014, missingLimit: 1 })).getWorksheet('Còn thiếu')!.getSheetValues().slice(2) as unknown[][];
    expect(short.filter((r) => r[1] === 'UBND cấp xã có LAN hoàn chỉnh').map((r) => r[5])).toEqual(['Agency UBND-21612', '… và 2 đơn vị khác không liệt kê ở đây']);
    // The Quy Nhơn committee has no staffing figure for 2014: it is on the list, with the reason.
    expect(rows).toContainEqual(expect.arrayContaining(['CBCC có máy tính', 2014, 'Agency UBND-540', 'chưa có số liệu biên chế năm 2014']));
    // Values keep two decimals.
    const sheet = book.getWorksheet('Chỉ tiêu')!;
    const staff = [...Array(sheet.rowCount).keys()].map((i) => sheet.getRow(i + 1)).find((r) => r.getCell(2).value === 'CBCC có máy tính')!;
    expect(staff.getCell(4).numFmt).toBe('0.00%');
    // A district's planner gets the district's figures, headed with the district.
    const mine = await load({ year: 2013 }, t.as(token));
    expect(String(mine.getWorksheet('Chỉ tiêu')!.getRow(2).getCell(1).value)).toMatch(/^Thành phố Quy Nhơn \(Tỉnh Bình Định\)/);
  });

  it('writes plan wording a spreadsheet would run as a formula as text in the CSV', async () => {
    const province = await unit('52');
    const evil = "=HYPERLINK(\"http://evil.example\",\"bấm\")";
    const plan = await post('plans', { administrativeUnitId: province.id, titleVi: 'x', periodFrom: 2011, periodTo: 2015, targets: [{ indicator: 'commune_lan', year: 2012, value: 50, wordingVi: evil }] });
    const csv = (await t.http().get(`/api/v1/plans/${plan.id}/coverage/export`).query({ format: 'csv' }).expect(200)).text;
    const line = csv.split('\n').find((l) => l.includes('HYPERLINK'))!;
    expect(line.split(',')[1]).toBe('"\'=HYPERLINK(""http://evil.example""');
    expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });

  it('rejects bad plans and indicator declarations field by field, writing nothing', async () => {
    const province = await unit('52');
    const plans = (await t.http().get('/api/v1/plans').expect(200)).body.total;
    const res = await t.http().post('/api/v1/plans').send({
      administrativeUnitId: (await unit('540')).id,
      titleVi: 'x',
      periodFrom: 2015,
      periodTo: 2011,
      targets: [{ indicator: 'no_such', year: 2013, value: 50, wordingVi: 'x' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['administrativeUnitId', 'periodTo', 'targets[0].indicator', 'targets[0].year']);
    const pct = await t.http().post('/api/v1/plans').send({ administrativeUnitId: province.id, titleVi: 'x', periodFrom: 2011, periodTo: 2015, targets: [{ indicator: 'commune_lan', year: 2013, value: 150, wordingVi: 'x' }] });
    expect(pct.status).toBe(400);
    expect(pct.body.errors[0].field).toBe('targets[0].value');
    expect((await t.http().get('/api/v1/plans').expect(200)).body.total).toBe(plans);

    const indicators = (await t.http().get('/api/v1/indicators').expect(200)).body.total;
    const bad = await t.http().post('/api/v1/indicators').send({
      code: 'my_indicator',
      labelVi: 'x',
      labelEn: 'x',
      definition: { population: { entity: 'agency', kinds: ['commune_comittee'] }, criterion: { all: [{ hasLink: { network: 'internet', colour: 'red' } }, { hasWifi: {} }] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'definition.population.kinds',
      'definition.criterion.all[0].hasLink.colour',
      'definition.criterion.all[1]',
    ]);
    expect((await t.http().get('/api/v1/indicators').expect(200)).body.total).toBe(indicators);
    await t.http().patch('/api/v1/indicators/commune_lan').send({ labelEn: 'changed' }).expect(409);
  });

  it('computes a planner’s own indicator', async () => {
    await t.http().post('/api/v1/indicators').send({
      code: 'commune_fibre_any_network',
      labelVi: 'UBND xã có cáp quang',
      labelEn: 'Commune committees on fibre',
      definition: { population: { entity: 'agency', kinds: 'commune_committee' }, criterion: { any: [{ hasLink: { network: 'internet', medium: 'fibre' } }, { hasLink: { network: 'tslcd', medium: 'fibre' } }] } },
    }).expect(201);
    const plan = (await t.http().get(`/api/v1/plans/${planId}`).expect(200)).body;
    await t.http().patch(`/api/v1/plans/${planId}`).send({ targets: [...plan.targets.map((x: Record<string, unknown>) => ({ indicator: x.indicatorCode, year: x.year, value: x.value, wordingVi: x.wordingVi })), { indicator: 'commune_fibre_any_network', year: 2012, value: 100, wordingVi: 'cáp quang' }] }).expect(200);
    // 2012: A, B, D on fibre; C on copper → 3 of 4.
    expect(find(await coverage({ year: 2012 }), 'commune_fibre_any_network', 2012)).toMatchObject({ numerator: 3, denominator: 4, value: 75, gap: { count: 1 } });
  });

  it('loads a preset plan for its province, and says so when the province is not there', async () => {
    const plan = (await t.http().post('/api/v1/plan-presets/binh-dinh-647-2012/load').send({}).expect(201)).body;
    expect(plan).toMatchObject({ documentNumber: '647/QĐ-UBND', documentDate: '2012-11-23', periodFrom: 2011, periodTo: 2015, preset: 'binh-dinh-647-2012' });
    expect(plan.targets).toHaveLength(25);
    expect(plan.targets.filter((x: { indicatorCode: string }) => x.indicatorCode === 'commune_lan').map((x: { year: number; value: number }) => [x.year, x.value])).toEqual([
      [2011, 15], [2012, 30], [2013, 40], [2014, 50], [2015, 60],
    ]);
    // The loaded plan computes: 2012 commune LAN is 3 of 5 communes (see above) against 30%.
    const res = (await t.http().get(`/api/v1/plans/${plan.id}/coverage`).query({ year: 2012 }).expect(200)).body.targets as Target[];
    expect(find(res, 'commune_lan', 2012)).toMatchObject({ numerator: 3, denominator: 5, value: 60, target: 30, status: 'met' });
    const missing = await t.http().post('/api/v1/plan-presets/quang-ngai-2012/load').send({});
    expect(missing.status).toBe(422);
    expect(missing.body.detail).toContain('Tỉnh Quảng Ngãi (GSO 51) is not in the administrative units');
  });
});
