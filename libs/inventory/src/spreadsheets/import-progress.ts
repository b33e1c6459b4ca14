import { Injectable } from '@nestjs/common';
import type { ImportProgress } from './spreadsheets.service';

/** Where an import sent over HTTP stands, as its sender reads it while waiting for the answer. */
export interface ImportState {
  /** read: the file is being parsed; check: rows checked; write: written (one transaction); done / failed: answered. */
  phase: 'read' | ImportProgress['phase'] | 'done' | 'failed';
  done: number;
  total: number;
  startedAt: string;
}

const KEEP_MS = 10 * 60 * 1000;
const MAX_ENTRIES = 1000;

/**
 * The imports in progress in this process, by the id their sender gave them (`X-Import-Id`), each
 * visible to its sender only. In memory: an import runs in one process and so is read from it
 * (behind a load balancer, the reads need the same instance, e.g. sticky sessions). An entry is
 * forgotten ten minutes after its last change; at most 1,000 are kept.
 */
@Injectable()
export class ImportProgressBoard {
  private readonly entries = new Map<string, { owner: string; state: ImportState; touched: number }>();

  start(id: string, owner: string): (next: Omit<ImportState, 'startedAt'>) => void {
    this.sweep();
    const startedAt = new Date().toISOString();
    // An id already in use by someone else is not taken over: that sender keeps seeing its own.
    const taken = this.entries.get(id);
    if (taken && taken.owner !== owner) return () => undefined;
    const entry: { owner: string; state: ImportState; touched: number } = { owner, state: { phase: 'read', done: 0, total: 0, startedAt }, touched: Date.now() };
    this.entries.set(id, entry);
    return (next) => {
      entry.state = { ...next, startedAt };
      entry.touched = Date.now();
    };
  }

  /** The import's state, or undefined when no import of this sender has this id. */
  get(id: string, owner: string): ImportState | undefined {
    this.sweep();
    const entry = this.entries.get(id);
    return entry && entry.owner === owner ? entry.state : undefined;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, e] of this.entries) if (now - e.touched > KEEP_MS) this.entries.delete(id);
    // Oldest first (a Map keeps insertion order).
    for (const id of this.entries.keys()) {
      if (this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(id);
    }
  }
}
