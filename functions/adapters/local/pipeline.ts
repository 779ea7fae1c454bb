import { randomUUID } from 'node:crypto';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { type CollectDeps, collectCategory } from '../../core/collect-category.ts';
import { type AccountSource, discoverAccounts } from '../../core/discover-accounts.ts';
import { finalizeOrReject } from '../../core/finalize-load.ts';
import { loadCategory } from '../../core/load-category.ts';
import { mergeSnapshot } from '../../core/merge-snapshot.ts';
import { planRun } from '../../core/plan-run.ts';
import { prefetchCostExplorer } from '../../core/prefetch-cost-explorer.ts';
import { prepareLoad } from '../../core/prepare-load.ts';
import { settleOrchestration } from '../../core/settle-run.ts';
import type { AccountDirectory, DeadLetterQueue, MetricsSink, Sql } from '../../ports.ts';
import {
  type InterpreterEvent,
  type LocalExecution,
  type LocalTaskHandler,
  localExecutionArn,
  runStateMachine,
} from './state-machine-runner.ts';

/** Everything the use cases need, built by a local composition root (the CLI, tests). */
export interface PipelineDeps extends CollectDeps {
  readonly sql: Sql;
  readonly deadLetters: DeadLetterQueue;
  readonly metrics: MetricsSink;
  readonly regions: readonly string[];
  readonly enabledCategories: readonly string[];
  /** Where `orchestrate` finds its accounts. */
  readonly orchestration?: {
    readonly accounts: AccountSource;
    readonly directory?: AccountDirectory;
    readonly maxConcurrency: number;
    readonly toleratedFailurePercentage: number;
    readonly directoryCacheMs?: number;
    /** The management account's Cost Explorer per category (organization mode); absent: per-account mode. */
    readonly managementCostExplorer?: (category: string) => CostExplorerClient;
  };
}

export interface PipelineRunOptions {
  readonly onEvent?: (machine: 'collect' | 'load' | 'orchestrate', event: InterpreterEvent) => void;
  /** Replaces Retry intervals (ms); omitted, the intervals in the ASL files apply. */
  readonly retryIntervalMs?: number;
}

/** Each Task state of `load` mapped to the use case its Lambda runs. */
export function loadHandlers(deps: PipelineDeps): Record<string, LocalTaskHandler> {
  return {
    PrepareLoad: async (input) => prepareLoad(deps, input),
    LoadCategory: async (input) => loadCategory(deps, input),
    FinalizeLoad: async (input) => finalizeOrReject(deps, input),
    RejectSnapshot: async (input) => finalizeOrReject(deps, input),
  };
}

/**
 * Each Task state of `collect` mapped to its use case. StartLoad starts `load` in this process and returns at
 * once, as `states:startExecution` does; the started executions are collected in `startedLoads`.
 */
export function collectHandlers(
  deps: PipelineDeps,
  options: PipelineRunOptions,
  startedLoads: Array<Promise<LocalExecution>>,
): Record<string, LocalTaskHandler> {
  return {
    PlanRun: async (input) =>
      planRun(
        {
          clock: deps.clock,
          regions: deps.regions,
          enabledCategories: deps.enabledCategories,
          collectorFunction: (category) => `a360-local-collect-${category}`,
        },
        input,
      ),
    CollectCategory: async (input) => collectCategory(deps, input),
    MergeSnapshot: async (input) => mergeSnapshot(deps, input),
    StartLoad: async (input) => {
      const executionName = randomUUID();
      startedLoads.push(runLoad(deps, (input as { Input: unknown }).Input, { ...options, executionName }));
      return { ExecutionArn: localExecutionArn('load', executionName), StartDate: new Date().toISOString() };
    },
  };
}

