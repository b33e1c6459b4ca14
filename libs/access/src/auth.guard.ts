import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ACCESS_RULE, type AccessRule, can, InventoryError, type Principal } from '@app/inventory';
import { Authenticator } from './authenticator';

/**
 * Every request: the bearer token names a caller (401 if it does not), the route's rule names a
 * permission the caller's role must have (403 if it does not). A request with a body was
 * authenticated before its body was read (`authenticateBeforeBody`); the others are here.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [context.getHandler(), context.getClass()]);
    if (rule === 'public') return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const res = context.switchToHttp().getResponse<Response>();
    // Start-up refuses routes without a rule; this is the second lock.
    if (rule === undefined) throw InventoryError.forbidden('This route has no access rule');
    req.principal ??= await this.authenticator.authenticate(req, res);
    if (rule !== 'authenticated' && !can(req.principal.role, rule)) {
      throw InventoryError.forbidden(`A ${req.principal.role.replace('_', ' ')} token may not do this (it needs ${rule})`);
    }
    return true;
  }
}
