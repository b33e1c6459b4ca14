import { HttpException, HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { InventoryError, InventoryErrorCode, type Principal } from '@app/inventory';
import { AccountsService, SESSION_COOKIE } from './accounts.service';
import { hashToken, TokensService } from './tokens.service';

/** Methods that change nothing: no CSRF token needed with a session cookie. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The client's address: the socket's, or X-Forwarded-For's from a proxy TRUST_PROXY names. */
function addressOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** A cookie of the request, read from its Cookie header. */
export function cookieOf(req: Request, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || null;
  }
  return null;
}

export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');
/** Redis keys of the failure counts: `<prefix>:<address>`. */
export const AUTH_FAILURES_PREFIX = 'hatang:auth-failures';
/** Blocked addresses kept before expired ones are swept. */
const MAX_BLOCKED = 10_000;
/** Tokens remembered as good on an address, and for how long. */
const MAX_KNOWN_GOOD = 50_000;
const KNOWN_GOOD_MS = 24 * 3_600_000;

export interface AccessOptions {
  /** Failed authentications an address may make per minute before it gets 429s. */
  authFailuresPerMinute: number;
  /** With Redis, every API process counts an address's failures together. */
  redisUrl?: string;
}

/**
 * Who a request is, from its bearer token (401 if nobody). Failed authentications are counted
 * per address; past the limit the address's unknown tokens get 429 until the minute is over,
 * without being looked up, so guessing is slowed. A token that has worked from that address in
 * the last day still works: the other people behind a province office's NAT are not locked out
 * by one client's failures. Successful requests never touch the limiter.
 */
@Injectable()
export class Authenticator implements OnModuleDestroy {
  private readonly failures: RateLimiterAbstract;
  private readonly redis?: Redis;
  /** Addresses over the limit, until when (ms): checked without asking the limiter. */
  private readonly blocked = new Map<string, number>();
  /** `address token-hash` → until when it is known good there. */
  private readonly knownGood = new Map<string, number>();

  constructor(
    private readonly tokens: TokensService,
    private readonly accounts: AccountsService,
    @Inject(ACCESS_OPTIONS) options: AccessOptions,
  ) {
    const limits = { points: options.authFailuresPerMinute, duration: 60 };
    if (!options.redisUrl) {
      this.failures = new RateLimiterMemory(limits);
      return;
    }
    // Shared by every API process; while Redis is away, each process counts on its own.
    this.redis = new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    const log = new Logger('Access');
    this.redis.on('error', (err: Error) => log.warn(`Redis for the authentication-failure limit: ${err.message}`));
    this.failures = new RateLimiterRedis({ ...limits, storeClient: this.redis, keyPrefix: AUTH_FAILURES_PREFIX, insuranceLimiter: new RateLimiterMemory(limits) });
  }

  async onModuleDestroy(): Promise<void> {
    await this.redis?.quit().catch(() => undefined);
  }

  /**
   * The request's caller, or a 401 (InventoryError) or 429 (HttpException) to answer with. A
   * bearer token (scripts, pollers) or, without one, the console's session cookie; a write made
   * with the cookie must carry the session's CSRF token in X-CSRF-Token (403 otherwise).
   */
  async authenticate(req: Request, res: Response): Promise<Principal> {
    const address = addressOf(req);
    const header = req.headers.authorization;
    const sid = header ? null : cookieOf(req, SESSION_COOKIE);
    if (sid) {
      const { principal, csrfToken } = await this.accounts.authenticate(sid);
      if (!SAFE_METHODS.has(req.method) && req.headers['x-csrf-token'] !== csrfToken) {
        throw InventoryError.forbidden('A write made with the session cookie needs the session\'s X-CSRF-Token header');
      }
      return principal;
    }
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const key = match ? `${address} ${hashToken(match[1])}` : null;
    const until = this.blocked.get(address);
    if (until !== undefined) {
      if (until <= Date.now()) this.blocked.delete(address);
      else if (!key || !((this.knownGood.get(key) ?? 0) > Date.now())) this.tooMany(res, until - Date.now());
    }
    try {
      if (!match) throw new InventoryError(InventoryErrorCode.Unauthenticated, header ? 'The Authorization header must be "Bearer <token>"' : 'This route needs an API token: Authorization: Bearer <token>');
      const principal = await this.tokens.authenticate(match[1], address);
      this.remember(key!);
      return principal;
    } catch (err) {
      if (err instanceof InventoryError && err.code === InventoryErrorCode.Unauthenticated) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="hatang"');
        if (key) this.knownGood.delete(key);
        const over = await this.failures.consume(address).then(
          () => null,
          (rejected: unknown) => (rejected instanceof RateLimiterRes ? rejected : null),
        );
        if (over) this.block(res, address, over.msBeforeNext);
      }
      throw err;
    }
  }

  /** Sign-in: refused (429) while the address is over the failure limit. */
  refuseIfBlocked(req: Request, res: Response): void {
    const address = addressOf(req);
    const until = this.blocked.get(address);
    if (until !== undefined && until > Date.now()) this.tooMany(res, until - Date.now());
  }

  /** A failed sign-in counts as a failed token does. */
  async countFailure(req: Request, res: Response): Promise<void> {
    const address = addressOf(req);
    const over = await this.failures.consume(address).then(
      () => null,
      (rejected: unknown) => (rejected instanceof RateLimiterRes ? rejected : null),
    );
    if (over) this.block(res, address, over.msBeforeNext);
  }

  private remember(key: string): void {
    if (this.knownGood.size >= MAX_KNOWN_GOOD) {
      for (const [k, t] of this.knownGood) if (t <= Date.now()) this.knownGood.delete(k);
      // Still full: forget the oldest entries (a Map iterates in insertion order).
      for (const k of this.knownGood.keys()) {
        if (this.knownGood.size < MAX_KNOWN_GOOD) break;
        this.knownGood.delete(k);
      }
    }
    this.knownGood.delete(key);
    this.knownGood.set(key, Date.now() + KNOWN_GOOD_MS);
  }

  private block(res: Response, address: string, ms: number): never {
    if (this.blocked.size >= MAX_BLOCKED) for (const [a, t] of this.blocked) if (t <= Date.now()) this.blocked.delete(a);
    this.blocked.set(address, Date.now() + ms);
    this.tooMany(res, ms);
  }

  private tooMany(res: Response, msBeforeNext: number): never {
    res.setHeader('Retry-After', String(Math.ceil(msBeforeNext / 1000)));
    throw new HttpException('Too many failed authentications from this address; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
