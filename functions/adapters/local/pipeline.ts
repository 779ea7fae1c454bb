import { randomUUID } from 'node:crypto';
import { type CollectDeps, collectCategory } from '../../core/collect-category.ts';
import { finalizeOrReject } from '../../core/finalize-load.ts';
import { loadCategory } from '../../core/load-category.ts';
import { mergeSnapshot } from '../../core/merge-snapshot.ts';
import { planRun } from '../../core/plan-run.ts';
import { prepareLoad } from '../../core/prepare-load.ts';
import type { DeadLetterQueue, MetricsSink, Sql } from '../../ports.ts';
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
}

export interface PipelineRunOptions {
  readonly onEvent?: (machine: 'collect' | 'load', event: InterpreterEvent) => void;
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
