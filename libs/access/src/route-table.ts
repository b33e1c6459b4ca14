import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { ACCESS_RULE, type AccessRule } from '@app/inventory';

/** One route of the API with the rule that guards it. */
export interface RouteEntry {
  method: string;
  /** The path without the global prefix, e.g. `devices/:id/snmp`. */
  path: string;
  rule: AccessRule | undefined;
  handler: string;
}

/** Every route the controllers declare, with its access rule (the start-up check and the tests read it). */
export function routeTable(discovery: DiscoveryService, scanner: MetadataScanner): RouteEntry[] {
  const out: RouteEntry[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as (new (...args: never[]) => object) | undefined;
    if (!type || !wrapper.instance) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
    const classRule = Reflect.getMetadata(ACCESS_RULE, type) as AccessRule | undefined;
    const proto = Object.getPrototypeOf(wrapper.instance) as object;
    for (const name of scanner.getAllMethodNames(proto)) {
      const handler = (proto as Record<string, unknown>)[name] as object;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (sub === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const path = [base, sub].map((p) => p.replace(/^\/+|\/+$/g, '')).filter(Boolean).join('/');
      out.push({ method, path, rule: (Reflect.getMetadata(ACCESS_RULE, handler) as AccessRule | undefined) ?? classRule, handler: `${type.name}.${name}` });
    }
  }
  return out;
}
