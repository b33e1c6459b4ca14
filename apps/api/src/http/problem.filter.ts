import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { type FieldProblem, InventoryError, InventoryErrorCode } from '@app/inventory';
import type { Request, Response } from 'express';
import { inVietnamese } from './messages-vi';

/** RFC 9457 problem details, with the field-by-field list under `errors`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  /** The request's X-Request-Id, to find it in the logs. */
  requestId?: string;
  errors?: FieldProblem[];
  checks?: Record<string, unknown>;
}

function assertUnreachable(x: never): never {
  throw new Error(`Unhandled error code ${String(x)}`);
}

export function statusOf(code: InventoryErrorCode): number {
  switch (code) {
    case InventoryErrorCode.Invalid:
      return HttpStatus.BAD_REQUEST;
    case InventoryErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case InventoryErrorCode.Conflict:
    case InventoryErrorCode.InUse:
      return HttpStatus.CONFLICT;
    case InventoryErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case InventoryErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    case InventoryErrorCode.PreconditionFailed:
      return HttpStatus.PRECONDITION_FAILED;
    case InventoryErrorCode.UnknownReference:
    case InventoryErrorCode.ImportRejected:
      return HttpStatus.UNPROCESSABLE_ENTITY;
    default:
      return assertUnreachable(code);
  }
}

const RETRY_AFTER_SECONDS = 5;
const UNAVAILABLE = (): Problem => ({
  type: 'urn:hatang:problem:database_unavailable',
  title: 'Service Unavailable',
  status: 503,
  detail: `The database cannot be reached; nothing was changed. Try again in ${RETRY_AFTER_SECONDS} seconds.`,
});

/**
 * The database is down or refusing connections (not this request's fault): connection errors
 * of the driver and the network, SQLSTATE class 08 (connection), 57P (operator intervention),
 * 53300 (too many connections), a database closed to connections, or the pool timing out.
 */
export function databaseUnreachable(exception: unknown): boolean {
  const e = exception as { code?: unknown; message?: unknown; driverError?: { code?: unknown; message?: unknown } } | null;
  if (!e || typeof e !== 'object') return false;
  const code = String(e.driverError?.code ?? e.code ?? '');
  const message = String(e.driverError?.message ?? e.message ?? '');
  if (/^(08|57P)/.test(code) || code === '53300' || ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'].includes(code)) return true;
  return /not currently accepting connections|Connection terminated|timeout exceeded when trying to connect|PGlite (pool )?(is|has been) closed|Client has encountered a connection error/i.test(message);
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers with a problem (the filter's way), from a middleware that runs before any route. */
export function sendProblem(req: Request, res: Response, problem: Problem): void {
  problem.instance = req.originalUrl;
  // In the reader's language: Vietnamese when Accept-Language prefers it (the console sends it).
  const lang = req.acceptsLanguages('en', 'vi') || 'en';
  res.setHeader('Content-Language', lang);
  res.vary('Accept-Language');
  if (lang === 'vi') {
    if (problem.detail) problem.detail = inVietnamese(problem.detail);
    problem.errors = problem.errors?.map((e) => ({ ...e, message: inVietnamese(e.message) }));
  }
  const id = (req as Request & { id?: string }).id;
  if (id) problem.requestId = id;
  if (problem.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    sendProblem(req, res, problemOf(exception, this.logger));
  }
}

/** The problem that answers an exception; one nobody expected is logged and answered 500. */
export function problemOf(exception: unknown, logger: Logger = new Logger('ProblemFilter')): Problem {
  if (databaseUnreachable(exception)) return UNAVAILABLE();
  if (exception instanceof InventoryError) {
    const status = statusOf(exception.code);
    return { type: `urn:hatang:problem:${exception.code}`, title: TITLES[status] ?? 'Error', status, detail: exception.message, errors: exception.problems };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const body = exception.getResponse();
    const message = typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
    const detail = Array.isArray(message) ? message.join('; ') : (message ?? exception.message);
    // /health's failing answer keeps what each check said (terminus puts it under `details`).
    const checks = typeof body === 'object' && body !== null && 'details' in body ? (body as { details: Record<string, unknown> }).details : undefined;
    return { type: 'about:blank', title: TITLES[status] ?? 'Error', status, detail: checks ? `Unhealthy: ${Object.entries(checks).filter(([, c]) => (c as { status?: string }).status === 'down').map(([k]) => k).join(', ')}` : detail, ...(checks ? { checks } : {}) };
  }
  const err = exception as { type?: string; status?: number; message?: string };
  // body-parser errors: malformed JSON, body too large
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) {
    return { type: 'about:blank', title: TITLES[err.status] ?? 'Error', status: err.status, detail: err.message };
  }
  logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
  return { type: 'about:blank', title: TITLES[500], status: 500, detail: 'An unexpected error occurred; it has been logged.' };
}