/** Runs `collect`; when it started `load` itself (input `load: true`), waits for that load too. */
export async function runCollect(
  deps: PipelineDeps,
  input: unknown,
  options: PipelineRunOptions = {},
): Promise<LocalExecution & { readonly loads: readonly LocalExecution[] }> {
  const startedLoads: Array<Promise<LocalExecution>> = [];
  const execution = await runStateMachine({
    name: 'collect',
    input,
    handlers: collectHandlers(deps, options, startedLoads),
    ...(options.onEvent ? { onEvent: (event) => options.onEvent?.('collect', event) } : {}),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
  });
  return { ...execution, loads: await Promise.all(startedLoads) };
}

export function runLoad(
  deps: PipelineDeps,
  input: unknown,
  options: PipelineRunOptions & { readonly executionName?: string } = {},
): Promise<LocalExecution> {
  return runStateMachine({
    name: 'load',
    input,
    handlers: loadHandlers(deps),
    ...(options.executionName ? { executionName: options.executionName } : {}),
    ...(options.onEvent ? { onEvent: (event) => options.onEvent?.('load', event) } : {}),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
  });
}

/**
 * What `states:startExecution.sync:2` answers for a child execution: its output as JSON, or a failure named
 * States.TaskFailed whose cause describes the child, as Step Functions reports it.
 */
function syncResult(execution: LocalExecution): { ExecutionArn: string; Status: string; Output: unknown } {
  if (execution.status === 'SUCCEEDED') {
    return { ExecutionArn: execution.executionArn, Status: 'SUCCEEDED', Output: execution.output };
  }
  const error = new Error(
    JSON.stringify({
      ExecutionArn: execution.executionArn,
      Status: 'FAILED',
      Error: execution.error?.name,
      Cause: execution.error?.cause,
    }),
  );
  error.name = 'States.TaskFailed';
  throw error;
}

/** Each Task state of `orchestrate` mapped to its use case; the child executions run in this process. */
export function orchestrateHandlers(
  deps: PipelineDeps,
  options: PipelineRunOptions,
): Record<string, LocalTaskHandler> {
  const orchestration = deps.orchestration;
  return {
    DiscoverAccounts: async (input) => {
      if (!orchestration) throw new Error('orchestrate needs PipelineDeps.orchestration');
      return discoverAccounts(
        {
          blobs: deps.blobs,
          clock: deps.clock,
          log: deps.log,
          accounts: orchestration.accounts,
          ...(orchestration.directory ? { directory: orchestration.directory } : {}),
          enabledCategories: deps.enabledCategories,
          maxConcurrency: orchestration.maxConcurrency,
          toleratedFailurePercentage: orchestration.toleratedFailurePercentage,
          ...(orchestration.directoryCacheMs === undefined
            ? {}
            : { directoryCacheMs: orchestration.directoryCacheMs }),
        },
        input,
      );
    },
    PrefetchCostExplorer: async (input) =>
      prefetchCostExplorer(
        {
          blobs: deps.blobs,
          clock: deps.clock,
          log: deps.log,
          ...(orchestration?.managementCostExplorer
            ? { managementCostExplorer: orchestration.managementCostExplorer }
            : {}),
        },
        input,
      ),
    CollectAccount: async (input) =>
      syncResult(await runCollect(deps, (input as { Input: unknown }).Input, options)),
    LoadAccount: async (input) =>
      syncResult(await runLoad(deps, (input as { Input: unknown }).Input, options)),
    SettleRun: async (input) => settleOrchestration(deps, input),
  };
}

export function runOrchestrate(
  deps: PipelineDeps,
  input: unknown,
  options: PipelineRunOptions = {},
): Promise<LocalExecution> {
  return runStateMachine({
    name: 'orchestrate',
    input,
    handlers: orchestrateHandlers(deps, options),
    readItems: async ({ Key }) => {
      const text = await deps.blobs.get(Key);
      if (text === undefined) throw new Error(`no item file ${Key} in ${deps.blobs.location}`);
      return JSON.parse(text) as unknown[];
    },
    ...(options.onEvent ? { onEvent: (event) => options.onEvent?.('orchestrate', event) } : {}),
    ...(options.retryIntervalMs === undefined ? {} : { retryIntervalMs: options.retryIntervalMs }),
  });
}
