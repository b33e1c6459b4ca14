/**
 * bench:reorganisation — the 2025 reorganisation's texts (../shared/data) read into proposals:
 * for each of the 10,557 names of the 3,321 new communes' "before" texts, the one old unit it
 * names, or the candidates for a person. Prints how many resolve on their own, against the
 * baseline a person would write first (the name as written equal to exactly one old unit's name,
 * nationwide), measured in the same run; how many old communes no text names; the splits; time.
 * Then, unless DB=0, the same through the database on the national benchmark inventory (bench/nation.ts,
 * WORKSTATIONS 1,000,000): both lists imported, the mapping proposed, and the dry run of carrying
 * every new province across (GET /unit-successions/plan for each of the 34), each timed; then the
 * reorganisation applied to the whole country in one run (POST /reorganisations, dryRun first), and the
 * coverage of the 2011–2015 plan loaded for each of the 63 old provinces, the national overview and
 * one province's plan, measured in turns on the database after it and on a copy made just before it
 * (same run, same PostgreSQL): their speed, and that their figures are equal.
 * The data stays outside the project's tree (its README says which parts may be shipped).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoverageService, PlansService, type TargetCoverage } from '@app/coverage';
import { AdministrativeUnitsService, EVERYWHERE, ReorganisationService, UnitSuccessionsService } from '@app/inventory';
import { naiveMatches, type NewCommune, type OldUnit, proposeSuccessions } from '../libs/inventory/src/administrative-units/successions';
import { generateNation } from './nation';
import { freshPostgres } from '../test/support/databases';
import { benchApp, timed } from './support';

const DATA = join(__dirname, '../../shared/data');

function oldUnits(): OldUnit[] {
  const list = JSON.parse(readFileSync(join(DATA, 'dvhcvn-2025-03.json'), 'utf8')) as { data: Array<{ level1_id: string; name: string; type: string; level2s: Array<{ level2_id: string; name: string; type: string; level3s: Array<{ level3_id: string; name: string; type: string }> }> }> };
  const out: OldUnit[] = [];
  for (const p of list.data) {
    out.push({ code: p.level1_id, name: p.name, type: p.type, level: 'province', parentCode: null });
    for (const d of p.level2s) {
      out.push({ code: d.level2_id, name: d.name, type: d.type, level: 'district', parentCode: p.level1_id });
      for (const c of d.level3s) out.push({ code: c.level3_id, name: c.name, type: c.type, level: 'commune', parentCode: d.level2_id });
    }
  }
  return out;
}

const WORKSTATIONS = Math.min(Number(process.env.WORKSTATIONS ?? 1_000_000), 3_000_000);
const APP = { POLLER_IN_PROCESS: 'false', ALERTS_ENABLED: 'false' };

async function throughDatabase(communes: NewCommune[]): Promise<void> {
  const ctx = { actor: 'bench', source: 'import' as const, scope: EVERYWHERE };
  const s = (x: number) => `${x.toFixed(1)} s`;
  // Two databases: the one the reorganisation is applied to, and a copy of it as it was just
  // before (made from it as a template). Coverage is then measured on both in turns, in the same
  // run and the same PostgreSQL, so that drift over the run weighs on both alike.
  const pg = await freshPostgres();
  let copy: Awaited<ReturnType<typeof freshPostgres>> | undefined;
  const opened: Array<() => Promise<void>> = [];
  try {
    const first = await benchApp('postgres', APP, pg.url);
    let { app, ds } = first;
    let closeFirst: (() => Promise<void>) | undefined = first.close;
    try {
      const units = app.get(AdministrativeUnitsService);
      const [, oldSeconds] = await timed(() => units.importOfficialList(JSON.parse(readFileSync(join(DATA, 'dvhcvn-2025-03.json'), 'utf8')), ctx));
      const [counts, genSeconds] = await timed(() => generateNation(ds, WORKSTATIONS));
      // The 2011–2015 plan of Bình Định loaded for each of the 63 old provinces: its figures and
      // their speed are measured before the reorganisation is applied and after.
      const plans = app.get(PlansService);
      const oldProvinces: Array<{ id: string }> = await ds.query(`SELECT id FROM administrative_unit WHERE level = 'province' ORDER BY code`);
      for (const p of oldProvinces) await plans.loadPreset('binh-dinh-647-2012', ctx, p.id);
      console.log(`\npostgres: the 2025-03 list in ${s(oldSeconds)}; the national inventory generated in ${s(genSeconds)}: ${JSON.stringify(counts)}`);
      const [imported, newSeconds] = await timed(() => units.importOfficialList(JSON.parse(readFileSync(join(DATA, 'vn-units-2026-07-2level.json'), 'utf8')), ctx, { validFrom: '2025-07-01', replaces: true }));
      console.log(`the two-level list from 2025-07-01 in ${s(newSeconds)}: ${JSON.stringify(imported)}`);
      const successions = app.get(UnitSuccessionsService);
      const [proposed, proposeSeconds] = await timed(() => successions.propose(communes, '2025-07-01', ctx));
      console.log(`the mapping proposed in ${s(proposeSeconds)}: ${JSON.stringify({ ...proposed, unknownCommunes: proposed.unknownCommunes.length })}`);
      const provinces: Array<{ code: string }> = await ds.query(`SELECT code FROM administrative_unit WHERE level = 'province' AND valid_to IS NULL ORDER BY code`);
      const total = { agencies: { moving: 0, waiting: 0, committeesEnding: 0, committeesToBegin: 0 }, devices: { moving: 0, waiting: 0 }, lans: { moving: 0, waiting: 0 }, wanLinks: { moving: 0, waiting: 0 }, openNames: 0 };
      const [, planSeconds] = await timed(async () => {
        for (const p of provinces) {
          const plan = await successions.plan('2025-07-01', p.code, EVERYWHERE);
          total.agencies.moving += plan.agencies.moving;
          total.agencies.waiting += plan.agencies.split + plan.agencies.unmapped + plan.agencies.districtLevel;
          total.agencies.committeesEnding += plan.agencies.communeCommitteesEnding;
          total.agencies.committeesToBegin += plan.agencies.communeCommitteesToBegin;
          for (const k of ['devices', 'lans', 'wanLinks'] as const) {
            total[k].moving += plan.equipment[k].moving;
            total[k].waiting += plan.equipment[k].waiting;
          }
          total.openNames += plan.decisions.openNames;
        }
      });
      console.log(`the dry run of all ${provinces.length} new provinces in ${s(planSeconds)}: ${JSON.stringify(total)}`);
      // What autovacuum does after changes this size, done at once: both databases start analysed.
      await ds.query('VACUUM ANALYZE');
      await closeFirst();
      closeFirst = undefined;
      copy = await freshPostgres(pg.url);
      const before = await benchApp('postgres', APP, copy.url);
      opened.push(before.close);
      const after = await benchApp('postgres', APP, pg.url);
      opened.push(after.close);
      ({ app, ds } = after);

      const reorganisation = app.get(ReorganisationService);
      // The whole country in one run (province: all), as the ministry would apply it; a province
      // applies its own the same way, one run each.
      const applyAll = async (dryRun: boolean) => {
        const o = await reorganisation.apply({ province: 'all', effectiveOn: '2025-07-01' }, ctx, { dryRun });
        return { provinces: o.provinces.length, ...o.agencies, devices: o.equipment.devices, lans: o.equipment.lans, wanLinks: o.equipment.wanLinks, positionsRenamed: o.positionsRenamed };
      };
      const [dry, drySeconds] = await timed(() => applyAll(true));
      console.log(`POST /reorganisations?dryRun=true {province: all} (all of it, rolled back) in ${s(drySeconds)}: ${JSON.stringify(dry)}`);
      const [applied, applySeconds] = await timed(() => applyAll(false));
      console.log(`POST /reorganisations {province: all}: applied in ${s(applySeconds)}: ${JSON.stringify(applied)}`);
      // The dry run's and the apply's old row versions, cleared as autovacuum would within a minute.
      await ds.query('VACUUM ANALYZE');
      const [{ placements }] = await ds.query(`SELECT count(*)::int AS placements FROM equipment_placement`);

      const result = await compareCoverage(before, after);
      const ms = (x: number) => `${(x * 1000).toFixed(0)} ms`;
      const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
      console.log(`equipment_placement rows after: ${placements}; figures of the 63 plans and the overview after the reorganisation equal those before: ${result.equal ? 'yes' : 'NO'}`);
      console.log('\n| what (national inventory, postgres) | time | bar |');
      console.log('|---|---|---|');
      console.log(`| import the two-level list, ending and versioning units | ${s(newSeconds)} | |`);
      console.log(`| propose the mapping (10,557 names) | ${s(proposeSeconds)} | |`);
      console.log(`| dry run of the 34 new provinces (GET …/plan) | ${s(planSeconds)} | < 60 s |`);
      console.log(`| dry run of the whole country (POST /reorganisations?dryRun=true, province all: done and rolled back) | ${s(drySeconds)} | < 60 s |`);
      console.log(`| apply to the whole country (one run, one transaction) | ${s(applySeconds)} | < 60 s |`);
      for (const m of result.measures) {
        console.log(`| coverage: ${m.what}, before → after (median of ${m.runs} each, in turns; quartiles ${m.spread.before} → ${m.spread.after} ms) | ${ms(m.before)} → ${ms(m.after)} (${ratio(m.after, m.before)}) | no slower |`);
      }
      console.log(`| figures identical before and after | ${result.equal ? 'yes' : 'NO'} | yes |`);
    } finally {
      await closeFirst?.();
    }
  } finally {
    for (const close of opened.reverse()) await close();
    await copy?.drop();
    await pg.drop();
  }
}

type Opened = Awaited<ReturnType<typeof benchApp>>;

/**
 * The coverage of the 63 old provinces' plans (1,575 targets), the national overview and one
 * province's plan on the database before and the one after, in turns (before first in odd rounds,
 * after first in even ones). Each run is cold for the service (its cache forgotten: the
 * inventory's version moved first); one round is run first and discarded (PostgreSQL's buffers).
 */
