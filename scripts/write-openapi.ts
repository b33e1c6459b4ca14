/**
 * Writes the API's OpenAPI document to a file, without a database or a server: the console's
 * build generates its typed client from it (`npm run build:web`).
 * Usage: node -r @swc-node/register scripts/write-openapi.ts <out.json>
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadEnvironment } from '@app/config';
import { AppModule } from '../apps/api/src/app.module';
import { apiDocument, configureApp, httpOptionsOf } from '../apps/api/src/app';

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: write-openapi <out.json>');
  const env = loadEnvironment({ DATA_DIR: 'memory://', MIGRATE_ON_START: 'false', POLLER_IN_PROCESS: 'false' });
  const app = await NestFactory.create(AppModule.forRoot(env), { bodyParser: false, logger: ['error'] });
  configureApp(app, httpOptionsOf(env));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(apiDocument(app), null, 1)}\n`);
  await app.close();
}
main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
