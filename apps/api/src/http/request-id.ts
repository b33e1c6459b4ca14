import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/** A request id a proxy may pass on (X-Request-Id): short, of plain characters; anything else is replaced. */
const ACCEPTED = /^[A-Za-z0-9._:-]{8,100}$/;

export type WithId = Request & { id?: string };

/**
 * Gives every request an id (the proxy's X-Request-Id when it sent a sound one), returns it in
 * the X-Request-Id header and in problem+json answers, and logs each request with it when it
 * ends (at `log` level in JSON logs, for collectors; at `debug` in text logs, for people).
 */
export function requestIds(format: 'text' | 'json') {
  const log = new Logger('HTTP');
  return (req: WithId, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && ACCEPTED.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const entry = { requestId: req.id, method: req.method, path: req.originalUrl.split('?')[0], status: res.statusCode, ms: Number((process.hrtime.bigint() - started) / 1000n) / 1000 };
      if (format === 'json') log.log(entry);
      else log.debug(`${entry.method} ${entry.path} ${entry.status} ${entry.ms} ms [${entry.requestId}]`);
    });
    next();
  };
}
