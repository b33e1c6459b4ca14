import { DemoSeed } from '@app/coverage';
import { DemoReorganisation, EVERYWHERE } from '@app/inventory';
import { startApp, type TestApp } from './support/app';
import { ENGINES } from './support/databases';

interface Agency {
  id: string;
  name: string;
  kind: string;
  code: string | null;
  administrativeUnitId: string;
  previousUnitId: string | null;
  unitSince: string | null;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * The demo province carried across the 2025 reorganisation into Tỉnh Gia Lai, through the API:
 * dry run, decisions, apply, revert, apply again; the 2011–2015 plan's figures never move.
 */
describe.each(ENGINES)('carrying the inventory across the reorganisation on %s', (engine) => {
  let t: TestApp;
  let planId: string;
  /** The 647/QĐ-UBND figures before anything moved. */
  let initial: unknown;
  beforeAll(async () => {
    t = await startApp(engine);
    planId = (await t.app.get(DemoSeed).loadIfEmpty({ actor: 'test', source: 'seed', scope: EVERYWHERE }))!.plan.id;
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every figure of the plan, as a planner reads them: each target's numbers and its missing units. */
  const figures = async () => {
    const body = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ missingLimit: 1000 }).expect(200)).body;
    return { plan: body.plan, districts: body.districts, targets: body.targets };
  };
  /** A 2026 plan for Tỉnh Gia Lai (commune LANs, titled `title`): the communes it finds missing as of a day. */
  const communesMissingLan = async (title: string) => {
    const gialai = (await t.http().get('/api/v1/administrative-units').query({ code: '52', validOn: '2026-01-01' }).expect(200)).body.items[0];
    const plan = (
      await t.http().post('/api/v1/plans').send({ administrativeUnitId: gialai.id, titleVi: title, periodFrom: 2026, periodTo: 2030, targets: [{ indicator: 'commune_lan', year: 2026, value: 80, wordingVi: 'LAN' }] }).expect(201)
    ).body;
    return async (asOf: string) =>
      ((await t.http().get(`/api/v1/plans/${plan.id}/coverage`).query({ asOf, missingLimit: 200 }).expect(200)).body.targets[0].missing.items as Array<{ name: string }>).map((m) => m.name);
  };
  const agencies = async (q: Record<string, string>) => (await t.http().get('/api/v1/agencies').query({ limit: 1000, ...q }).expect(200)).body.items as Agency[];
  const counts = async () => ({
    agencies: (await t.http().get('/api/v1/agencies').query({ limit: 1 }).expect(200)).body.total as number,
    devices: (await t.http().get('/api/v1/devices').query({ limit: 1 }).expect(200)).body.total as number,
  });

  it('carries Bình Định into Tỉnh Gia Lai: every figure of 647/QĐ-UBND for 2011–2015 is the same before and after, and after a revert', async () => {
    const before = await figures();
    initial = before;
    expect(before.targets.length).toBe(25);
    const atStart = await counts();

    // The new list, and the mapping from the official texts (as the demo command does it).
    const demo = t.app.get(DemoReorganisation);
    const carried = await demo.carryAcross();
    expect(carried.mapping).toMatchObject({ communes: 58, names: 158, proposed: 158, open: 0 });
    expect(carried.applied).toMatchObject({
      provinces: [{ code: '52', name: 'Tỉnh Gia Lai' }],
      // 155 commune committees, 11 district committees, the provincial committee; 135 communes' and the province's begun.
      agencies: { committeesEnded: 167, committeesBegun: 136, carried: 164, waiting: 0 },
      staffingToEnter: 136,
    });
    expect(carried.applied.equipment.devices.waiting).toBe(0);
    const after = await figures();
    expect(after).toEqual(before);

    // Where things are now: the old committee ended, its switch at the new commune's committee.
    const [oldCommittee] = await agencies({ q: 'Ủy ban nhân dân Phường Trần Quang Diệu' });
    expect(oldCommittee.validTo).toBe('2025-07-01');
    const switchOf = (await t.http().get('/api/v1/devices').query({ q: 'sw-x001', limit: 5 }).expect(200)).body.items[0];
    const newCommittee = (await t.http().get(`/api/v1/agencies/${switchOf.agencyId}`).expect(200)).body as Agency;
    expect(newCommittee).toMatchObject({ name: 'Ủy ban nhân dân Phường Quy Nhơn Bắc', kind: 'commune_committee', validFrom: '2025-07-01', validTo: null });
    expect(switchOf.placedOn).toBe('2025-07-01');
    // A carried agency is the same agency in its new unit, its old unit kept on it; its equipment with it.
    const [department] = await agencies({ code: 'STTTT-52' });
    const unitCode = async (id: string | null) => (await t.http().get(`/api/v1/administrative-units/${id}`).expect(200)).body as { code: string; name: string };
    expect(department).toMatchObject({ validTo: null, unitSince: '2025-07-01' });
    expect(await unitCode(department.administrativeUnitId)).toMatchObject({ code: '52', name: 'Tỉnh Gia Lai' });
    expect(await unitCode(department.previousUnitId)).toMatchObject({ code: '52', name: 'Tỉnh Bình Định' });
    const [station] = await agencies({ q: 'Trạm Y tế Phường Trần Quang Diệu' });
    expect(await unitCode(station.administrativeUnitId)).toMatchObject({ name: 'Phường Quy Nhơn Bắc' });
    expect(carried.applied.equipment.wanLinks.withAgency).toBeGreaterThan(0);
    const run = carried.applied.runId!;
    expect((await t.http().get(`/api/v1/reorganisations/${run}`).expect(200)).body).toMatchObject({ provinceCodes: ['52'], appliedBy: 'demo', revertedAt: null });

    // Reverted: everything where it was, the figures still the same; then again.
    await t.http().post(`/api/v1/reorganisations/${run}/revert`).expect(200);
    await t.http().post(`/api/v1/reorganisations/${run}/revert`).expect(409);
    expect(await counts()).toEqual(atStart);
    expect((await t.http().get(`/api/v1/devices/${switchOf.id}`).expect(200)).body).toMatchObject({ agencyId: oldCommittee.id, placedOn: null, staffPosition: null });
    expect(await agencies({ code: 'STTTT-52' })).toMatchObject([{ administrativeUnitId: department.previousUnitId, previousUnitId: null, unitSince: null }]);
    expect(await figures()).toEqual(before);
  });

  it('dry-runs, lists what waits for a person, refuses bad decisions and changes nothing, then applies the decisions given', async () => {
    const atStart = await counts();
    const dry = (await t.http().post('/api/v1/reorganisations').query({ dryRun: 'true' }).send({ province: '52' }).expect(200)).body;
    expect(dry).toMatchObject({ dryRun: true, runId: null, agencies: { waiting: 17 } });
    // The 11 district committees, and the committee and health station of each of three split communes.
    const reasons = dry.waitingAgencies.reduce((n: Record<string, number>, a: { reason: string }) => ({ ...n, [a.reason]: (n[a.reason] ?? 0) + 1 }), {});
    expect(reasons).toEqual({ district_level: 11, split: 6 });
    expect(dry.equipment.devices.waiting).toBeGreaterThan(0);
    expect(await counts()).toEqual(atStart);
    // The whole country at once (every new province valid on the day: here Gia Lai alone) does the same.
    const all = (await t.http().post('/api/v1/reorganisations').query({ dryRun: 'true' }).send({ province: 'all' }).expect(200)).body;
    expect(all.provinces).toEqual([{ code: '52', name: 'Tỉnh Gia Lai' }]);
    expect({ ...all.agencies, ...all.equipment }).toEqual({ ...dry.agencies, ...dry.equipment });

    const anNghia = dry.waitingAgencies.find((a: { name: string }) => a.name === 'Ủy ban nhân dân Xã An Nghĩa');
    const bad = await t.http().post('/api/v1/reorganisations').send({ province: '52', agencies: [{ agencyId: anNghia.id, to: '99999' }, { agencyId: '00000000-0000-4000-8000-000000000000', to: '21628' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['agencies[0].to']);
    const unknown = await t.http().post('/api/v1/reorganisations').send({ province: '52', agencies: [{ agencyId: '00000000-0000-4000-8000-000000000000', to: '21628' }] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'agencies[0].agencyId' });
    await t.http().post('/api/v1/reorganisations').send({ province: '99' }).expect(404);
    expect(await counts()).toEqual(atStart);
    const viewer = await t.token({ role: 'viewer' });
    await t.as(viewer).post('/api/v1/reorganisations').send({ province: '52' }).expect(403);

    // An Nghĩa's committee to An Hoà; its workstations meet An Hoà's own there, positions kept apart by name.
    const applied = (await t.http().post('/api/v1/reorganisations').send({ province: '52', agencies: [{ agencyId: anNghia.id, to: '21628' }] }).expect(201)).body;
    expect(applied.agencies.waiting).toBe(16);
    expect(applied.positionsRenamed).toBeGreaterThan(0);
    const anHoa = (await agencies({ q: 'Ủy ban nhân dân Xã An Hoà' })).find((a) => a.validFrom === '2025-07-01')!;
    const moved = (await t.http().get('/api/v1/devices').query({ agencyId: anHoa.id, kind: 'workstation', limit: 500 }).expect(200)).body.items as Array<{ staffPosition: string | null }>;
    expect(moved.some((d) => d.staffPosition?.endsWith('(Xã An Nghĩa)'))).toBe(true);
    expect(new Set(moved.map((d) => d.staffPosition)).size).toBe(moved.length);
    // A later run places what waited; the first cannot be reverted before it.
    const later = (await t.http().post('/api/v1/reorganisations').send({ province: '52', agencies: applied.waitingAgencies.map((a: { id: string }) => ({ agencyId: a.id, to: '21553' })) }).expect(201)).body;
    expect(later.agencies).toMatchObject({ waiting: 0, committeesBegun: 0 });
    await t.http().post(`/api/v1/reorganisations/${applied.runId}/revert`).expect(409);
    const runs = (await t.http().get('/api/v1/reorganisations').expect(200)).body as Array<{ id: string }>;
    expect(runs[0].id).toBe(later.runId);
  });

  it('counts the new communes in a 2026 plan for Tỉnh Gia Lai, and the old ones in 2014', async () => {
    const gialai = (await t.http().get('/api/v1/administrative-units').query({ code: '52', validOn: '2026-01-01' }).expect(200)).body.items[0];
    const plan = (
      await t.http().post('/api/v1/plans').send({
        administrativeUnitId: gialai.id,
        titleVi: 'Kế hoạch chuyển đổi số tỉnh Gia Lai 2026–2030',
        periodFrom: 2026,
        periodTo: 2030,
        targets: [{ indicator: 'commune_lan', year: 2026, value: 80, wordingVi: '80% UBND cấp xã có mạng LAN hoàn chỉnh' }],
      }).expect(201)
    ).body;
    const coverage = (await t.http().get(`/api/v1/plans/${plan.id}/coverage`).query({ missingLimit: 200 }).expect(200)).body.targets[0];
    expect(coverage.denominator).toBe(135);
    // Only Bình Định's 58 new communes have equipment in this inventory; old Gia Lai's 77 are missing.
    expect(coverage.numerator).toBeGreaterThan(0);
    expect(coverage.numerator).toBeLessThanOrEqual(58);
    expect(coverage.missing.total).toBe(135 - coverage.numerator);
    expect(coverage.missing.items.map((m: { name: string }) => m.name)).toContain('Xã Ia Hrung');
    const old = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2014 }).expect(200)).body.targets.find((x: { indicator: { code: string } }) => x.indicator.code === 'commune_lan');
    expect(old.denominator).toBe(155);
  });

  it('shows 63 provinces in the national overview as of 2025-06-30 and 34 as of 2025-07-01', async () => {
    // The other 62 provinces before and 33 after (the demo holds Bình Định, now Gia Lai): codes only matter here.
    const codes = Array.from({ length: 99 }, (_, i) => String(i + 1).padStart(2, '0')).filter((c) => c !== '52');
    const create = [
      ...codes.slice(0, 62).map((code) => ({ code, name: `Tỉnh cũ ${code}`, level: 'province', type: 'Tỉnh', validTo: '2025-07-01' })),
      ...codes.slice(0, 33).map((code) => ({ code, name: `Tỉnh mới ${code}`, level: 'province', type: 'Tỉnh', validFrom: '2025-07-01' })),
    ];
    await t.http().post('/api/v1/administrative-units').send(create).expect(201);
    const overview = async (asOf: string) => (await t.http().get('/api/v1/coverage/overview').query({ indicator: 'commune_lan', asOf }).expect(200)).body.provinces as Array<{ code: string; name: string }>;
    const june = await overview('2025-06-30');
    const july = await overview('2025-07-01');
    expect(june).toHaveLength(63);
    expect(july).toHaveLength(34);
    expect(june.find((p) => p.code === '52')!.name).toBe('Tỉnh Bình Định');
    expect(july.find((p) => p.code === '52')!.name).toBe('Tỉnh Gia Lai');
    // Counted over the whole country (hashed sets, agencies in the unit they were in then) as for the province alone.
    const plan = (await t.http().get(`/api/v1/plans/${planId}/coverage`).query({ year: 2014 }).expect(200)).body.targets as Array<{ indicator: { code: string }; numerator: number; denominator: number }>;
    for (const code of ['commune_lan', 'agency_fibre_provincial_wan']) {
      const national = (await t.http().get('/api/v1/coverage/overview').query({ indicator: code, year: 2014 }).expect(200)).body.provinces.find((p: { code: string }) => p.code === '52');
      const own = plan.find((x) => x.indicator.code === code)!;
      expect({ code, numerator: national.numerator, denominator: national.denominator }).toEqual({ code, numerator: own.numerator, denominator: own.denominator });
    }
  });

  it('keeps a move by hand as history (movedOn): coverage before the day counts the item where it was; without movedOn a new agency corrects where it is', async () => {
    const missingOn = await communesMissingLan('LAN 2026');
    // Quy Nhơn Bắc's committee has the complete LANs of the communes it was formed from; Ia Hrung's has none.
    const [quyNhonBac] = (await agencies({ q: 'Ủy ban nhân dân Phường Quy Nhơn Bắc' })).filter((a) => a.validTo === null);
    const [iaHrung] = (await agencies({ q: 'Ủy ban nhân dân Xã Ia Hrung' })).filter((a) => a.validTo === null);
    const lans = (await t.http().get('/api/v1/lans').query({ agencyId: quyNhonBac.id, limit: 50 }).expect(200)).body.items as Array<{ id: string; completedOn: string | null }>;
    expect(lans.length).toBeGreaterThan(0);
    expect(await missingOn('2026-02-01')).not.toContain('Phường Quy Nhơn Bắc');
    expect(await missingOn('2026-02-01')).toContain('Xã Ia Hrung');

    // Bad moves change nothing.
    const same = await t.http().patch(`/api/v1/lans/${lans[0].id}`).send({ movedOn: '2026-03-01' });
    expect(same.status).toBe(400);
    expect(same.body.errors[0]).toMatchObject({ field: 'movedOn' });
    const early = await t.http().patch(`/api/v1/lans/${lans[0].id}`).send({ agencyId: iaHrung.id, movedOn: '2025-01-01' });
    expect(early.status).toBe(400);
    expect(early.body.errors[0].message).toContain('after 2025-07-01');

    for (const lan of lans) await t.http().patch(`/api/v1/lans/${lan.id}`).send({ agencyId: iaHrung.id, movedOn: '2026-03-01' }).expect(200);
    expect(await missingOn('2026-02-01')).not.toContain('Phường Quy Nhơn Bắc');
    expect(await missingOn('2026-02-01')).toContain('Xã Ia Hrung');
    expect(await missingOn('2026-12-31')).toContain('Phường Quy Nhơn Bắc');
    expect(await missingOn('2026-12-31')).not.toContain('Xã Ia Hrung');
    const history = (await t.http().get(`/api/v1/lans/${lans[0].id}/placements`).expect(200)).body as Array<{ agencyName: string; from: string | null; to: string | null; runId: string | null }>;
    expect(history.map((h) => [h.agencyName.startsWith('Ủy ban nhân dân') ? 'committee' : h.agencyName, h.from, h.to])).toEqual([
      ['committee', null, '2025-07-01'],
      ['committee', '2025-07-01', '2026-03-01'],
      ['committee', '2026-03-01', null],
    ]);
    expect(history[0].runId).not.toBeNull();
    // Moved twice: 2011–2015 still count these LANs at the old commune's committee (an older place).
    expect(await figures()).toEqual(initial);
    expect(history.slice(1).map((h) => h.agencyName)).toEqual(['Ủy ban nhân dân Phường Quy Nhơn Bắc', 'Ủy ban nhân dân Xã Ia Hrung']);

    // Without movedOn: a correction of where it is now; its history stays.
    const [back] = lans;
    await t.http().patch(`/api/v1/lans/${back.id}`).send({ agencyId: quyNhonBac.id }).expect(200);
    expect((await t.http().get(`/api/v1/lans/${back.id}/placements`).expect(200)).body.at(-1)).toMatchObject({ agencyName: 'Ủy ban nhân dân Phường Quy Nhơn Bắc', from: '2026-03-01', to: null });
  });

  it('counts an agency whose only item left, and then one registered there, whatever the database noted on it', async () => {
    // Coverage skips the lookups an agency's notes (last_move_out_on, holds_equipment: kept by
    // triggers) say cannot find anything; each write below changes what they must say.
    const missingOn = await communesMissingLan('LAN xã');
    const notes = async (id: string) => (await t.ds.query(`SELECT last_move_out_on::text AS "left", holds_equipment AS holds FROM agency WHERE id = $1`, [id]))[0];
    // A commune of the former Gia Lai: its committee holds nothing yet.
    const commune = (await missingOn('2026-12-31')).find((n) => n !== 'Xã Ia Hrung')!;
    const [committee] = (await agencies({ q: `Ủy ban nhân dân ${commune}` })).filter((a) => a.validTo === null);
    const [iaHrung] = (await agencies({ q: 'Ủy ban nhân dân Xã Ia Hrung' })).filter((a) => a.validTo === null);
    const lan = { name: 'LAN xã', departmentsJoined: 3, departmentsTotal: 3, completedOn: '2026-01-10', commissionedOn: '2026-01-10' };
    const first = (await t.http().post('/api/v1/lans').send({ ...lan, agencyId: committee.id }).expect(201)).body;
    expect(await missingOn('2026-12-31')).not.toContain(commune);

    // Its only item leaves it: counted there before the day, not after.
    await t.http().patch(`/api/v1/lans/${first.id}`).send({ agencyId: iaHrung.id, movedOn: '2026-05-01' }).expect(200);
    expect(await notes(committee.id)).toEqual({ left: '2026-05-01', holds: false });
    expect(await missingOn('2026-04-30')).not.toContain(commune);
    expect(await missingOn('2026-12-31')).toContain(commune);

    // Registered there again: it holds something, counted after the day too.
    await t.http().post('/api/v1/lans').send({ ...lan, agencyId: committee.id, completedOn: '2026-06-01', commissionedOn: '2026-06-01' }).expect(201);
    expect(await notes(committee.id)).toEqual({ left: '2026-05-01', holds: true });
    expect(await missingOn('2026-12-31')).not.toContain(commune);
    expect(await missingOn('2026-05-15')).toContain(commune);
  });
});
