import type { Authenticator } from '@app/access';
import type { Principal } from '@app/inventory';
import type { NextFunction, Request, Response } from 'express';
import { problemOf, sendProblem } from './problem.filter';

/** Whether the request carries a body (declared by its length or sent in chunks). */
function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Runs before the body parsers: a request with a body is authenticated first, so a caller
 * without a valid token is answered 401 (or 429) without its body being read or parsed, and the
 * connection is closed rather than left open to a body trickled in. Every API route that takes a
 * body needs a token (only GET /health is public).
 */
export function authenticateBeforeBody(authenticator: Authenticator, prefix: string) {
  return (req: Request & { principal?: Principal }, res: Response, next: NextFunction): void => {
    // Signing in is the one request with a body and no credentials yet.
    if (!hasBody(req) || !req.path.startsWith(prefix) || (req.method === 'POST' && req.path === `${prefix}session`)) return next();
    authenticator.authenticate(req, res).then(
      (principal) => {
        req.principal = principal;
        next();
      },
      (err: unknown) => {
        res.setHeader('Connection', 'close');
        // The body is never read: once the answer is out, the socket is closed (a client still
        // sending gets a reset rather than a server waiting on it).
        res.once('finish', () => setTimeout(() => req.socket.destroy(), 1000).unref());
        sendProblem(req, res, problemOf(err));
      },
    );
  };
}
