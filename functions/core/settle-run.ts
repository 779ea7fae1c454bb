import { z } from 'zod';
import type { Sql } from '../ports.ts';
import { parseInput } from './input.ts';
import { settleRun } from './ledger.ts';

const settleInputSchema = z.object({ runId: z.string().min(1) });

export interface RunOutcome {
  readonly runId: string;
  readonly status: string;
  readonly accounts: number;
  readonly failedSlices: number;
  readonly message: string;
}

/** The last state of `orchestrate`: the run's status from its ledger rows, and a one-line summary. */
export async function settleOrchestration(
  deps: { readonly sql: Sql; readonly clock: { now(): Date } },
  input: unknown,
): Promise<RunOutcome> {
  const { runId } = parseInput(settleInputSchema, input, 'settle-run');
  const status = await settleRun(deps.sql, runId, deps.clock.now());
  const [row] = await deps.sql.query<{ accounts: number; failed: number }>(
    `SELECT count(DISTINCT account_id) AS accounts, count(*) FILTER (WHERE status = 'FAILED') AS failed
     FROM run_categories WHERE run_id = :run_id`,
    { run_id: runId },
  );
  const accounts = row?.accounts ?? 0;
  const failed = row?.failed ?? 0;
  return {
    runId,
    status,
    accounts,
    failedSlices: failed,
    message:
      failed === 0
        ? `run ${runId}: ${accounts} accounts, every category loaded`
        : `run ${runId}: ${accounts} accounts, ${failed} account x category slices failed; see the ledger and the DLQ`,
  };
}
