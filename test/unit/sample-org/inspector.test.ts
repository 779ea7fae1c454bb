import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import {
  inspector2Simulator,
  inspectorStatus,
} from '../../../functions/adapters/local/sample-org/services/inspector2.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  activeFilter,
  type InspectorPayload,
  inactiveFilter,
  inspectorCollector,
  inspectorPayloadSchema,
} from '../../../functions/collectors/inspector.ts';
import { inspectorLoader } from '../../../functions/loaders/inspector.ts';
import { DataContractError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextDaily = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [inspector2Simulator];

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...inspector2Simulator,
    operations: Object.fromEntries(
      Object.entries(inspector2Simulator.operations).map(([name, answer]) => [
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

const activeArns = (payload: InspectorPayload) =>
  new Set(payload.inspector.filter((f) => f.status === 'ACTIVE').map((f) => f.finding_arn));

describe('inspector collector against the sample organization', () => {
  it('collects a production account: 60 to 200 active findings per region over several pages', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, account, stats } = await collectFromSample(inspectorCollector, {
      simulators: spied,
      window: daily,
      now,
    });
    expect(account.environment).toBe('production');
    expect(inspectorPayloadSchema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);

    const findings = result.payload.inspector;
    for (const region of SAMPLE_REGIONS) {
      const mine = findings.filter((f) => f.region === region);
      const active = mine.filter((f) => f.status === 'ACTIVE');
      expect(active.length).toBeGreaterThanOrEqual(60);
      expect(active.length).toBeLessThanOrEqual(200);
      const inRegion = calls.filter((c) => c.region === region);
      expect(inRegion.filter((c) => c.operation === 'BatchGetAccountStatus')).toHaveLength(1);
      const activePages = inRegion.filter(
        (c) => c.operation === 'ListFindings' && c.input.filterCriteria.updatedAt === undefined,
      );
      expect(activePages).toHaveLength(Math.ceil(active.length / 25));
      expect(activePages.slice(1).every((c) => typeof c.input.nextToken === 'string')).toBe(true);

      const inventory = regionInventory(account, region, SAMPLE_REGIONS, now);
      const instances = new Set(inventory.instances.map((i) => i.id));
      const functions = new Set(inventory.functions.map((f) => `${f.arn}:$LATEST`));
      for (const f of mine) {
        expect(f.finding_arn).toMatch(
          new RegExp(`^arn:aws:inspector2:${region}:${account.id}:finding/[0-9a-f]{32}$`),
        );
        expect(f.first_observed_at <= f.last_observed_at && f.last_observed_at <= now.toISOString()).toBe(
          true,
        );
        if (f.status !== 'ACTIVE') expect(f.updated_at?.slice(0, 10)).toBe('2026-11-25');
        if (f.status === 'ACTIVE' && f.resource_type === 'AWS_EC2_INSTANCE') {
          expect(instances.has(f.resource_id)).toBe(true);
        }
        if (f.status === 'ACTIVE' && f.resource_type === 'AWS_LAMBDA_FUNCTION') {
          expect(functions.has(f.resource_id)).toBe(true);
        }
        if (f.resource_type === 'AWS_ECR_CONTAINER_IMAGE') {
          expect(f.resource_id).toMatch(
            new RegExp(`^arn:aws:ecr:${region}:${account.id}:repository/[a-z-]+/[a-z]+/sha256:[0-9a-f]{64}$`),
          );
        }
        if (f.type === 'PACKAGE_VULNERABILITY') {
          expect(f.vulnerability_id).toMatch(/^CVE-\d{4}-\d+$/);
          expect(f.title).toBe(`${f.vulnerability_id} - ${f.package_name}`);
        }
      }
    }
    expect(new Set(findings.map((f) => f.severity))).toEqual(
      new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED']),
    );
    expect(new Set(findings.map((f) => f.status))).toEqual(new Set(['ACTIVE', 'CLOSED', 'SUPPRESSED']));
    expect(new Set(findings.map((f) => f.resource_type))).toEqual(
      new Set(['AWS_EC2_INSTANCE', 'AWS_ECR_CONTAINER_IMAGE', 'AWS_LAMBDA_FUNCTION']),
    );
    expect(new Set(findings.map((f) => f.type))).toEqual(
      new Set(['PACKAGE_VULNERABILITY', 'NETWORK_REACHABILITY']),
    );
    expect(findings.some((f) => f.exploit_available === 'YES' && f.fix_available === 'YES')).toBe(true);
    expect(findings.filter((f) => f.severity === 'UNTRIAGED').every((f) => f.inspector_score === null)).toBe(
      true,
    );
  });

  it('is deterministic, and findings come and go from one day to the next', async () => {
    const a = await collectFromSample(inspectorCollector, { simulators, window: daily, now });
    const b = await collectFromSample(inspectorCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);

    const next = await collectFromSample(inspectorCollector, { simulators, window: nextDaily, now: nextDay });
    const today = activeArns(a.result.payload);
    const tomorrow = activeArns(next.result.payload);
    const gone = [...today].filter((arn) => !tomorrow.has(arn));
    expect(gone.length).toBeGreaterThan(0);
    expect([...tomorrow].filter((arn) => !today.has(arn)).length).toBeGreaterThan(0);
    // The next day reports those it closed (fixed, or gone with their resource) or suppressed.
    const leftNext = next.result.payload.inspector.filter((f) => f.status !== 'ACTIVE');
    expect(leftNext.some((f) => gone.includes(f.finding_arn))).toBe(true);
  });

  it('closes the findings of an instance that was replaced, and reports them closed when it went', async () => {
    const account = sampleAccounts(12, SAMPLE_REGIONS)[6];
    if (!account) throw new Error('no account');
    const before = new Set(
      regionInventory(account, 'us-east-1', SAMPLE_REGIONS, now).instances.map((i) => i.id),
    );
    let day = nextDay.getTime();
    let replaced: string | undefined;
    for (; day < nextDay.getTime() + 60 * 86_400_000 && !replaced; day += 86_400_000) {
      const later = new Set(
        regionInventory(account, 'us-east-1', SAMPLE_REGIONS, new Date(day)).instances.map((i) => i.id),
      );
      replaced = [...before].find((id) => !later.has(id));
    }
    expect(replaced).toBeDefined();
    const at = new Date(day - 86_400_000);
    const start = at.toISOString().slice(0, 10);
    const previous = new Date(at.getTime() - 86_400_000);
    const window = { period: 'DAILY' as const, start: previous.toISOString().slice(0, 10), end: start };
    const dayBefore = await collectFromSample(inspectorCollector, { simulators, window, now: previous });
    const open = dayBefore.result.payload.inspector.filter(
      (f) => f.resource_id === replaced && f.status === 'ACTIVE',
    );
    expect(open.length).toBeGreaterThan(0);
    const after = await collectFromSample(inspectorCollector, {
      simulators,
      window: { period: 'DAILY', start, end: new Date(at.getTime() + 86_400_000).toISOString().slice(0, 10) },
      now: new Date(at.getTime() + 86_400_000),
    });
    const closed = after.result.payload.inspector.filter((f) => f.resource_id === replaced);
    expect(closed.map((f) => f.finding_arn).sort()).toEqual(open.map((f) => f.finding_arn).sort());
    expect(closed.every((f) => f.status === 'CLOSED' && f.updated_at?.startsWith(start))).toBe(true);
  });

  it('skips a sandbox account (Inspector not activated), and the region a development account keeps it off in', async () => {
    const accounts = sampleAccounts(40, SAMPLE_REGIONS);
    const sandbox = accounts.findIndex((a) => a.environment === 'sandbox');
    const partial = accounts.findIndex(
      (a) =>
        a.environment === 'development' &&
        SAMPLE_REGIONS.some((r) => inspectorStatus(a, r, SAMPLE_REGIONS) === 'DISABLED'),
    );
    expect(sandbox).toBeGreaterThan(0);
    expect(partial).toBeGreaterThan(0);

    const none = await collectFromSample(inspectorCollector, {
      simulators,
      window: daily,
      now,
      accounts: 40,
      accountIndex: sandbox,
    });
    expect(none.result.skippedReason).toBe(
      `Inspector2.BatchGetAccountStatus (us-east-1): Amazon Inspector is DISABLED for account ${none.account.id}`,
    );
    expect(none.result.payload).toEqual({ inspector: [] });

    const off = await collectFromSample(inspectorCollector, {
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
    expect(off.result.payload.inspector.some((f) => f.region === offRegion)).toBe(false);
    expect(off.result.payload.inspector.length).toBeGreaterThan(0);
  });

  it('answers the not-enabled, access-denied and malformed faults as AWS would', async () => {
    const notEnabled = await collectFromSample(inspectorCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'inspector', kind: 'not-enabled' }],
    });
    expect(notEnabled.result.skippedReason).toMatch(
      /Invoking account does not have access to get account status/,
    );
    await expect(
      collectFromSample(inspectorCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'inspector', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await collectFromSample(inspectorCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'inspector', kind: 'malformed' }],
    }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toMatch(
      /^response is missing BatchGetAccountStatus accounts\(\d{12}\)\.state\.status$/,
    );
  });
});

describe('the sample Inspector validates requests as AWS does', () => {
  const accounts = sampleAccounts(40, SAMPLE_REGIONS);
  const account = accounts[6];
  const sandbox = accounts.find((a) => a.environment === 'sandbox');
  if (!account || !sandbox) throw new Error('no account');
  const send = (operation: string, input: object, who = account, region = 'eu-west-1') =>
    (inspector2Simulator.operations[operation] as (c: SampleCall) => Record<string, unknown>)({
      account: who,
      region,
      service: 'Inspector2',
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

  it('serves at most 25 findings a page, fewer when asked, and pages with its token', () => {
    const filter = activeFilter(account.id);
    const first = send('ListFindings', { filterCriteria: filter, maxResults: 100 });
    expect(first.findings).toHaveLength(25);
    const second = send('ListFindings', {
      filterCriteria: filter,
      maxResults: 100,
      nextToken: first.nextToken,
    });
    const arnOf = (page: Record<string, unknown>) =>
      (page.findings as Array<{ findingArn: string }>)[0]?.findingArn;
    expect(arnOf(second)).not.toBe(arnOf(first));
    expect(send('ListFindings', { filterCriteria: filter, maxResults: 7 }).findings).toHaveLength(7);
  });

  it('honours the filters', () => {
    const critical = send('ListFindings', {
      filterCriteria: {
        ...activeFilter(account.id),
        severity: [{ comparison: 'EQUALS', value: 'CRITICAL' }],
      },
      maxResults: 100,
    }).findings as Array<{ severity: string; status: string }>;
    expect(critical.length).toBeGreaterThan(0);
    expect(critical.every((f) => f.severity === 'CRITICAL' && f.status === 'ACTIVE')).toBe(true);
    const inactive = send('ListFindings', {
      filterCriteria: inactiveFilter(account.id, {
        period: 'MONTHLY',
        start: '2026-11-01',
        end: '2026-12-01',
      }),
      maxResults: 100,
    }).findings as Array<{ status: string; updatedAt: Date }>;
    expect(inactive.length).toBeGreaterThan(0);
    expect(
      inactive.every((f) => f.status !== 'ACTIVE' && f.updatedAt.toISOString().startsWith('2026-11-')),
    ).toBe(true);
    const images = send('ListFindings', {
      filterCriteria: { resourceType: [{ comparison: 'PREFIX', value: 'AWS_ECR' }] },
      maxResults: 100,
    }).findings as Array<{ resources: Array<{ type: string }> }>;
    expect(images.every((f) => f.resources[0]?.type === 'AWS_ECR_CONTAINER_IMAGE')).toBe(true);
    expect(
      send('ListFindings', {
        filterCriteria: { awsAccountId: [{ comparison: 'EQUALS', value: '000000000000' }] },
      }).findings,
    ).toEqual([]);
  });

  it('reports the account status, and no status for another account', () => {
    expect(send('BatchGetAccountStatus', { accountIds: [account.id, '000000000000'] })).toEqual({
      accounts: [
        {
          accountId: account.id,
          state: { status: 'ENABLED' },
          resourceState: {
            ec2: { status: 'ENABLED' },
            ecr: { status: 'ENABLED' },
            lambda: { status: 'ENABLED' },
            lambdaCode: { status: 'DISABLED' },
          },
        },
      ],
      failedAccounts: [
        {
          accountId: '000000000000',
          errorCode: 'ACCESS_DENIED',
          errorMessage: 'The account is not a member of your organization in Amazon Inspector.',
        },
      ],
    });
    expect(send('BatchGetAccountStatus', {}, sandbox)).toMatchObject({
      accounts: [{ accountId: sandbox.id, state: { status: 'DISABLED' } }],
    });
  });

  it('rejects what Inspector rejects', () => {
    const filter = activeFilter(account.id);
    expect(errorOf(() => send('ListFindings', { filterCriteria: filter, maxResults: 101 }))).toEqual({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
    });
    expect(errorOf(() => send('ListFindings', { filterCriteria: filter, nextToken: 'made-up' }))).toEqual({
      name: 'ValidationException',
      message: 'The nextToken is not valid.',
    });
    const token = send('ListFindings', { filterCriteria: filter }).nextToken;
    expect(
      errorOf(() =>
        send('ListFindings', {
          filterCriteria: { ...filter, severity: [{ comparison: 'EQUALS', value: 'LOW' }] },
          nextToken: token,
        }),
      ).name,
    ).toBe('ValidationException');
    expect(
      errorOf(() =>
        send('ListFindings', { filterCriteria: { severity: [{ comparison: 'LIKE', value: 'LOW' }] } }),
      ).name,
    ).toBe('ValidationException');
    expect(
      errorOf(() =>
        send('ListFindings', { filterCriteria: { updatedAt: [{ startInclusive: '2026-11-01' }] } }),
      ).name,
    ).toBe('ValidationException');
    expect(errorOf(() => send('ListFindings', { filterCriteria: filter }, sandbox))).toEqual({
      name: 'AccessDeniedException',
      message: 'Invoking account does not have access to list findings.',
    });
  });
});

describe.each(databaseBackends())('inspector over 20 sample accounts on $name', (backend) => {
  const db = useDatabase(backend);

  it('fills the table for at least 18 of 20 accounts, in several regions, and a second day removes some', async () => {
    const skipped: string[] = [];
    for (const [day, window] of [
      [now, daily],
      [nextDay, nextDaily],
    ] as const) {
      for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
        const { result, account } = await collectFromSample(inspectorCollector, {
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
        const data = inspectorPayloadSchema.parse(result.payload);
        await db.sql.transaction((tx) =>
          inspectorLoader.load(tx, data, {
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
      active: number;
    }>(
      `SELECT count(DISTINCT account_id)::int AS accounts, count(DISTINCT region)::int AS regions,
         count(*) FILTER (WHERE removed_at >= CAST(:day2 AS timestamptz))::int AS removed,
         count(*) FILTER (WHERE removed_at IS NULL)::int AS active
       FROM inspector_findings`,
      { day2: nextDay },
    );
    expect(counts?.accounts).toBeGreaterThanOrEqual(18);
    expect(counts?.regions).toBe(3);
    expect(counts?.removed).toBeGreaterThan(0);
    expect(counts?.active).toBeGreaterThan(0);
  }, 120_000);
});
