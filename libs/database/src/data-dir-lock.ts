import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * One process per PGlite data directory. PGlite is PostgreSQL in the process's own memory: a
 * second process opening the same files writes over the first one's pages (a token that "was
 * made" and never works, audit rows counted but not listed). The holder writes its PID into
 * `hatang.lock`, created exclusively; a holder that died leaves the file, which the next process
 * takes over after checking that the PID is gone (or now belongs to another program).
 */
export const LOCK_FILE = 'hatang.lock';

interface Holder {
  pid: number;
  host: string;
  /** Kernel start time of the holder (Linux), so a reused PID is not taken for the holder. */
  startTicks: string | null;
  since: string;
  command: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: Holder,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Hatang process ` +
        `(PID ${holder.pid}${holder.host !== hostname() ? ` on ${holder.host}` : ''}: ${holder.command}, since ${holder.since}). ` +
        `Two processes on one PGlite directory overwrite each other's writes, so this one stops. ` +
        `Stop that process first (then run this again), or do the same through its API ` +
        `(for a token: POST /api/v1/tokens with an admin token), or use PostgreSQL (DATABASE_URL) to run several processes.`,
    );
    this.name = 'DataDirLockedError';
  }
}

const held = new Map<string, string>();

/** Takes the data directory's lock for this process (again: a no-op), or throws DataDirLockedError. */
export function lockDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  if (held.has(dir)) return;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, LOCK_FILE);
  const me = describeSelf();
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, me)) {
      held.set(dir, file);
      if (held.size === 1) process.once('exit', releaseAll);
      return;
    }
    const holder = readHolder(file);
    if (holder && isAlive(holder)) throw new DataDirLockedError(dir, holder);
    // The holder is gone (or the file is unreadable half-written debris): take over, one taker at a time.
    takeOver(file, holder);
  }
  const holder = readHolder(file);
  throw new DataDirLockedError(dir, holder ?? { pid: 0, host: '?', startTicks: null, since: '?', command: 'unknown' });
}

/** Gives the lock back (the pool closed the database). */
export function unlockDataDir(dataDir: string): void {
  const dir = resolve(dataDir);
  const file = held.get(dir);
  if (!file) return;
  held.delete(dir);
  removeIfMine(file);
}

function releaseAll(): void {
  for (const file of held.values()) removeIfMine(file);
  held.clear();
}

function removeIfMine(file: string): void {
  try {
    if (readHolder(file)?.pid === process.pid) unlinkSync(file);
  } catch {
    // already gone
  }
}

function tryCreate(file: string, me: Holder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a dead holder's file while holding a second, short-lived lock, and only if the file still
 * names that dead holder: two processes that both saw it dead cannot remove each other's new lock.
 */
function takeOver(file: string, dead: Holder | null): void {
  const guard = `${file}.takeover`;
  if (!tryCreate(guard, describeSelf())) {
    const other = readHolder(guard);
    // A taker that died mid-way (or debris older than a minute) does not block for ever.
    if (other && isAlive(other) && ageMs(guard) < 60_000) return sleep(50);
    try {
      unlinkSync(guard);
    } catch {
      // someone else cleared it
    }
    return;
  }
  try {
    const now = readHolder(file);
    const same = dead === null ? now === null : now !== null && now.pid === dead.pid && now.since === dead.since;
    if (same) {
      try {
        unlinkSync(file);
      } catch {
        // gone already
      }
    }
  } finally {
    unlinkSync(guard);
  }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string') {
      return { pid: h.pid, host: h.host, startTicks: h.startTicks ?? null, since: String(h.since ?? '?'), command: String(h.command ?? '?') };
    }
  } catch {
    // missing, or being written
  }
  return null;
}

function isAlive(h: Holder): boolean {
  // A lock written on another machine (a shared volume) cannot be checked from here: it holds.
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  const ticks = startTicksOf(h.pid);
  return ticks === null || h.startTicks === null || ticks === h.startTicks;
}

function describeSelf(): Holder {
  return {
    pid: process.pid,
    host: hostname(),
    startTicks: startTicksOf(process.pid),
    since: new Date().toISOString(),
    command: process.argv.slice(1, 4).map((a) => a.replace(/^.*\/(dist|apps)\//, '$1/')).join(' ') || process.argv0,
  };
}

/** Field 22 of /proc/PID/stat: when the process started, in clock ticks since boot (Linux only). */
function startTicksOf(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** For a process's entry point: with no DATABASE_URL, hold DATA_DIR or stop at once, saying who holds it. */
export function lockDataDirOrExit(env: { DATABASE_URL?: string; DATA_DIR: string }): void {
  if (env.DATABASE_URL || env.DATA_DIR.startsWith('memory://')) return;
  try {
    lockDataDir(env.DATA_DIR);
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exit(75);
  }
}
