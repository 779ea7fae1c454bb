import { describe, expect, it } from 'vitest';
import { collectEachRegion } from '../../../functions/collectors/regional.ts';
import {
  ServiceNotEnabledError,
  SourceAccessError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const ctx = collectContext({ window, regions: ['us-east-1', 'eu-west-1', 'me-south-1'] });
const rejected = () =>
  serviceError('UnrecognizedClientException', 'The security token included in the request is invalid.');

describe('collectEachRegion', () => {
  it('keeps the regions that worked and records a failing one, so the category is PARTIAL rather than lost', async () => {
    const result = await collectEachRegion(ctx, async (region) => {
      if (region === 'eu-west-1') throw serviceError('ThrottlingException', 'Rate exceeded');
      return region;
    });
    expect(result.results).toEqual([
      { region: 'us-east-1', value: 'us-east-1' },
      { region: 'me-south-1', value: 'me-south-1' },
    ]);
    expect(result.regions['eu-west-1']).toEqual({
      status: 'FAILED',
      error: { name: 'TransientError', message: 'ThrottlingException: Rate exceeded' },
    });
    expect(result.skippedReason).toBeUndefined();
  });

  it('reads rejected credentials in one region as an opt-in region not enabled when they work elsewhere', async () => {
    const result = await collectEachRegion(ctx, async (region) => {
      if (region === 'me-south-1') throw rejected();
      return region;
    });
    expect(result.regions['me-south-1']?.status).toBe('SKIPPED');
    expect(result.regions['me-south-1']?.error?.message).toMatch(
      /me-south-1 is an opt-in region not enabled/,
    );
  });

  it('reads credentials rejected everywhere as an access failure', async () => {
    await expect(collectEachRegion(ctx, async () => Promise.reject(rejected()))).rejects.toBeInstanceOf(
      SourceAccessError,
    );
  });

  it('throws the first failure when every region failed, for the state machine to retry or record', async () => {
    await expect(
      collectEachRegion(ctx, async () => Promise.reject(serviceError('InternalFailure', 'boom', 500))),
    ).rejects.toBeInstanceOf(TransientError);
  });

  it('is SKIPPED with the reason when no region has the service', async () => {
    const result = await collectEachRegion(ctx, async () =>
      Promise.reject(new ServiceNotEnabledError('not subscribed')),
    );
    expect(result).toMatchObject({ results: [], skippedReason: 'not subscribed' });
  });
});
