import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** Where the console's build is: beside the compiled API (dist/web), or dist/web of the working tree (tests). */
export function consoleRoot(): string | null {
  for (const dir of [join(__dirname, '..', '..', '..', '..', 'web'), join(process.cwd(), 'dist', 'web')]) {
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

/** Paths the API answers itself: everything else is the console's. */
const API_PATHS = /^\/(api|health|metrics)(\/|$)/;

/**
 * Serves the console at `/`: its hashed assets cached for a year, and `index.html` (never
 * cached) for every other page the browser asks for, so a link into the console works.
 */
export function serveConsole(app: NestExpressApplication, root: string): void {
  const index = readFileSync(join(root, 'index.html'));
  app.useStaticAssets(join(root, 'assets'), { prefix: '/assets/', immutable: true, maxAge: '365d', index: false, fallthrough: false });
  app.useStaticAssets(root, { index: false, maxAge: '1h' });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(index);
  });
}
