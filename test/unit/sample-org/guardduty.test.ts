import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { accountBuckets, regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import {
  detectorId,
  guardDutyEnabled,
  guardDutySimulator,
} from '../../../functions/adapters/local/sample-org/services/guardduty.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  archivedCriteria,
  currentCriteria,
  type GuarddutyPayload,
  guarddutyCollector,
  guarddutyPayloadSchema,
} from '../../../functions/collectors/guardduty.ts';
import { guarddutyLoader } from '../../../functions/loaders/guardduty.ts';
import { DataContractError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextDaily = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [guardDutySimulator];

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...guardDutySimulator,
    operations: Object.fromEntries(
      Object.entries(guardDutySimulator.operations).map(([name, answer]) => [
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

const currentIds = (payload: GuarddutyPayload) =>
  new Set(payload.guard_duty.filter((f) => !f.archived).map((f) => f.id));

describe('guardduty collector against the sample organization', () => {
  it('collects a production account: tens of findings per region, about resources of its inventory', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, account, stats } = await collectFromSample(guarddutyCollector, {
      simulators: spied,
      window: daily,
      now,
      accountIndex: 3,
    });
    expect(account.environment).toBe('production');
    expect(guarddutyPayloadSchema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);

    const findings = result.payload.guard_duty;
    for (const region of SAMPLE_REGIONS) {
      const mine = findings.filter((f) => f.region === region);
      const current = mine.filter((f) => !f.archived).length;
      expect(current).toBeGreaterThanOrEqual(10);
      expect(current).toBeLessThanOrEqual(80);
      // The detector listing ends with an empty page; the findings need several pages of 10.
      const inRegion = calls.filter((c) => c.region === region);
      expect(
        inRegion.filter((c) => c.operation === 'ListDetectors').map((c) => c.input.NextToken === undefined),
      ).toEqual([true, false]);
      const currentPages = inRegion.filter(
        (c) => c.operation === 'ListFindings' && c.input.FindingCriteria.Criterion.updatedAt === undefined,
      );
      expect(currentPages).toHaveLength(Math.ceil(current / 10));
      expect(currentPages.slice(1).every((c) => typeof c.input.NextToken === 'string')).toBe(true);
      const detector = detectorId(account, region);
      expect(mine.every((f) => f.detector_id === detector)).toBe(true);
      const inventory = regionInventory(account, region, SAMPLE_REGIONS, now);
      const known = new Set([
        ...inventory.instances.map((i) => i.id),
        ...inventory.functions.map((f) => f.arn),
        ...inventory.databases.map((d) => d.arn),
        ...accountBuckets(account, SAMPLE_REGIONS, now)
          .filter((b) => b.region === region)
          .map((b) => `arn:aws:s3:::${b.name}`),
      ]);
      for (const f of mine) {
        expect(f.arn).toBe(`arn:aws:guardduty:${region}:${account.id}:detector/${detector}/finding/${f.id}`);
        expect(f.id).toMatch(/^[0-9a-f]{32}$/);
        expect(f.created_at <= f.updated_at && f.updated_at <= now.toISOString()).toBe(true);
        if (f.resource_type === 'AccessKey') expect(f.resource_id).toMatch(/^A[KS]IA[A-Z2-7]{16}$/);
        else expect(known.has(f.resource_id as string)).toBe(true);
        if (f.archived) expect(f.updated_at.slice(0, 10)).toBe('2026-11-25');
      }
    }
    expect(new Set(findings.map((f) => f.severity_label))).toEqual(
      new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
    );
    const gets = calls.filter((c) => c.operation === 'GetFindings');
    expect(gets.every((c) => c.input.FindingIds.length <= 50)).toBe(true);
    expect(gets.some((c) => c.input.FindingIds.length === 50)).toBe(true);
  });

  it('reports every severity level and resource type across the production accounts', async () => {
    const labels = new Set<string>();
    const types = new Set<string | null>();
    for (const accountIndex of [3, 4, 5, 7, 8, 9, 10, 11]) {
      const { result, account } = await collectFromSample(guarddutyCollector, {
        simulators,
        window: daily,
        now,
        accounts: 20,
        accountIndex,
      });
      expect(account.environment).toBe('production');
      for (const f of result.payload.guard_duty) {
        labels.add(f.severity_label);
        types.add(f.resource_type);
      }
    }
    expect(labels).toEqual(new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW']));
    expect(types).toEqual(new Set(['Instance', 'AccessKey', 'S3Bucket', 'Lambda', 'RDSDBInstance']));
  });

  it('is deterministic, and findings come and go from one day to the next', async () => {
    const a = await collectFromSample(guarddutyCollector, { simulators, window: daily, now });
    const b = await collectFromSample(guarddutyCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);

    const next = await collectFromSample(guarddutyCollector, { simulators, window: nextDaily, now: nextDay });
    const today = currentIds(a.result.payload);
    const tomorrow = currentIds(next.result.payload);
    const gone = [...today].filter((id) => !tomorrow.has(id));
    expect(gone.length).toBeGreaterThan(0);
    expect([...tomorrow].filter((id) => !today.has(id)).length).toBeGreaterThan(0);
    // Some of those gone were archived the next day; others went with their instance.
    const archivedNext = next.result.payload.guard_duty.filter((f) => f.archived).map((f) => f.id);
    expect(gone.some((id) => archivedNext.includes(id))).toBe(true);
    const instancesNext = new Set(
      SAMPLE_REGIONS.flatMap((r) =>
        regionInventory(a.account, r, SAMPLE_REGIONS, nextDay).instances.map((i) => i.id),
      ),
    );
    expect(
      a.result.payload.guard_duty.some(
        (f) =>
          gone.includes(f.id) &&
          f.resource_type === 'Instance' &&
          !instancesNext.has(f.resource_id as string),
      ),
    ).toBe(true);
  });

  it('skips a sandbox account (GuardDuty off), and the region a development account keeps it off in', async () => {
    const accounts = sampleAccounts(40, SAMPLE_REGIONS);
    const sandbox = accounts.findIndex((a) => a.environment === 'sandbox');
    const partial = accounts.findIndex(
      (a) =>
        SAMPLE_REGIONS.some((r) => !guardDutyEnabled(a, r, SAMPLE_REGIONS)) &&
        a.environment === 'development',
    );
    expect(sandbox).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(0);

    const none = await collectFromSample(guarddutyCollector, {
      simulators,
      window: daily,
      now,
      accounts: 40,
      accountIndex: sandbox,
    });
    expect(none.result.skippedReason).toBe(
      'GuardDuty.ListDetectors (us-east-1): no detector, GuardDuty is not enabled',
    );
    expect(none.result.payload).toEqual({ guard_duty: [] });

    const off = await collectFromSample(guarddutyCollector, {
      simulators,
      window: daily,
      now,
      accounts: 40,
      accountIndex: partial,
    });
    const offRegion = SAMPLE_REGIONS.at(-1) as string;
    expect(off.result.regions?.[offRegion]).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(off.result.skippedReason).toBeUndefined();
    expect(off.result.payload.guard_duty.some((f) => f.region === offRegion)).toBe(false);
    expect(off.result.payload.guard_duty.length).toBeGreaterThan(0);
  });

  it('answers the not-enabled, access-denied and malformed faults as AWS would', async () => {
    const notEnabled = await collectFromSample(guarddutyCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'guardduty', kind: 'not-enabled' }],
    });
    expect(notEnabled.result.skippedReason).toMatch(/detectorId is not owned by the current account/);
    await expect(
      collectFromSample(guarddutyCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'guardduty', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await collectFromSample(guarddutyCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'guardduty', kind: 'malformed' }],
    }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toBe('response is missing ListDetectors DetectorIds');
  });
});

