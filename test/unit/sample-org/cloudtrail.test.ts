import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { isRegionEnabled, sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  accountTrails,
  cloudTrailSimulator,
  organizationTrail,
} from '../../../functions/adapters/local/sample-org/services/cloudtrail.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { type CloudtrailPayload, cloudtrailCollector } from '../../../functions/collectors/cloudtrail.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { cloudtrailLoader } from '../../../functions/loaders/cloudtrail.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import type { Window } from '../../../functions/platform/period.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const window: Window = { period: 'DAILY', start: '2026-11-25', end: '2026-11-26' };
const nextWindow: Window = { period: 'DAILY', start: '2026-11-26', end: '2026-11-27' };
const simulators = [cloudTrailSimulator];

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...cloudTrailSimulator,
    operations: Object.fromEntries(
      Object.entries(cloudTrailSimulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  };
  return { simulators: [spy], calls };
}

/** Collects every account of an organization of `count` accounts on one day, with the given regions. */
async function collectOrganization(
  count: number,
  at: Date,
  collectedWindow: Window,
  regions = SAMPLE_REGIONS,
) {
  const org = new SampleOrganization({ accounts: count, regions, simulators, clock: { now: () => at } });
  const results = [];
  for (const account of org.accounts) {
    const stats: CallStats = { apiCalls: 0, throttled: 0 };
    const clients = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'cloudtrail', runId: `r-${at.toISOString()}` },
      stats,
    );
    const result = await cloudtrailCollector.collect({
      accountId: account.id,
      window: collectedWindow,
      regions,
      homeRegion: regions[0] as string,
      clients,
      now: at,
      log: silentLog,
    });
    results.push({ account, result });
  }
  return results;
}

const arns = (payload: CloudtrailPayload) => new Set(payload.cloudtrail.map((t) => t.arn));

