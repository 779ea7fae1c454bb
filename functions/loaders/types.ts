import type { Window } from '../platform/period.ts';
import type { Sql } from '../ports.ts';

export interface LoadContext {
  readonly accountId: string;
  readonly window: Window;
  readonly runId: string;
  /** When the category was collected: current-state rows are "seen" at this instant. */
  readonly seenAt: Date;
  /**
   * Where rows not seen now may be marked removed: `all` for a fully successful category, the regions that
   * succeeded for a PARTIAL regional one. Never called for a SKIPPED or FAILED category.
   */
  readonly completeRegions: 'all' | readonly string[];
}

/** Writes one category's payload inside the category's transaction; returns the rows written. */
export interface CategoryLoader<P> {
  load(tx: Sql, payload: P, ctx: LoadContext): Promise<number>;
}
