import { describe, expect, it } from 'vitest';
import {
  collectHandlers,
  loadHandlers,
  orchestrateHandlers,
} from '../../functions/adapters/local/pipeline.ts';
import {
  type LocalExecution,
  type LocalTaskHandler,
  localExecutionArn,
  runStateMachine,
} from '../../functions/adapters/local/state-machine-runner.ts';
import { databaseBackends, useDatabase } from '../support/database.ts';
import { testPipeline } from '../support/pipeline.ts';

/** Wraps each handler to record the executionId of the input every Task state hands its Lambda. */
function recording(handlers: Record<string, LocalTaskHandler>, seen: Map<string, Set<unknown>>) {
  return Object.fromEntries(
    Object.entries(handlers).map(([state, handler]) => [
      state,
      async (input: unknown) => {
        const ids = seen.get(state) ?? new Set();
        ids.add((input as { executionId?: unknown }).executionId);
        seen.set(state, ids);
        return handler(input);
      },
    ]),
  );
}

/**
 * Every Lambda gets the id of the execution that invoked it, so its log lines carry `executionId` (Powertools
 * Logger keys, functions/platform/lambda.ts) and a log line leads to its execution in the console.
 */
describe.each(databaseBackends().slice(0, 1))('executionId in every Lambda input, on $name', (backend) => {
  const db = useDatabase(backend);

  it('reaches each Task of collect, load and orchestrate, inside the Maps too', async () => {
    const pipeline = testPipeline(db.sql, { accounts: 1 });
    const accountId = pipeline.sample.accounts[0]?.id as string;
    const seen = new Map<string, Set<unknown>>();
    const loads: Array<Promise<LocalExecution>> = [];

    const collect = await runStateMachine({
      name: 'collect',
      executionName: 'c-1',
      input: { accountId, date: '2026-11-25', categories: ['account', 'kms'], load: false },
      handlers: recording(collectHandlers(pipeline.deps, { retryIntervalMs: 0 }, loads), seen),
    });
    expect(collect.status).toBe('SUCCEEDED');
    const snapshotKey = (collect.output as { snapshotKey: string }).snapshotKey;
    const load = await runStateMachine({
      name: 'load',
      executionName: 'l-1',
      input: { snapshotKey },
      handlers: recording(loadHandlers(pipeline.deps), seen),
    });
    expect(load.status).toBe('SUCCEEDED');
    const orchestrate = await runStateMachine({
      name: 'orchestrate',
      executionName: 'o-1',
      input: { date: '2026-11-25', categories: ['account'] },
      handlers: recording(orchestrateHandlers(pipeline.deps, { retryIntervalMs: 0 }), seen),
      readItems: async ({ Key }) => JSON.parse((await pipeline.blobs.get(Key)) as string) as unknown[],
    });
    expect(orchestrate.status).toBe('SUCCEEDED');

    expect(Object.fromEntries([...seen].map(([state, ids]) => [state, [...ids]]))).toEqual({
      PlanRun: [localExecutionArn('collect', 'c-1')],
      CollectCategory: [localExecutionArn('collect', 'c-1')],
      MergeSnapshot: [localExecutionArn('collect', 'c-1')],
      PrepareLoad: [localExecutionArn('load', 'l-1')],
      LoadCategory: [localExecutionArn('load', 'l-1')],
      FinalizeLoad: [localExecutionArn('load', 'l-1')],
      DiscoverAccounts: [localExecutionArn('orchestrate', 'o-1')],
      PrefetchCostExplorer: [localExecutionArn('orchestrate', 'o-1')],
      CollectAccount: [undefined],
      LoadAccount: [undefined],
      SettleRun: [localExecutionArn('orchestrate', 'o-1')],
    });
  }, 120_000);
});