async function compareCoverage(before: Opened, after: Opened) {
  const OVERVIEW = { indicator: 'staff_computers_district_up', year: 2014 };
  const figuresOf = (targets: TargetCoverage[][]) => JSON.stringify(targets.map((ts) => ts.map((t) => [t.indicator.code, t.year, t.numerator, t.denominator, t.missing.total])));
  const side = async (o: Opened) => {
    const planIds: string[] = (await o.ds.query(`SELECT id FROM plan ORDER BY created_at, id`)).map((r: { id: string }) => r.id);
    const coverage = o.app.get(CoverageService);
    const cold = <T>(fn: () => Promise<T>) => async (): Promise<[T, number]> => {
      await o.ds.query(`UPDATE inventory_version SET n = n + 1 WHERE id = 1`);
      return timed(fn);
    };
    return [
      cold(async () => figuresOf((await coverage.plansCoverage(planIds, {}, EVERYWHERE)).map((c) => c.targets))),
      cold(async () => JSON.stringify((await coverage.overview(OVERVIEW, EVERYWHERE)).provinces.map((p) => [p.code, p.numerator, p.denominator]))),
      cold(async () => figuresOf([(await coverage.planCoverage(planIds[0], {}, EVERYWHERE)).targets])),
    ];
  };
  const [b, a] = [await side(before), await side(after)];
  const what = ['63 plans × 25 targets', `national overview (${OVERVIEW.indicator} ${OVERVIEW.year})`, "one province's plan (01)"];
  const rounds = [7, 21, 21];
  let equal = true;
  const measures = [];
  for (let k = 0; k < what.length; k++) {
    const times: { before: number[]; after: number[] } = { before: [], after: [] };
    for (let i = 0; i <= rounds[k]; i++) {
      const order = i % 2 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      const figures: Record<string, string> = {};
      for (const which of order) {
        const [f, seconds] = await (which === 'before' ? b : a)[k]();
        figures[which] = f;
        if (i > 0) times[which].push(seconds);
      }
      equal &&= figures.before === figures.after;
    }
    const at = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.round(q * (xs.length - 1))];
    const spread = (xs: number[]) => `${(at(xs, 0.25) * 1000).toFixed(0)}–${(at(xs, 0.75) * 1000).toFixed(0)}`;
    measures.push({ what: what[k], runs: rounds[k], before: at(times.before, 0.5), after: at(times.after, 0.5), spread: { before: spread(times.before), after: spread(times.after) } });
  }
  return { equal, measures };
}