describe('the sample GuardDuty validates requests as AWS does', () => {
  const accounts = sampleAccounts(12, SAMPLE_REGIONS);
  const account = accounts[6];
  if (!account) throw new Error('no account');
  const region = 'eu-west-1';
  const detector = detectorId(account, region);
  const send = (operation: string, input: object) =>
    (guardDutySimulator.operations[operation] as (c: SampleCall) => Record<string, unknown>)({
      account,
      region,
      service: 'GuardDuty',
      operation,
      input,
      now,
      accounts,
      regions: SAMPLE_REGIONS,
    });
  const errorOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return { name: (error as Error).name, message: (error as Error).message };
    }
    throw new Error('no error');
  };
  const OUT_OF_RANGE = {
    name: 'BadRequestException',
    message:
      'The request is rejected because an invalid or out-of-range value is specified as an input parameter.',
  };

  it('serves at most 10 ids a page, fewer when asked, and pages with its token', () => {
    const criteria = { Criterion: currentCriteria() };
    const first = send('ListFindings', { DetectorId: detector, FindingCriteria: criteria, MaxResults: 50 });
    expect(first.FindingIds).toHaveLength(10);
    const second = send('ListFindings', {
      DetectorId: detector,
      FindingCriteria: criteria,
      MaxResults: 50,
      NextToken: first.NextToken,
    });
    expect((second.FindingIds as string[])[0]).not.toBe((first.FindingIds as string[])[0]);
    expect(
      send('ListFindings', { DetectorId: detector, FindingCriteria: criteria, MaxResults: 3 }).FindingIds,
    ).toHaveLength(3);
  });

  it('honours the criteria, and GetFindings returns the findings it listed', () => {
    const high = send('ListFindings', {
      DetectorId: detector,
      FindingCriteria: { Criterion: { severity: { GreaterThanOrEqual: 5 } } },
      MaxResults: 10,
    }).FindingIds as string[];
    const found = send('GetFindings', { DetectorId: detector, FindingIds: [...high, 'not-a-finding'] })
      .Findings as Array<{
      Id: string;
      Severity: number;
    }>;
    expect(found.map((f) => f.Id)).toEqual(high);
    expect(found.every((f) => f.Severity >= 5)).toBe(true);
    const archived = send('ListFindings', {
      DetectorId: detector,
      FindingCriteria: {
        Criterion: archivedCriteria({ period: 'MONTHLY', start: '2026-11-01', end: '2026-12-01' }),
      },
      MaxResults: 50,
    }).FindingIds as string[];
    const details = send('GetFindings', { DetectorId: detector, FindingIds: archived.slice(0, 50) })
      .Findings as Array<{
      Service: { Archived: boolean };
      UpdatedAt: string;
    }>;
    expect(details.length).toBeGreaterThan(0);
    expect(details.every((f) => f.Service.Archived && f.UpdatedAt.startsWith('2026-11-'))).toBe(true);
  });

  it('rejects what GuardDuty rejects', () => {
    const criteria = { Criterion: currentCriteria() };
    expect(errorOf(() => send('ListDetectors', { MaxResults: 51 }))).toEqual(OUT_OF_RANGE);
    expect(errorOf(() => send('ListFindings', { DetectorId: detector, MaxResults: 51 }))).toEqual(
      OUT_OF_RANGE,
    );
    expect(errorOf(() => send('ListFindings', { DetectorId: detector, NextToken: 'made-up' }))).toEqual(
      OUT_OF_RANGE,
    );
    const token = send('ListFindings', { DetectorId: detector, FindingCriteria: criteria }).NextToken;
    expect(errorOf(() => send('ListFindings', { DetectorId: detector, NextToken: token }))).toEqual(
      OUT_OF_RANGE,
    );
    expect(errorOf(() => send('ListFindings', { DetectorId: 'f'.repeat(32) }))).toEqual({
      name: 'BadRequestException',
      message: 'The request is rejected because the input detectorId is not owned by the current account.',
    });
    expect(errorOf(() => send('ListFindings', {})).name).toBe('BadRequestException');
    expect(
      errorOf(() =>
        send('ListFindings', {
          DetectorId: detector,
          FindingCriteria: { Criterion: { severity: { Equals: ['5'] } } },
        }),
      ),
    ).toEqual(OUT_OF_RANGE);
    expect(
      errorOf(() =>
        send('GetFindings', {
          DetectorId: detector,
          FindingIds: Array.from({ length: 51 }, (_, i) => `${i}`),
        }),
      ),
    ).toEqual(OUT_OF_RANGE);
    expect(errorOf(() => send('GetFindings', { DetectorId: detector })).name).toBe('BadRequestException');
  });
});

