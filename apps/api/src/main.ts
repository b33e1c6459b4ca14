import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { type Environment, loadEnvironmentOrExit, loggerFor } from '@app/config';
import type { INestApplication } from '@nestjs/common';
import { lockDataDirOrExit } from '@app/database';
import { randomBytes } from 'node:crypto';
import { AccountsService, TokensService } from '@app/access';
import { DemoSeed } from '@app/coverage';
import { EVERYWHERE } from '@app/inventory';
import { AppModule } from './app.module';
import { configureApp, httpOptionsOf } from './app';
import { DEMO_COMMUNITY, startDemoAgents } from './demo-agents';

async function bootstrap(): Promise<void> {
  const env = loadEnvironmentOrExit();
  lockDataDirOrExit(env);
  const app = await NestFactory.create(AppModule.forRoot(env), {
    bodyParser: false,
    logger: loggerFor(env),
  });
  configureApp(app, httpOptionsOf(env));
  app.enableShutdownHooks();
  try {
    await start(app, env);
  } catch (error) {
    // A start that fails (the port taken, the demo not loaded) closes the application first: the
    // poller's writes finish and embedded PGlite writes its files out before the process ends.
    process.stderr.write(`Hatang API did not start: ${(error as Error).message}\n`);
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}

async function start(app: INestApplication, env: Environment): Promise<void> {
  if (env.SEED_DEMO) {
    const loaded = await app.get(DemoSeed).loadIfEmpty({ actor: 'demo', source: 'seed', scope: EVERYWHERE });
    process.stdout.write(
      loaded
        ? `Loaded the demo province (Bình Định): ${JSON.stringify(loaded.inventory)}\nLoaded the plan ${loaded.plan.documentNumber} (${loaded.plan.targets} targets): coverage at /api/v1/plans/${loaded.plan.id}/coverage\n`
        : 'Inventory not empty: the demo province was loaded before (or other data is here); nothing loaded\n',
    );
    const plan = loaded?.plan ?? (await app.get(DemoSeed).existingPlan());
    if (!loaded && plan) process.stdout.write(`The demo plan ${plan.documentNumber} (${plan.targets} targets): coverage at /api/v1/plans/${plan.id}/coverage\n`);
    // A fresh admin token each demo start: the secret is stored hashed, so an old one cannot be shown again.
    const { token, record } = await app.get(TokensService).create(
      { owner: 'Demo admin', role: 'admin', expiresInDays: 30, note: 'made by the demo start (SEED_DEMO=true)' },
      { actor: 'demo', source: 'seed', scope: EVERYWHERE },
    );
    process.stdout.write(`Demo admin token (whole country, expires ${record.expiresAt.toISOString().slice(0, 10)}):\n  ${token}\n  e.g. curl -H 'Authorization: Bearer ${token}' http://${env.HOST}:${env.PORT}/api/v1/me\n`);
    // A person's account for the console, with a fresh password at each start (stored hashed too).
    const password = randomBytes(12).toString('base64url');
    await app.get(AccountsService).ensureDemoUser(password, { actor: 'demo', source: 'seed', scope: EVERYWHERE });
    process.stdout.write(`Demo user for the console (admin, whole country): demo / ${password}\n  sign in at http://${env.HOST}:${env.PORT}/\n`);
    // Something for the poller to watch: local SNMP agents behind three demo devices, one of them flapping.
    await startDemoAgents(app).then(
      (agents) =>
        process.stdout.write(
          `Demo SNMP agents on 127.0.0.1 (community ${DEMO_COMMUNITY}), polled every 10 s: ${agents.devices.map((d) => `${d.name ?? d.id} on port ${d.port}`).join(', ')}; the last goes down for 40 s every 3 minutes (GET /api/v1/poller/state)\n`,
        ),
      (err: Error) => process.stdout.write(`Demo SNMP agents not started (${err.message}); the demo runs without them\n`),
    );
  }
  await app.listen(env.PORT, env.HOST);
  const where = env.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${env.DATA_DIR}`;
  process.stdout.write(`Hatang API on http://${env.HOST}:${env.PORT}/api/v1 (docs: /api/docs), database: ${where}\n`);
}
void bootstrap();