function main(): void {
  const old = oldUnits();
  const communes = JSON.parse(readFileSync(join(DATA, 'reorganisation-2025-communes.json'), 'utf8')) as NewCommune[];
  const pct = (n: number, of: number) => `${((n / of) * 100).toFixed(2)}%`;
  const t0 = performance.now();
  const naive = naiveMatches(old, communes);
  const naiveMs = performance.now() - t0;
  const t1 = performance.now();
  const proposals = proposeSuccessions(old, communes);
  const ms = performance.now() - t1;
  const n = proposals.length;
  const count = (s: string) => proposals.filter((p) => p.status === s).length;
  const resolved = count('resolved');
  const named = new Set(proposals.flatMap((p) => (p.oldCode ? [p.oldCode] : [])));
  const oldCommunes = old.filter((u) => u.level === 'commune');
  const unnamed = oldCommunes.filter((u) => !named.has(u.code));
  const split = new Set(proposals.filter((p) => p.share === 'part' && p.oldCode).map((p) => p.oldCode));
  const withCandidates = proposals.filter((p) => p.status !== 'resolved' && p.candidates.length > 0).length;
  const byHow = new Map<string, number>();
  for (const p of proposals.filter((x) => x.status === 'resolved')) byHow.set(p.how, (byHow.get(p.how) ?? 0) + 1);
  console.log(`bench:reorganisation — ${communes.length.toLocaleString('en-US')} new communes, ${n.toLocaleString('en-US')} names in their texts, ${oldCommunes.length.toLocaleString('en-US')} old communes`);
  console.log(`resolved to exactly one old unit: ${resolved.toLocaleString('en-US')} (${pct(resolved, n)}) in ${ms.toFixed(0)} ms`);
  console.log(`  ambiguous (candidates listed): ${count('ambiguous')}; unmatched: ${count('unmatched')} (of which ${proposals.filter((p) => p.status === 'unmatched' && p.candidates.length).length} with names spelt nearly so); ${withCandidates} of the ${n - resolved} left have candidates`);
  for (const [how, k] of [...byHow].sort((a, b) => b[1] - a[1])) console.log(`  ${k.toLocaleString('en-US').padStart(6)} by ${how}`);
  console.log(`old communes no resolved name points at: ${unnamed.length} (for a person: they went somewhere no text says plainly)`);
  console.log(`old units split between new communes: ${split.size}`);
  console.log(`baseline (the name as written, one old unit of that name nationwide): ${naive.toLocaleString('en-US')} (${pct(naive, n)}) in ${naiveMs.toFixed(0)} ms`);
  console.log('\n| what | figure | bar |');
  console.log('|---|---|---|');
  console.log(`| names resolved to one old unit on their own | ${pct(resolved, n)} (${resolved.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}) | ≥ 98% |`);
  console.log(`| baseline: exact name, unique nationwide | ${pct(naive, n)} | |`);
  console.log(`| names left for a person, with candidates | ${n - resolved} (${withCandidates} with candidates) | listed |`);
  if (process.env.DB !== '0') {
    throughDatabase(communes).catch((error) => {
      console.error(error);
      process.exit(1);
    });
  }
}

main();