describe.each(databaseBackends())('guardduty over 20 sample accounts on $name', (backend) => {
  const db = useDatabase(backend);

  it('fills the table for at least 18 of 20 accounts, in several regions, and a second day removes some', async () => {
    const skipped: string[] = [];
    for (const [day, window] of [
      [now, daily],
      [nextDay, nextDaily],
    ] as const) {
      for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
        const { result, account } = await collectFromSample(guarddutyCollector, {
          simulators,
          window,
          now: day,
          accounts: 20,
          accountIndex,
        });
        if (day === now) {
          await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
            id: account.id,
            name: account.name,
          });
        }
        if (result.skippedReason !== undefined) {
          if (day === now) skipped.push(account.environment);
          continue;
        }
        const complete = Object.entries(result.regions ?? {})
          .filter(([, o]) => o.status === 'SUCCEEDED')
          .map(([r]) => r);
        const data = guarddutyPayloadSchema.parse(result.payload);
        await db.sql.transaction((tx) =>
          guarddutyLoader.load(tx, data, {
            accountId: account.id,
            window,
            runId: `r-${window.start}`,
            seenAt: day,
            completeRegions: complete,
          }),
        );
      }
    }
    expect(skipped).toEqual(['sandbox']);
    const [counts] = await db.sql.query<{
      accounts: number;
      regions: number;
      removed: number;
      current: number;
    }>(
      `SELECT count(DISTINCT account_id)::int AS accounts, count(DISTINCT region)::int AS regions,
         count(*) FILTER (WHERE removed_at >= CAST(:day2 AS timestamptz))::int AS removed,
         count(*) FILTER (WHERE removed_at IS NULL)::int AS current
       FROM guard_duty_findings`,
      { day2: nextDay },
    );
    expect(counts?.accounts).toBeGreaterThanOrEqual(18);
    expect(counts?.regions).toBe(3);
    expect(counts?.removed).toBeGreaterThan(0);
    expect(counts?.current).toBeGreaterThan(0);
  }, 120_000);
});
