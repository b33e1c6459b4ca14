import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from './problem.filter';

/** Deepest nesting of a body or query the API reads; none of its inputs needs more than a few levels. */
export const MAX_DEPTH = 32;
/** Keys no input may carry: they would reach an object's prototype when merged. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface InputFault {
  field: string;
  message: string;
}

/**
 * The first fault of a parsed body or query, or null: nesting deeper than MAX_DEPTH, a key that
 * reaches a prototype, a NUL character in a key or a text (PostgreSQL cannot store one). Walks
 * without recursion, so a body nested 5,000 levels costs a loop, not the stack.
 */
export function inputFault(value: unknown, root: string): InputFault | null {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return { field: path, message: `${path || 'the value'} contains a NUL character (\\u0000), which cannot be stored` };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_DEPTH) return { field: path, message: `the input is nested more than ${MAX_DEPTH} levels deep` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      const at = path ? `${path}.${key}` : key;
      if (FORBIDDEN_KEYS.has(key)) return { field: at, message: `the key "${key}" is not allowed` };
      if (key.includes('\u0000')) return { field: at.replace(/\u0000/g, '\\u0000'), message: 'a key contains a NUL character (\\u0000)' };
      stack.push([(v as Record<string, unknown>)[key], at, depth + 1]);
    }
  }
  return null;
}

/** The line of a text body holding a NUL character, or 0. */
function nulLine(text: string): number {
  const at = text.indexOf('\u0000');
  if (at < 0) return 0;
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Runs after the body parsers, before any route: refuses (400, nothing read further, nothing
 * written) a body or query the routes must never see.
 */
export function inputGuard(req: Request, res: Response, next: NextFunction): void {
  const refuse = (fault: InputFault) =>
    sendProblem(req, res, { type: 'urn:hatang:problem:invalid', title: 'Bad Request', status: 400, detail: 'The request is not valid', errors: [fault] });
  const query = inputFault(req.query, '');
  if (query) return refuse({ ...query, field: query.field });
  const body: unknown = req.body;
  if (typeof body === 'string') {
    const line = nulLine(body);
    if (line) return refuse({ field: 'file', message: `line ${line} contains a NUL character (\\u0000), which cannot be stored` });
  } else if (body !== undefined && !Buffer.isBuffer(body)) {
    const fault = inputFault(body, '');
    if (fault) return refuse(fault);
  }
  next();
}
