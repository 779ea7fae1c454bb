import { mapLimit } from '../platform/concurrency.ts';
import { type AppError, describeError, ServiceNotEnabledError } from '../platform/errors.ts';
import { classifyAwsError, type NotEnabledMatcher } from './aws-errors.ts';
import type { CollectContext, RegionOutcome } from './types.ts';

export interface RegionalCollection<T> {
  /** Results of the regions that succeeded, in the configured region order. */
  readonly results: ReadonlyArray<{ readonly region: string; readonly value: T }>;
  readonly regions: Readonly<Record<string, RegionOutcome>>;
  /** Set when no region has the service enabled. */
  readonly skippedReason?: string;
}

const REGION_CONCURRENCY = 4;

/**
 * A region that is not enabled for the account (an opt-in region) rejects the account's credentials exactly as
 * invalid credentials would. When the same credentials got an answer in another region, it is the region.
 */
const CREDENTIAL_REJECTIONS = new Set(['UnrecognizedClientException', 'InvalidClientTokenId']);

/**
 * Collects every configured region. A region that fails is recorded and the others are kept (the category is
 * then PARTIAL); a region without the service is SKIPPED. Only when every region failed does this throw, with
 * the first region's error, so the state machine can retry or record the category as FAILED.
 */
export async function collectEachRegion<T>(
  ctx: CollectContext,
  collectRegion: (region: string) => Promise<T>,
  isNotEnabled?: NotEnabledMatcher,
): Promise<RegionalCollection<T>> {
  type Outcome = { region: string; value: T } | { region: string; error: AppError; rejected: boolean };
  const outcomes = await mapLimit(ctx.regions, REGION_CONCURRENCY, async (region): Promise<Outcome> => {
    try {
      return { region, value: await collectRegion(region) };
    } catch (error) {
      const rejected = CREDENTIAL_REJECTIONS.has((error as { name?: string } | null)?.name ?? '');
      return { region, error: classifyAwsError(error, isNotEnabled), rejected };
    }
  });
  const credentialsWork = outcomes.some((o) => !('rejected' in o) || !o.rejected);
  const regions: Record<string, RegionOutcome> = {};
  const results: Array<{ region: string; value: T }> = [];
  const failures: Error[] = [];
  const skipped: string[] = [];
  for (const outcome of outcomes) {
    if ('value' in outcome) {
      regions[outcome.region] = { status: 'SUCCEEDED' };
      results.push({ region: outcome.region, value: outcome.value });
    } else if (outcome.error instanceof ServiceNotEnabledError) {
      regions[outcome.region] = { status: 'SKIPPED', error: describeError(outcome.error) };
      skipped.push(outcome.error.message);
    } else if (outcome.rejected && credentialsWork) {
      const error = new ServiceNotEnabledError(
        `${outcome.error.message} (the credentials work in other regions: ${outcome.region} is an opt-in region not enabled for this account)`,
      );
      regions[outcome.region] = { status: 'SKIPPED', error: describeError(error) };
      skipped.push(error.message);
    } else {
      regions[outcome.region] = { status: 'FAILED', error: describeError(outcome.error) };
      failures.push(outcome.error);
    }
  }
  if (results.length === 0 && failures.length > 0) throw failures[0];
  if (results.length === 0 && skipped.length > 0) {
    return { results, regions, skippedReason: skipped[0] ?? 'not enabled in any region' };
  }
  return { results, regions };
}
