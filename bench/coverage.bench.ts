/**
 * npm run bench:coverage — the coverage engine at national scale, on PostgreSQL and PGlite:
 * the full administrative list (../shared/data: 63 / 696 / 10,047), about 50,000 agencies with
 * staffing for 2011–2015, 1,000,000 workstations, 50,000 WAN links, 50,000 LANs, and firewalls and
 * videoconference endpoints. Measured: every target of the Bình Định 647/QĐ-UBND plan (25
 * targets, 2011–2015) for one province, then for all 63 provinces (the preset loaded for each).
 * Baseline, in the same run: a straightforward implementation that loads the rows through the ORM
 * and counts in the process; its figures must equal the engine's (checked, printed).
 * Bounded: row counts are fixed; the baseline over 63 provinces stops at BENCH_BASELINE_SECONDS (900) and
 * is extrapolated by agency count from the provinces it finished.
 */
import 'reflect-metadata';
import { generateNation } from './nation';
import { benchApp, timed } from './support';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type DataSource, In, Like } from 'typeorm';
import { CoverageService, type IndicatorDefinition, PlansService, type TargetCoverage } from '@app/coverage';
import { AdministrativeUnit, AdministrativeUnitsService, Agency, AgencyStaffing, Device, EVERYWHERE, Lan, WanLink } from '@app/inventory';

const ENGINES = (process.env.BENCH_ENGINES ?? 'postgres,pglite').split(',');
const WORKSTATIONS = Number(process.env.BENCH_WORKSTATIONS ?? 1_000_000);
const BASELINE_SECONDS = Number(process.env.BENCH_BASELINE_SECONDS ?? 900);
const LIST = join(__dirname, '../../shared/data/dvhcvn-2025-03.json');
const ctx = { actor: 'bench', source: 'seed' as const, scope: EVERYWHERE };
const PRESET = 'binh-dinh-647-2012';

function line(engine: string, what: string, value: string, baseline: string, ratio: number | null): void {
  console.log(`${engine.padEnd(8)} ${what.padEnd(58)} ${value.padStart(10)}  baseline ${baseline.padStart(14)}  ${ratio === null ? '' : `ratio ${ratio.toFixed(1)}x`}`);
}

/**
 * The baseline: load the population and its equipment through the ORM, count in the process.
 * Same rules as the engine (dates, one computer per person, units valid on the date).
 */
async function naive(ds: DataSource, def: IndicatorDefinition, province: AdministrativeUnit, asOf: string): Promise<{ numerator: number; denominator: number }> {
  const p = def.population;
  if (p.entity === 'reported' || p.entity === 'device') return { numerator: 0, denominator: 0 };
  const working = (e: { status: string; commissionedOn: string | null; retiredOn: string | null }) =>
    e.status !== 'planned' && !!e.commissionedOn && e.commissionedOn <= asOf && (!e.retiredOn || e.retiredOn > asOf) && !(e.status === 'faulty' && asOf >= new Date().toISOString().slice(0, 10));
  const validUnit = (u: AdministrativeUnit) => (!u.validFrom || u.validFrom <= asOf) && (!u.validTo || u.validTo > asOf);
  const agencies = (await ds.getRepository(Agency).find({ where: { administrativeUnit: { path: Like(`${province.path}%`) } }, relations: { administrativeUnit: true } })).filter(
    (a) => validUnit(a.administrativeUnit!),
  );
  const ids = agencies.map((a) => a.id);
  const load = async <T>(entity: new () => T): Promise<T[]> => {
    const out: T[] = [];
    for (let i = 0; i < ids.length; i += 5000) {
      // One by one: a chunk can hold 100,000 rows and more, too many to spread into one call.
      for (const row of (await ds.getRepository(entity as never).find({ where: { agencyId: In(ids.slice(i, i + 5000)) } as never })) as T[]) out.push(row);
    }
    return out;
  };
  const group = <T extends { agencyId: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.agencyId, [...(m.get(r.agencyId) ?? []), r]);
    return m;
  };
  if (p.entity === 'staff') {
    const staffing = new Map(
      (await ds.getRepository(AgencyStaffing).find({ where: { year: Number(asOf.slice(0, 4)) } })).map((s) => [s.agencyId, p.include === 'all' ? s.civilServants + s.publicEmployees : s.civilServants]),
    );
    const devices = group((await load(Device)).filter((d) => d.kind === 'workstation' && working(d)));
    let numerator = 0;
    let denominator = 0;
    for (const a of agencies) {
      if (p.agencyKinds && !p.agencyKinds.includes(a.kind)) continue;
      if (p.levels && !p.levels.includes(a.administrativeUnit!.level)) continue;
      if (p.sectors && !p.sectors.includes(a.sector)) continue;
      const staff = staffing.get(a.id);
      if (staff === undefined) continue;
      denominator += staff;
      numerator += Math.min(staff, devices.get(a.id)?.length ?? 0);
    }
    return { numerator, denominator };
  }
  const [links, lans, devices] = await Promise.all([load(WanLink).then(group), load(Lan).then(group), load(Device).then(group)]);
  type Leaf = NonNullable<IndicatorDefinition['criterion']>;
  const meets = (c: Leaf, agencyId: string): boolean => {
    if ('all' in c) return c.all.every((x) => meets(x, agencyId));
    if ('any' in c) return c.any.some((x) => meets(x, agencyId));
    if ('hasLink' in c) {
      const q = c.hasLink;
      return (links.get(agencyId) ?? []).some(
        (l) => working(l) && (!q.network || q.network.includes(l.network)) && (!q.medium || q.medium.includes(l.medium)) && (q.minBandwidthMbps === undefined || (l.bandwidthMbps ?? -1) >= q.minBandwidthMbps),
      );
    }
    if ('hasLan' in c) return (lans.get(agencyId) ?? []).some((n) => working(n) && (!c.hasLan.complete || (!!n.completedOn && n.completedOn <= asOf)));
    if ('hasDevice' in c) {
      const q = c.hasDevice;
      const n = (devices.get(agencyId) ?? []).filter(
        (d) => working(d) && q.kind.includes(d.kind) && (!q.role || q.role.includes(d.role ?? '')) && (!q.meetingSystem || q.meetingSystem.includes(d.meetingSystem!)) && (q.dataCentre === undefined || (d.dataCentre !== null) === q.dataCentre),
      ).length;
      return n >= (q.count ?? 1);
    }
    return false;
  };
  if (p.entity === 'administrative_unit') {
    const units = (await ds.getRepository(AdministrativeUnit).find({ where: { path: Like(`${province.path}%`), level: p.level } })).filter(validUnit);
    const byUnit = new Map<string, Agency[]>();
    for (const a of agencies) if (!p.agencyKinds || p.agencyKinds.includes(a.kind)) byUnit.set(a.administrativeUnitId, [...(byUnit.get(a.administrativeUnitId) ?? []), a]);
    return { numerator: units.filter((u) => (byUnit.get(u.id) ?? []).some((a) => meets(def.criterion!, a.id))).length, denominator: units.length };
  }
  const members = agencies.filter((a) => (!p.kinds || p.kinds.includes(a.kind)) && (!p.levels || p.levels.includes(a.administrativeUnit!.level)) && (!p.sectors || p.sectors.includes(a.sector)));
  return { numerator: members.filter((a) => meets(def.criterion!, a.id)).length, denominator: members.length };
}

