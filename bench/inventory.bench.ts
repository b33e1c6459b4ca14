/**
 * npm run bench:inventory — inventory figures on PGlite and PostgreSQL, each with a baseline
 * measured in the same run:
 *   1. import of the national administrative list (../shared/data), vs the same rows saved one
 *      by one through the ORM;
 *   2. import of N equipment rows from CSV (BENCH_ROWS, default 100,000), vs rows saved one by one
 *      through the ORM (measured on BENCH_BASELINE_ROWS and compared as rows per second);
 *   3. a page of 1,000 devices filtered by province, vs loading all devices with their agency and
 *      unit through the ORM and filtering in the process;
 *   4. the same page for a caller whose token is scoped to the province (the scope's filter
 *      instead of the query's), vs the unscoped page of step 3.
 * Between 2 and 3: the same file imported again unchanged, then with every row changed (against the
 * first import), and a streamed CSV export of every device (against paging the list with a count
 * per page).
 * Bounded: every loop has a row count, and the whole run stops at BENCH_MAX_SECONDS.
 */
import 'reflect-metadata';
import { benchApp, timed } from './support';
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { AdministrativeUnit, AdministrativeUnitsService, Agency, Device, DevicesService, EVERYWHERE, Spreadsheets } from '@app/inventory';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const BASELINE_ROWS = Number(process.env.BENCH_BASELINE_ROWS ?? 2_000);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 1500);
const ENGINES = (process.env.BENCH_ENGINES ?? 'postgres,pglite').split(',');
const LIST = join(__dirname, '../../shared/data/dvhcvn-2025-03.json');
const ctx = { actor: 'bench', source: 'import' as const, scope: EVERYWHERE };
const deadline = Date.now() + MAX_SECONDS * 1000;

function line(engine: string, what: string, value: string, baseline: string, ratio: number): void {
  console.log(`${engine.padEnd(8)} ${what.padEnd(46)} ${value.padStart(16)}  baseline ${baseline.padStart(16)}  ratio ${ratio.toFixed(1)}x`);
}

