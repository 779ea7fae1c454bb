import { z } from 'zod';
import type { TenantConfig } from '../platform/config.ts';
import { parsePeriod, resolveWindow } from '../platform/period.ts';
import type { BlobStore, Clock, DeadLetterQueue, Sql } from '../ports.ts';
import { snapshotKey } from '../snapshot/snapshot.ts';
import type { PlannedAccount } from './discover-accounts.ts';
import { parseInput } from './input.ts';
import { recordCategory, settleRun, upsertRun } from './ledger.ts';
import { ensureSchema } from './migrate.ts';
import { recordAccountDirectory } from './products.ts';
import { planReruns, type Rerun } from './reruns.ts';

const settleInputSchema = z.object({
  runId: z.string().min(1),
  trigger: z.string().min(1),
  period: z.string().min(1),
  date: z.string().min(1),
  categories: z.array(z.string()).min(1),
  /** The accounts DiscoverAccounts planned: each must have reached the ledger. */
  accountsKey: z.string().min(1),
  /** What PrefetchCostExplorer did: its organization-wide requests are the run's own, not any account's. */
  costExplorer: z.object({ requests: z.number().int().nonnegative() }).optional(),
  /** Set when the Map itself failed (e.g. the tolerated failure threshold was exceeded). */
  processError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

const plannedAccountsSchema = z.array(
  z.object({
    accountId: z.string(),
    accountName: z.string().nullable().default(null),
    products: z
      .array(z.object({ name: z.string().min(1), source: z.enum(['config', 'tag', 'config+tag']) }))
      .default([]),
  }),
);

export interface SettleDeps {
  readonly sql: Sql;
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly deadLetters: DeadLetterQueue;
  /** Customer and partner names written on every orchestrated account (none locally). */
  readonly tenant?: TenantConfig;
}

export interface RunOutcome {
  readonly runId: string;
  readonly status: string;
  readonly accounts: number;
  /** Planned accounts none of whose categories reached the ledger (their execution failed or never ran). */
  readonly accountsNotProcessed: readonly string[];
  readonly failedSlices: number;
  readonly message: string;
  /**
   * The executions that would complete the run (`planReruns`), for `a360 rerun --execution`: the first
   * MAX_RERUNS_IN_OUTPUT here (a state's output is capped at 256 KB), all of them in `rerunsKey`.
   */
  readonly reruns: readonly Rerun[];
  readonly rerunsOmitted: number;
  readonly rerunsLocation: string;
}

export const MAX_RERUNS_IN_OUTPUT = 200;

export const rerunsKey = (runId: string) => `orchestration/${runId}/reruns.json`;

/**
 * The last state of `orchestrate`. An account whose collect or load execution failed as a whole (or never
 * started because the Map stopped) left no ledger rows; it is recorded as FAILED for every planned category, with a
 * dead letter that recollects it, so the run cannot report success for accounts it never collected. It also
 * writes the planned accounts' products and the deployment's customer and partner names.
 */
export async function settleOrchestration(deps: SettleDeps, input: unknown): Promise<RunOutcome> {
  const request = parseInput(settleInputSchema, input, 'settle-run');
  const now = deps.clock.now();
  const period = parsePeriod(request.period);
  const window = resolveWindow(period, request.date, now);
  await ensureSchema(deps.sql);
  await upsertRun(deps.sql, { runId: request.runId, trigger: request.trigger, window, startedAt: now });
  if (request.costExplorer) {
    await deps.sql.execute(`UPDATE runs SET cost_explorer_calls = :calls WHERE run_id = :run_id`, {
      calls: request.costExplorer.requests,
      run_id: request.runId,
    });
  }

  const planned: PlannedAccount[] = plannedAccountsSchema.parse(
    JSON.parse((await deps.blobs.get(request.accountsKey)) ?? '[]'),
  );
  await recordAccountDirectory(
    deps.sql,
    planned,
    deps.tenant ?? { customerName: undefined, partnerName: undefined },
    now,
  );
  const recorded = new Set(
    (
      await deps.sql.query<{ account_id: string }>(
        `SELECT DISTINCT account_id FROM run_categories WHERE run_id = :run_id`,
        { run_id: request.runId },
      )
    ).map((r) => r.account_id),
  );
  const missing = planned.map((a) => a.accountId).filter((id) => !recorded.has(id));
  const error = {
    name: request.processError?.Error ?? 'AccountNotProcessed',
    message: `no category of this account reached the ledger: its collect or load execution failed as a whole or never started${
      request.processError
        ? ` (the account map stopped: ${request.processError.Cause ?? 'no cause given'})`
        : ''
    }; see the orchestrate execution's map run`,
  };
  for (const accountId of missing) {
    const key = snapshotKey(accountId, window);
    for (const category of request.categories) {
      await recordCategory(deps.sql, {
        runId: request.runId,
        accountId,
        category,
        phase: 'collect',
        status: 'FAILED',
        error,
        snapshotKey: key,
        finishedAt: now,
      });
    }
    await deps.deadLetters.send({
      runId: request.runId,
      accountId,
      category: '*',
      phase: 'collect',
      snapshotKey: key,
      error,
      rerun: {
        stateMachine: 'collect',
        input: { accountId, period, date: window.start, categories: request.categories, trigger: 'rerun' },
      },
    });
  }

  const status = await settleRun(deps.sql, request.runId, now);
  const [row] = await deps.sql.query<{ failed: number }>(
    `SELECT count(*) FILTER (WHERE status = 'FAILED') AS failed FROM run_categories WHERE run_id = :run_id`,
    { run_id: request.runId },
  );
  const failed = row?.failed ?? 0;
  const parts = [`run ${request.runId}: ${planned.length} accounts`];
  if (missing.length > 0) {
    const named = missing.slice(0, 20).join(', ');
    parts.push(
      `${missing.length} not processed (${named}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''})`,
    );
  }
  parts.push(
    failed === 0
      ? 'every category loaded'
      : `${failed} account x category slices failed; see the ledger and the DLQ`,
  );
  const reruns = (await planReruns(deps.sql, request.runId))?.reruns ?? [];
  const key = rerunsKey(request.runId);
  await deps.blobs.put(key, `${JSON.stringify(reruns)}\n`);
  return {
    runId: request.runId,
    status,
    accounts: planned.length,
    accountsNotProcessed: missing,
    failedSlices: failed,
    message: parts.join(', '),
    reruns: reruns.slice(0, MAX_RERUNS_IN_OUTPUT),
    rerunsOmitted: Math.max(0, reruns.length - MAX_RERUNS_IN_OUTPUT),
    rerunsLocation: `${deps.blobs.location}/${key}`,
  };
}
