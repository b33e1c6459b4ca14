import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ACCESS_RULE, type AccessRule, can, InventoryError, InventoryErrorCode, type Principal } from '@app/inventory';
import { TokensService } from './tokens.service';

export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');
/** Redis keys of the failure counts: `<prefix>:<address>`. */
export const AUTH_FAILURES_PREFIX = 'hatang:auth-failures';
/** Blocked addresses kept before expired ones are swept. */
const MAX_BLOCKED = 10_000;
export interface AccessOptions {
  /** Failed authentications an address may make per minute before it gets 429s. */
  authFailuresPerMinute: number;
  /** With Redis, every API process counts an address's failures together. */
  redisUrl?: string;
}

/**
 * Every request: the bearer token names a caller (401 if it does not), the route's rule names a
 * permission the caller's role must have (403 if it does not). Failed authentications are
 * counted per address; past the limit the address gets 429 until the minute is over. Successful
 * requests never touch the limiter.
 */
@Injectable()
export class AuthGuard implements CanActivate, OnModuleDestroy {
  private readonly failures: RateLimiterAbstract;
  private readonly redis?: Redis;
  /** Addresses over the limit, until when (ms): checked without asking the limiter. */
  private readonly blocked = new Map<string, number>();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
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

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    // Start-up refuses routes without a rule; this is the second lock.
    if (rule === undefined) throw InventoryError.forbidden('This route has no access rule');

    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    // Only failures reach the limiter (and Redis); an address over the limit is then turned away here.
    const until = this.blocked.get(address);
    if (until !== undefined) {
      if (until > Date.now()) this.tooMany(res, until - Date.now());
      this.blocked.delete(address);
    }

    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    try {
      if (!match) throw new InventoryError(InventoryErrorCode.Unauthenticated, header ? 'The Authorization header must be "Bearer <token>"' : 'This route needs an API token: Authorization: Bearer <token>');
      req.principal = await this.tokens.authenticate(match[1], address);
    } catch (err) {
      if (err instanceof InventoryError && err.code === InventoryErrorCode.Unauthenticated) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="hatang"');
        const over = await this.failures.consume(address).then(
          () => null,
          (rejected: unknown) => (rejected instanceof RateLimiterRes ? rejected : null),
        );
        if (over) this.block(res, address, over.msBeforeNext);
      }
      throw err;
    }
    if (rule !== 'authenticated' && !can(req.principal.role, rule)) {
      throw InventoryError.forbidden(`A ${req.principal.role.replace('_', ' ')} token may not do this (it needs ${rule})`);
    }
    return true;
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