async function run(engine: string): Promise<void> {
  const { app, ds, close } = await benchApp(engine);
  try {
    // 1. National administrative list
    const list = JSON.parse(readFileSync(LIST, 'utf8'));
    const [summary, listSeconds] = await timed(() => app.get(AdministrativeUnitsService).importOfficialList(list, ctx));
    const [again, againSeconds] = await timed(() => app.get(AdministrativeUnitsService).importOfficialList(list, ctx));
    // Baseline: the same units saved one by one through the ORM (first BASELINE_ROWS of them).
    const units = await ds.getRepository(AdministrativeUnit).find({ take: BASELINE_ROWS, order: { path: 'ASC' } });
    const repoBase = await timed(async () => {
      const repo = ds.getRepository(AdministrativeUnit);
      // Historical copies (validTo set), so they do not collide with the current units' codes.
      for (const u of units) await repo.save({ ...u, id: undefined, validFrom: '2025-03-01', validTo: '2025-03-02' } as never);
    });
    const unitsPerSec = summary.created / listSeconds;
    const basePerSec = units.length / repoBase[1];
    line(engine, `national list: ${summary.provinces}/${summary.districts}/${summary.communes} units`, `${listSeconds.toFixed(2)} s`, `${(summary.created / basePerSec).toFixed(2)} s est`, unitsPerSec / basePerSec);
    line(engine, `re-import of the national list (unchanged ${again.unchanged})`, `${againSeconds.toFixed(2)} s`, '-', 1);

    // 2. Equipment from CSV
    const communes = await ds.getRepository(AdministrativeUnit).find({ where: { level: 'commune' }, take: 2000 });
    const agencies = communes.map((c, i) => ({ code: `B${i}`, name: `UBND ${c.name}`, kind: 'commune_committee' as const, administrativeUnitId: c.id }));
    await app.get(Spreadsheets).import('agencies', agencies.map((a) => ({ code: a.code, name: a.name, kind: a.kind, administrativeUnitId: a.administrativeUnitId })), ctx);
    const header = 'agencyCode,kind,serialNumber,model,manufacturer,status,commissionedOn';
    const kinds = ['workstation', 'switch', 'router', 'ups'];
    const csv = [header];
    for (let i = 0; i < ROWS; i++) csv.push(`B${i % agencies.length},${kinds[i % 4]},SN${String(i).padStart(8, '0')},Model ${i % 13},Maker ${i % 7},active,201${1 + (i % 5)}-0${1 + (i % 9)}-1${i % 9}`);
    const sheets = app.get(Spreadsheets);
    const [rows, parseSeconds] = await timed(() => sheets.read(csv.join('\n'), 'csv'));
    const [outcome, importSeconds] = await timed(() => sheets.import('devices', rows, ctx));
    const agencyIds = await ds.getRepository(Agency).find({ select: { id: true }, take: 100 });
    const [, baseSeconds] = await timed(async () => {
      const svc = app.get(DevicesService);
      for (let i = 0; i < BASELINE_ROWS && Date.now() < deadline; i++) {
        await svc.create({ agencyId: agencyIds[i % agencyIds.length].id, kind: 'switch', serialNumber: `BASE${i}`, status: 'active', commissionedOn: '2013-01-01' }, ctx);
      }
    });
    const rate = outcome.created / (importSeconds + parseSeconds);
    const baseRate = BASELINE_ROWS / baseSeconds;
    line(engine, `CSV import of ${outcome.created.toLocaleString('en')} devices`, `${(importSeconds + parseSeconds).toFixed(1)} s (${Math.round(rate)}/s)`, `${Math.round(baseRate)}/s one-by-one`, rate / baseRate);

    // 2b. The same file again: every row matches its record (rows locked, nothing written, nothing audited),
    // then with one field changed on every row (all updated, each with its audit entry); against the first import.
    const [same, sameSeconds] = await timed(() => sheets.import('devices', rows, ctx));
    line(engine, `re-import, unchanged ${same.unchanged.toLocaleString('en')} rows`, `${sameSeconds.toFixed(1)} s`, `${importSeconds.toFixed(1)} s creating`, importSeconds / sameSeconds);
    const changedRows = rows.map((r) => ({ ...r, model: `${r.model} rev B` }));
    const [updated, updateSeconds] = await timed(() => sheets.import('devices', changedRows, ctx));
    line(engine, `re-import, ${updated.updated.toLocaleString('en')} rows updated`, `${updateSeconds.toFixed(1)} s`, `${importSeconds.toFixed(1)} s creating`, importSeconds / updateSeconds);

    // 2c. Export of every device, streamed by exact cursor with no count per page, against paging
    // through the list with the total counted on every page (the export's loop before).
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const [exported, exportSeconds] = await timed(() => sheets.exportTo('devices', {} as never, EVERYWHERE, 'csv', sink));
    const [pagedRows, pagedSeconds] = await timed(async () => {
      let cursor: string | undefined;
      let n = 0;
      for (let i = 0; i < 1000; i++) {
        const page = await app.get(DevicesService).list({ limit: 1000, cursor } as never, EVERYWHERE);
        n += page.items.length;
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      return n;
    });
    line(engine, `CSV export of ${exported.rows.toLocaleString('en')} devices (streamed)`, `${exportSeconds.toFixed(1)} s`, `${pagedSeconds.toFixed(1)} s (${pagedRows.toLocaleString('en')})`, pagedSeconds / exportSeconds);

    // 3. A page of 1,000 devices of one province
    const province = await ds.getRepository(AdministrativeUnit).findOneByOrFail({ id: communes[0].path.split('/')[1] });
    const svc = app.get(DevicesService);
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push((await timed(() => svc.list({ administrativeUnit: province.code, limit: 1000 } as never, EVERYWHERE)))[1]);
    const page = await svc.list({ administrativeUnit: province.code, limit: 1000 } as never, EVERYWHERE);
    const [naive, naiveSeconds] = await timed(async () => {
      const all = await ds.getRepository(Device).find({ relations: { agency: { administrativeUnit: true } } });
      return all.filter((d) => d.agency!.administrativeUnit!.path.startsWith(province.path)).slice(0, 1000);
    });
    samples.sort((a, b) => a - b);
    const median = samples[2];
    line(engine, `page of ${page.items.length} devices in ${province.name} (of ${page.total})`, `${(median * 1000).toFixed(0)} ms`, `${(naiveSeconds * 1000).toFixed(0)} ms (${naive.length})`, naiveSeconds / median);

    // 4. The same page through a token scoped to the province
    const scope = { kind: 'unit' as const, unitId: province.id, path: province.path, name: province.name };
    const scoped: number[] = [];
    for (let i = 0; i < 5; i++) scoped.push((await timed(() => svc.list({ limit: 1000 } as never, scope)))[1]);
    const scopedPage = await svc.list({ limit: 1000 } as never, scope);
    scoped.sort((a, b) => a - b);
    const sameRows = scopedPage.total === page.total && scopedPage.items.every((d, i) => d.id === page.items[i].id);
    line(engine, `same page, token scoped to ${province.name}${sameRows ? '' : ' (ROWS DIFFER)'}`, `${(scoped[2] * 1000).toFixed(0)} ms`, `${(median * 1000).toFixed(0)} ms unscoped`, median / scoped[2]);
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  console.log(`rows=${ROWS} baselineRows=${BASELINE_ROWS} engines=${ENGINES.join(',')}`);
  for (const engine of ENGINES) {
    if (Date.now() > deadline) break;
    await run(engine);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
