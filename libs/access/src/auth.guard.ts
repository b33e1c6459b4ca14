import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ACCESS_RULE, type AccessRule, can, InventoryError, InventoryErrorCode, type Principal } from '@app/inventory';
import { TokensService } from './tokens.service';

export const ACCESS_OPTIONS = Symbol('ACCESS_OPTIONS');
export interface AccessOptions {
  /** Failed authentications an address may make per minute before it gets 429s. */
  authFailuresPerMinute: number;
}

/**
 * Every request: the bearer token names a caller (401 if it does not), the route's rule names a
 * permission the caller's role must have (403 if it does not). Failed authentications are
 * counted per address; past the limit the address gets 429 until the minute is over.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: RateLimiterMemory;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
    @Inject(ACCESS_OPTIONS) options: AccessOptions,
  ) {
    this.failures = new RateLimiterMemory({ points: options.authFailuresPerMinute, duration: 60 });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    // Start-up refuses routes without a rule; this is the second lock.
    if (rule === undefined) throw InventoryError.forbidden('This route has no access rule');

    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const spent = await this.failures.get(address);
    if (spent && spent.remainingPoints <= 0) this.tooMany(res, spent.msBeforeNext);

    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    try {
      if (!match) throw new InventoryError(InventoryErrorCode.Unauthenticated, header ? 'The Authorization header must be "Bearer <token>"' : 'This route needs an API token: Authorization: Bearer <token>');
      req.principal = await this.tokens.authenticate(match[1], address);
    } catch (err) {
      if (err instanceof InventoryError && err.code === InventoryErrorCode.Unauthenticated) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="hatang"');
        await this.failures.penalty(address, 1);
      }
      throw err;
    }
    if (rule !== 'authenticated' && !can(req.principal.role, rule)) {
      throw InventoryError.forbidden(`A ${req.principal.role.replace('_', ' ')} token may not do this (it needs ${rule})`);
    }
    return true;
  }

  private tooMany(res: Response, msBeforeNext: number): never {
    res.setHeader('Retry-After', String(Math.ceil(msBeforeNext / 1000)));
    throw new HttpException('Too many failed authentications from this address; try again later', HttpStatus.TOO_MANY_REQUESTS);
  }
}
