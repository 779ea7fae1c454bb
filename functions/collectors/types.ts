import type { z } from 'zod';
import type { Window } from '../platform/period.ts';
import type { Log } from '../ports.ts';
import type { CostAndUsageQuery } from './cost-explorer.ts';

/** An SDK v3 client class, e.g. `CostExplorerClient`. */
export type SdkClientClass<C> = new (config: SdkClientConfig) => C;

/** The part of every SDK client's configuration the factory sets. */
export interface SdkClientConfig {
  region: string;
}

/**
 * Gives collectors their SDK clients: credentials for the account being collected, retries, call counting,
 * and (locally) the sample organization below the SDK. One factory per account x category x attempt.
 */
export interface ClientFactory {
  client<C extends object>(clientClass: SdkClientClass<C>, region: string): C;
}

/** Counts of source API calls for one collection, filled by the client middleware. */
export interface CallStats {
  apiCalls: number;
  throttled: number;
  /** Of the API calls, those to Cost Explorer (billed per request). */
  costExplorerCalls?: number;
}

export interface CollectContext {
  readonly accountId: string;
  readonly window: Window;
  /** The enabled regions, for regional categories. */
  readonly regions: readonly string[];
  /** Where global services (Cost Explorer, Account, Organizations, CloudFront WAF) are called. */
  readonly homeRegion: string;
  readonly clients: ClientFactory;
  /**
   * `organization` when the deployment asks the management account's Cost Explorer for everyone (see
   * `costAndUsageQueries`): the account's own Cost Explorer requests are then kept to the minimum (the forecast
   * and reservation utilisation are left to the runs that need them). `per-account` otherwise.
   */
  readonly costExplorer?: 'organization' | 'per-account';
  /** When this collection started; current-state data is "seen" at this instant. */
  readonly now: Date;
  readonly log: Log;
}

export type RegionStatus = 'SUCCEEDED' | 'SKIPPED' | 'FAILED';

export interface RegionOutcome {
  readonly status: RegionStatus;
  readonly error?: { readonly name: string; readonly message: string };
}

/** What a collector returns: the payload (validated against its schema) and how it went. */
export interface CollectResult<P> {
  readonly payload: P;
  /** Items collected, for the ledger (e.g. findings + groups). */
  readonly rows: number;
  /** Per region, for regional categories: a failed region makes the category PARTIAL, not FAILED. */
  readonly regions?: Readonly<Record<string, RegionOutcome>>;
  /** Set when the whole category is not enabled for this account: the category is SKIPPED. */
  readonly skippedReason?: string;
}

export type CategoryScope = 'global' | 'regional';

/**
 * One data category. `id` is stable: it appears in S3 keys, metrics, the ledger and state machine input.
 */
export interface CategoryCollector<P = unknown> {
  readonly id: string;
  readonly title: string;
  readonly scope: CategoryScope;
  /** Exactly the IAM actions of the API calls `collect` makes; infra builds the category's role from this list. */
  readonly actions: readonly string[];
  /** IAM actions AWS checks on top of the calls themselves (e.g. per associated resource type), with why. */
  readonly dependentActions?: readonly string[];
  /** The tables its loader writes; the first is its main table (one row per thing it collects). */
  readonly tables: readonly string[];
  /** The payload's schema: checked after collection and again before loading. */
  readonly schema: z.ZodType<P>;
  /**
   * `window` when its APIs answer for a past window (Cost Explorer, events and findings by time), so a backfill
   * collects it for each past window; otherwise it describes only the present (inventory, keys, certificates) and
   * a backfill leaves it out.
   */
  readonly history?: 'window';
  /**
   * The GetCostAndUsage requests `collect` sends for an account and window. Cost Explorer bills every request:
   * in organization mode `orchestrate` asks the management account once for all accounts and answers these.
   */
  readonly costAndUsageQueries?: (accountId: string, window: Window) => readonly CostAndUsageQuery[];
  collect(ctx: CollectContext): Promise<CollectResult<P>>;
}

/** Identity helper that keeps the payload type inferred from the schema. */
export function defineCollector<P>(collector: CategoryCollector<P>): CategoryCollector<P> {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(collector.id)) {
    throw new Error(`category id must be kebab-case: "${collector.id}"`);
  }
  return collector;
}