describe('cloudtrail collector against the sample organization', () => {
  it('collects a production account: the organization trail once, its own trails, capped event counts', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account, org } = await collectFromSample(cloudtrailCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(cloudtrailCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);

    const management = org.accounts[0]?.id as string;
    const organization = result.payload.cloudtrail.filter((t) => t.is_organization_trail);
    expect(organization).toEqual([
      expect.objectContaining({
        name: 'org-management-events',
        arn: `arn:aws:cloudtrail:us-east-1:${management}:trail/org-management-events`,
        region: 'us-east-1',
        home_region: 'us-east-1',
        is_multi_region: true,
        is_logging: true,
        management_events: true,
        log_file_validation: true,
      }),
    ]);
    // A busy production home region stops at 20 pages of 50; the organization trail covers every region.
    const home = calls.filter((c) => c.operation === 'LookupEvents' && c.region === 'us-east-1');
    expect(home).toHaveLength(20);
    expect(home.slice(1).every((c) => typeof c.input.NextToken === 'string')).toBe(true);
    expect(organization[0]?.recent_events_count).toBeGreaterThan(1000);
    expect(organization[0]?.recent_events_count_capped).toBe(true);
    for (const region of SAMPLE_REGIONS) {
      expect(calls.filter((c) => c.operation === 'DescribeTrails' && c.region === region)).toHaveLength(1);
      expect(
        calls.filter((c) => c.operation === 'LookupEvents' && c.region === region).length,
      ).toBeGreaterThan(1);
    }
    // Status and selectors once per trail, by ARN, in the region that reports it.
    for (const trail of result.payload.cloudtrail) {
      const status = calls.filter((c) => c.operation === 'GetTrailStatus' && c.input.Name === trail.arn);
      expect(status.map((c) => c.region)).toEqual([trail.region]);
    }
    const own = accountTrails(account, SAMPLE_REGIONS, now);
    expect(result.payload.cloudtrail).toHaveLength(own.length + 1);
    for (const trail of result.payload.cloudtrail) {
      expect(trail.arn).toMatch(/^arn:aws:cloudtrail:[a-z0-9-]+:\d{12}:trail\/[A-Za-z0-9._-]+$/);
      if (!trail.is_organization_trail) expect(trail.arn).toContain(`:${account.id}:trail/`);
      if (trail.latest_delivery_time && trail.start_logging_time) {
        expect(trail.start_logging_time <= trail.latest_delivery_time).toBe(true);
      }
      expect((trail.latest_delivery_time ?? '') <= now.toISOString()).toBe(true);
    }
  });

  it('gives every account of 20 trails, in several regions, one stopped trail and data-event trails', async () => {
    const results = await collectOrganization(20, now, window);
    expect(results.filter((r) => r.result.payload.cloudtrail.length > 0)).toHaveLength(20);
    const trails = results.flatMap((r) => r.result.payload.cloudtrail);
    expect(new Set(trails.map((t) => t.region))).toEqual(new Set(SAMPLE_REGIONS));
    const stopped = trails.filter((t) => !t.is_logging);
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    for (const trail of stopped) {
      expect(trail.stop_logging_time).not.toBeNull();
      expect(trail.latest_delivery_error).toBe('NoSuchBucket');
    }
    const dataOnly = trails.filter((t) => t.data_events && !t.management_events);
    expect(dataOnly.length).toBeGreaterThan(0);
    expect(dataOnly.every((t) => t.recent_events_count === null)).toBe(true);
    expect(trails.filter((t) => t.is_organization_trail)).toHaveLength(20);
  });

  it('is deterministic, and short-lived trails are replaced from one day to the next', async () => {
    const a = await collectFromSample(cloudtrailCollector, { simulators, window, now });
    const b = await collectFromSample(cloudtrailCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);

    const today = await collectOrganization(20, now, window);
    const tomorrow = await collectOrganization(20, nextDay, nextWindow);
    let gone = 0;
    let appeared = 0;
    today.forEach(({ result }, i) => {
      const next = arns(tomorrow[i]?.result.payload as CloudtrailPayload);
      const before = arns(result.payload);
      gone += [...before].filter((arn) => !next.has(arn)).length;
      appeared += [...next].filter((arn) => !before.has(arn)).length;
    });
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it('records an opt-in region the account has not enabled as SKIPPED', async () => {
    const regions = ['us-east-1', 'me-south-1'];
    const accounts = sampleAccounts(20, regions);
    const off = accounts.findIndex(
      (a) => a.environment === 'production' && !isRegionEnabled(a, 'me-south-1'),
    );
    expect(off).toBeGreaterThan(0);
    const results = await collectOrganization(20, now, window, regions);
    const result = results[off]?.result;
    expect(result?.regions?.['me-south-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result?.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result?.payload.cloudtrail.some((t) => t.is_organization_trail)).toBe(true);
  });

  it.each([
    ['not-enabled', SourceAccessError, 'UnrecognizedClientException'],
    ['access-denied', SourceAccessError, 'cloudtrail:DescribeTrails'],
    ['malformed', DataContractError, 'TrailARN'],
    ['throttle', TransientError, 'ThrottlingException'],
  ] as const)('answers the %s fault as AWS does', async (kind, type, text) => {
    const error = await collectFromSample(cloudtrailCollector, {
      simulators,
      window,
      now,
      faults: [{ category: 'cloudtrail', kind }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(text);
  });
});

describe('the sample CloudTrail validates requests as AWS does', () => {
  const accounts = sampleAccounts(12, SAMPLE_REGIONS);
  const member = accounts[6];
  if (!member) throw new Error('no account');
  const call = (operation: string, region: string, input: object, account = member): SampleCall => ({
    account,
    region,
    service: 'CloudTrail',
    operation,
    input,
    now,
    accounts,
    regions: SAMPLE_REGIONS,
  });
  const send = (operation: string, region: string, input: object, account = member) =>
    (cloudTrailSimulator.operations[operation] as (c: SampleCall) => object)(
      call(operation, region, input, account),
    );
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return (error as Error).name;
    }
    throw new Error('no error');
  };
  const org = organizationTrail(accounts, SAMPLE_REGIONS);
  const start = new Date('2026-11-25T00:00:00Z');
  const end = new Date('2026-11-25T23:59:59.999Z');

  it('shows an organization trail in a member account only as a shadow trail, found by its ARN', () => {
    const listed = (input: object, region = 'eu-west-1') =>
      (send('DescribeTrails', region, input) as { trailList: Array<{ TrailARN: string }> }).trailList.map(
        (t) => t.TrailARN,
      );
    expect(listed({})).toContain(org.arn);
    expect(listed({ includeShadowTrails: true })).toContain(org.arn);
    expect(listed({ includeShadowTrails: false })).not.toContain(org.arn);
    expect(listed({ includeShadowTrails: false }, 'us-east-1')).not.toContain(org.arn);
    expect(send('GetTrailStatus', 'eu-west-1', { Name: org.arn })).toMatchObject({ IsLogging: true });
    expect(errorOf(() => send('GetTrailStatus', 'us-east-1', { Name: org.name }))).toBe(
      'TrailNotFoundException',
    );
    expect(errorOf(() => send('GetTrailStatus', 'us-east-1', {}))).toBe('InvalidTrailNameException');
    expect(errorOf(() => send('GetEventSelectors', 'us-east-1', { TrailName: 'arn:aws:cloudtrail:x' }))).toBe(
      'CloudTrailARNInvalidException',
    );
    // The management account owns it: by name in its home region.
    expect(send('GetTrailStatus', 'us-east-1', { Name: org.name }, accounts[0])).toMatchObject({
      IsLogging: true,
    });
  });

  it('pages event history 50 at a time, latest first, and rejects what LookupEvents rejects', () => {
    const first = send('LookupEvents', 'us-east-1', { StartTime: start, EndTime: end, MaxResults: 50 }) as {
      Events: Array<{ EventTime: Date }>;
      NextToken?: string;
    };
    expect(first.Events).toHaveLength(50);
    const times = first.Events.map((e) => e.EventTime.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times.every((t) => t >= start.getTime() && t <= end.getTime())).toBe(true);
    const second = send('LookupEvents', 'us-east-1', {
      StartTime: start,
      EndTime: end,
      MaxResults: 50,
      NextToken: first.NextToken,
    }) as { Events: Array<{ EventTime: Date }> };
    expect((second.Events[0]?.EventTime.getTime() ?? 0) <= (times.at(-1) ?? 0)).toBe(true);
    expect(
      errorOf(() => send('LookupEvents', 'us-east-1', { StartTime: start, EndTime: end, MaxResults: 51 })),
    ).toBe('InvalidMaxResultsException');
    expect(errorOf(() => send('LookupEvents', 'us-east-1', { StartTime: end, EndTime: start }))).toBe(
      'InvalidTimeRangeException',
    );
    expect(errorOf(() => send('LookupEvents', 'us-east-1', { NextToken: 'made-up' }))).toBe(
      'InvalidNextTokenException',
    );
    expect(
      errorOf(() =>
        send('LookupEvents', 'us-east-1', {
          StartTime: new Date('2026-11-24T00:00:00Z'),
          EndTime: end,
          NextToken: first.NextToken,
        }),
      ),
    ).toBe('InvalidNextTokenException');
    // Event history keeps 90 days.
    expect(
      send('LookupEvents', 'us-east-1', {
        StartTime: new Date('2026-07-01T00:00:00Z'),
        EndTime: new Date('2026-07-31T23:59:59Z'),
      }),
    ).toEqual({ Events: [] });
  });
});

describe.each(databaseBackends())('sample CloudTrail data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads 20 accounts on two days: every account has trails, and replaced trails are marked removed', async () => {
    const load = async (day: Date, at: Window) => {
      for (const { account, result } of await collectOrganization(20, day, at)) {
        await db.sql.execute(
          'INSERT INTO accounts (id, account_name) VALUES (:id, :name) ON CONFLICT (id) DO NOTHING',
          { id: account.id, name: account.name },
        );
        await db.sql.transaction((tx) =>
          cloudtrailLoader.load(tx, result.payload, {
            accountId: account.id,
            window: at,
            runId: 'r-sample',
            seenAt: day,
            completeRegions: 'all',
          }),
        );
      }
    };
    await load(now, window);
    await load(nextDay, nextWindow);
    const perAccount = await db.sql.query<{ account_id: string; trails: number; regions: number }>(
      `SELECT account_id, COUNT(*)::int AS trails, COUNT(DISTINCT region)::int AS regions
       FROM cloudtrail_logs WHERE removed_at IS NULL GROUP BY account_id`,
    );
    expect(perAccount.length).toBeGreaterThanOrEqual(18);
    const [changes] = await db.sql.query<{ removed: number; added: number }>(
      `SELECT COUNT(*) FILTER (WHERE removed_at = CAST(:day AS timestamptz))::int AS removed,
              COUNT(*) FILTER (WHERE first_seen = CAST(:day AS timestamptz))::int AS added
       FROM cloudtrail_logs`,
      { day: nextDay },
    );
    expect(changes?.removed).toBeGreaterThan(0);
    expect(changes?.added).toBeGreaterThan(0);
  });
});
