// DEV ONLY (not committed): a persistent national DB for iterating on the reorganisation's apply.
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { loadEnvironment } from '@app/config';
import { AdministrativeUnitsService, EVERYWHERE, ReorganisationService, UnitSuccessionsService } from '@app/inventory';
import { AppModule } from '../apps/api/src/app.module';
import { generateNation } from './nation';
import { timed } from './support';

const DATA = join(__dirname, '../../shared/data');
async function main() {
  const env = loadEnvironment({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/hatang_nation', DATA_DIR: 'memory://', LOG_LEVEL: 'error', POLLER_IN_PROCESS: 'false', ALERTS_ENABLED: 'false' });
  const mod = await Test.createTestingModule({ imports: [AppModule.forRoot(env)] }).compile();
  const app = mod.createNestApplication({ logger: ['error'] });
  await app.init();
  const ds = app.get<DataSource>(getDataSourceToken());
  const ctx = { actor: 'dev', source: 'import' as const, scope: EVERYWHERE };
  const step = process.argv[2];
  if (step === 'setup') {
    const units = app.get(AdministrativeUnitsService);
    await units.importOfficialList(JSON.parse(readFileSync(join(DATA, 'dvhcvn-2025-03.json'), 'utf8')), ctx);
    console.log(await generateNation(ds, 1_000_000));
    await units.importOfficialList(JSON.parse(readFileSync(join(DATA, 'vn-units-2026-07-2level.json'), 'utf8')), ctx, { validFrom: '2025-07-01', replaces: true });
    await app.get(UnitSuccessionsService).propose(JSON.parse(readFileSync(join(DATA, 'reorganisation-2025-communes.json'), 'utf8')), '2025-07-01', ctx);
    await ds.query('ANALYZE');
  } else if (step === 'apply') {
    const provinces = (process.argv[3] ?? '01').split(',');
    const dryRun = process.argv[4] !== 'real';
    for (const p of provinces) {
      const [o, s] = await timed(() => app.get(ReorganisationService).apply({ province: p }, ctx, { dryRun }));
      console.log(p, s.toFixed(2), JSON.stringify({ ...o, waitingAgencies: o.waitingAgencies.length }));
    }
  }
  await app.close();
}
main().catch((e) => { console.error(e); process.exit(1); });