async function naivePlan(ds: DataSource, planId: string, plans: PlansService): Promise<Array<{ code: string; year: number; numerator: number; denominator: number }>> {
  const plan = await plans.get(planId, EVERYWHERE);
  const province = await ds.getRepository(AdministrativeUnit).findOneByOrFail({ id: plan.administrativeUnitId });
  const out = [];
  for (const t of plan.targets) {
    const indicator = await ds.query(`SELECT definition FROM indicator WHERE id = $1`, [t.indicatorId]);
    out.push({ code: t.indicatorCode, year: t.year, ...(await naive(ds, indicator[0].definition as IndicatorDefinition, province, `${t.year}-12-31`)) });
  }
  return out;
}

function agree(engine: TargetCoverage[], base: Array<{ code: string; year: number; numerator: number; denominator: number }>): boolean {
  return engine
    .filter((t) => t.indicator.kind === 'measured')
    .every((t) => {
      const b = base.find((x) => x.code === t.indicator.code && x.year === t.year)!;
      return b.numerator === t.numerator && b.denominator === t.denominator;
    });
}

async function run(engine: string): Promise<void> {
  const { app, ds, close } = await benchApp(engine);
  const plans = app.get(PlansService);
  const coverage = app.get(CoverageService);
  try {
    await app.get(AdministrativeUnitsService).importOfficialList(JSON.parse(readFileSync(LIST, 'utf8')), ctx);
    const [counts, genSeconds] = await timed(() => generateNation(ds, WORKSTATIONS));
    console.log(`${engine.padEnd(8)} inventory generated in ${genSeconds.toFixed(0)} s: ${JSON.stringify(counts)}`);

    // One province: Bình Định, all 25 targets of its plan. Cold: the inventory's version is moved
    // first (as any write moves it), so nothing counted before is reused.
    const forget = () => ds.query(`UPDATE inventory_version SET n = n + 1 WHERE id = 1`);
    const trace = () => {
      const tr = coverage.lastTrace!;
      return `${tr.passes.length} passes (${tr.passes.map((p) => `${p.indicator} ${p.dates} date${p.dates === 1 ? '' : 's'} ${p.ms} ms`).join(', ')}), ${tr.cached} dates kept`;
    };
    const plan = await plans.loadPreset(PRESET, ctx);
    await coverage.planCoverage(plan.id, {}, EVERYWHERE); // warm-up (plans, compiled SQL, the database's caches)
    await forget();
    const [one, oneSeconds] = await timed(() => coverage.planCoverage(plan.id, {}, EVERYWHERE));
    console.log(`${engine.padEnd(8)}   where the time went: ${trace()}; the answer is ${(JSON.stringify(one).length / 1024).toFixed(1)} KB`);
    const [, againSeconds] = await timed(() => coverage.planCoverage(plan.id, {}, EVERYWHERE));
    console.log(`${engine.padEnd(8)}   asked again with nothing written: ${(againSeconds * 1000).toFixed(1)} ms (${trace()})`);
    const [baseOne, baseOneSeconds] = await timed(() => naivePlan(ds, plan.id, plans));
    const fibre = one.targets.find((t) => t.indicator.code === 'staff_computers_district_up' && t.year === 2014)!;
    line(engine, `1 province, ${one.targets.length} targets (Bình Định)`, `${oneSeconds.toFixed(2)} s`, `${baseOneSeconds.toFixed(2)} s`, baseOneSeconds / oneSeconds);
    console.log(`${engine.padEnd(8)   }   e.g. staff computers 2014: ${fibre.numerator}/${fibre.denominator} = ${fibre.value}%; figures equal to the baseline's: ${agree(one.targets, baseOne) ? 'yes' : 'NO'}`);

    // All 63 provinces: the same plan loaded for each, every target computed.
    const provinces = await ds.getRepository(AdministrativeUnit).find({ where: { level: 'province' }, order: { code: 'ASC' } });
    const planIds: string[] = [];
    for (const p of provinces) planIds.push(p.code === '52' ? plan.id : (await plans.loadPreset(PRESET, ctx, p.id)).id);
    await forget();
    const [all, allSeconds] = await timed(() => coverage.plansCoverage(planIds, {}, EVERYWHERE));
    const results: TargetCoverage[][] = all.map((c) => c.targets);
    console.log(`${engine.padEnd(8)}   where the time went: ${trace()}`);
    // Baseline over as many provinces as fit in BENCH_BASELINE_SECONDS, extrapolated by agencies.
    const perProvince = new Map<string, number>((await ds.query(`SELECT p.id, count(a.id)::int AS n FROM administrative_unit p JOIN administrative_unit u ON u.path LIKE p.path || '%' JOIN agency a ON a.administrative_unit_id = u.id WHERE p.level = 'province' GROUP BY p.id`)).map((r: { id: string; n: number }) => [r.id, r.n]));
    let done = 0;
    let doneAgencies = 0;
    let allAgree = true;
    const started = performance.now();
    for (const [i, id] of planIds.entries()) {
      if ((performance.now() - started) / 1000 > BASELINE_SECONDS) break;
      const base = await naivePlan(ds, id, plans);
      allAgree &&= agree(results[i], base);
      done++;
      doneAgencies += perProvince.get(provinces[i].id) ?? 0;
    }
    const baseSeconds = (performance.now() - started) / 1000;
    const totalAgencies = [...perProvince.values()].reduce((s, n) => s + n, 0);
    const baseAll = done === planIds.length ? baseSeconds : (baseSeconds * totalAgencies) / doneAgencies;
    line(engine, `63 provinces, ${results.flat().length} targets`, `${allSeconds.toFixed(2)} s`, `${baseAll.toFixed(1)} s${done < planIds.length ? ` est (${done}/63)` : ''}`, baseAll / allSeconds);
    console.log(`${engine.padEnd(8)}   figures equal to the baseline's in the ${done} provinces it computed: ${allAgree ? 'yes' : 'NO'}`);

    // The national overview of one indicator (every province side by side), cold; baseline: the
    // ORM loop over the 63 provinces for that indicator alone.
    const OVERVIEW = { indicator: 'staff_computers_district_up', year: 2014 };
    await forget();
    const [overview, overviewSeconds] = await timed(() => coverage.overview(OVERVIEW, EVERYWHERE));
    const def = (await ds.query(`SELECT definition FROM indicator WHERE code = $1`, [OVERVIEW.indicator]))[0].definition as IndicatorDefinition;
    const baseStarted = performance.now();
    let baseProvinces = 0;
    let overviewAgrees = true;
    for (const p of provinces) {
      if ((performance.now() - baseStarted) / 1000 > BASELINE_SECONDS) break;
      const b = await naive(ds, def, p, '2014-12-31');
      const e = overview.provinces.find((x) => x.id === p.id)!;
      overviewAgrees &&= b.numerator === e.numerator && b.denominator === e.denominator;
      baseProvinces++;
    }
    const baseOverview = ((performance.now() - baseStarted) / 1000) * (provinces.length / baseProvinces);
    line(engine, `overview of 1 indicator over ${overview.provinces.length} provinces`, `${(overviewSeconds * 1000).toFixed(0)} ms`, `${baseOverview.toFixed(1)} s${baseProvinces < provinces.length ? ` est (${baseProvinces}/63)` : ''}`, baseOverview / overviewSeconds);
    console.log(`${engine.padEnd(8)}   ${overview.cost.passes.length} pass (${overview.cost.passes.map((p) => `${p.dates} dates ${p.ms} ms, ${p.rows} rows`).join('; ')}); figures equal to the baseline's: ${overviewAgrees ? 'yes' : 'NO'}`);
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  console.log(`bench:coverage — ${WORKSTATIONS.toLocaleString('en')} workstations; ratio = baseline time / engine time`);
  for (const engine of ENGINES) await run(engine);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
