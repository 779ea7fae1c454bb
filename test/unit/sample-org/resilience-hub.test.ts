import {
  DescribeAppAssessmentCommand,
  DescribeAppCommand,
  DescribeResiliencyPolicyCommand,
  ListAppAssessmentsCommand,
  ListAppsCommand,
  ResiliencehubClient,
} from '@aws-sdk/client-resiliencehub';
import type { RetryStrategyV2 } from '@smithy/types';
import { describe, expect, it } from 'vitest';
import { type ClientFactoryOptions, createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { type Fault, SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  resilienceHubSimulator,
  sampleApps,
  sampleAssessments,
} from '../../../functions/adapters/local/sample-org/services/resiliencehub.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { LAST_DRILL_NOTE, resilienceHubCollector } from '../../../functions/collectors/resilience-hub.ts';
import type { CallStats } from '../../../functions/collectors/types.ts';
import { resilienceHubLoader } from '../../../functions/loaders/resilience-hub.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { silentLog } from '../../support/collect-context.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const DAY_MS = 86_400_000;

/**
 * The organization's client options for the Resilience Hub client. Its SDK build is older than the others: its
 * retry middleware asks the retry strategy for a token without a scope, which the current strategies read, so
 * the scope defaults to the empty string here (the shared factory should do the same: see the category report).
 */
function clientOptions(org: SampleOrganization): ClientFactoryOptions {
  const options = org.clientOptions();
  const strategy = options.retryStrategy as RetryStrategyV2;
  return {
    ...options,
    retryStrategy: {
      acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope ?? ''),
      refreshRetryTokenForRetry: (token, error) => strategy.refreshRetryTokenForRetry(token, error),
      recordSuccess: (token) => strategy.recordSuccess(token),
    },
  };
}

/** Collects one account of a sample organization through real SDK clients, recording the calls answered. */
async function collect(
  options: { accountIndex?: number; accounts?: number; at?: Date; faults?: Fault[]; regions?: string[] } = {},
) {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...resilienceHubSimulator,
    operations: Object.fromEntries(
      Object.entries(resilienceHubSimulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  };
  const at = options.at ?? now;
  const regions = options.regions ?? SAMPLE_REGIONS;
  const org = new SampleOrganization({
    accounts: options.accounts ?? 12,
    regions,
    simulators: [spy],
    faults: options.faults ?? [],
    clock: { now: () => at },
  });
  const account = org.accounts[options.accountIndex ?? 6];
  if (!account) throw new Error('no sample account');
  const stats: CallStats = { apiCalls: 0, throttled: 0 };
  const clients = createClientFactory(
    clientOptions(org),
    { accountId: account.id, category: 'resilience-hub', runId: 'r-sample' },
    stats,
  );
  const result = await resilienceHubCollector.collect({
    accountId: account.id,
    window,
    regions,
    homeRegion: 'us-east-1',
    clients,
    now: at,
    log: silentLog,
  });
  return { result, calls, stats, account, org };
}

describe('resilience-hub collector against the sample organization', () => {
  it('collects the apps of an account, their policy and latest successful assessment', async () => {
    const { result, calls, stats, account } = await collect();
    expect(account.environment).toBe('production');
    expect(resilienceHubCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const apps = result.payload.apps;
    expect(apps.length).toBeGreaterThan(0);
    expect(result.payload.last_drill_note).toBe(LAST_DRILL_NOTE);
    for (const app of apps) {
      expect(app.app_arn).toMatch(
        new RegExp(`^arn:aws:resiliencehub:${app.region}:${account.id}:app/[0-9a-f-]{36}$`),
      );
      expect(app.name.startsWith('checkout-')).toBe(true);
      expect(app.creation_time <= now.toISOString()).toBe(true);
      expect(app.last_drill).toBeNull();
      expect(app.policy_tier).toMatch(/^(MissionCritical|Critical|Important)$/);
      expect(app.rto).toBe(app.policy_objectives.find((o) => o.disruption_type === 'AZ')?.rto_in_secs);
      if (app.assessment_arn) {
        expect(app.last_assessment_time && app.last_assessment_time > app.creation_time).toBe(true);
        expect(app.assessment_compliance.map((c) => c.disruption_type)).toEqual(
          app.policy_objectives.map((o) => o.disruption_type),
        );
        // The app is compliant exactly when every disruption type meets its objectives.
        const met = app.assessment_compliance.every((c) => c.compliance_status === 'PolicyMet');
        if (app.compliance_status !== 'ChangesDetected') {
          expect(app.compliance_status).toBe(met ? 'PolicyMet' : 'PolicyBreached');
        }
        for (const c of app.assessment_compliance) {
          const objective = app.policy_objectives.find((o) => o.disruption_type === c.disruption_type);
          const within =
            (c.current_rto_in_secs ?? 0) <= (objective?.rto_in_secs ?? 0) &&
            (c.current_rpo_in_secs ?? 0) <= (objective?.rpo_in_secs ?? 0);
          expect(c.compliance_status).toBe(within ? 'PolicyMet' : 'PolicyBreached');
        }
      } else {
        expect(app.compliance_status).toBe('NotAssessed');
      }
    }
    // Apps of a region that share a policy have it described once.
    const policies = calls.filter((c) => c.operation === 'DescribeResiliencyPolicy');
    expect(new Set(policies.map((c) => `${c.region}|${c.input.policyArn}`)).size).toBe(policies.length);
  });

  it('pages through the apps of a region that has several', async () => {
    let found: Awaited<ReturnType<typeof collect>> | undefined;
    for (let accountIndex = 5; accountIndex < 20 && !found; accountIndex++) {
      const attempt = await collect({ accountIndex, accounts: 20 });
      const pages = attempt.calls.filter((c) => c.operation === 'ListApps' && c.region === 'us-east-1');
      if (pages.length >= 2) found = attempt;
    }
    expect(found).toBeDefined();
    const pages = (found?.calls ?? []).filter((c) => c.operation === 'ListApps' && c.region === 'us-east-1');
    expect(pages.slice(1).every((c) => typeof c.input.nextToken === 'string')).toBe(true);
    expect(found?.result.payload.apps.filter((a) => a.region === 'us-east-1').length).toBeGreaterThanOrEqual(
      3,
    );
  });

  it('is deterministic, and apps are replaced from one day to the next across the organization', async () => {
    const a = await collect();
    const b = await collect();
    expect(a.result.payload).toEqual(b.result.payload);
    let gone = 0;
    let appeared = 0;
    for (let day = 0; day < 3; day++) {
      const today = new Date(now.getTime() + day * DAY_MS);
      const tomorrow = new Date(today.getTime() + DAY_MS);
      for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
        const before = new Set(
          (await collect({ accountIndex, accounts: 20, at: today })).result.payload.apps.map(
            (x) => x.app_arn,
          ),
        );
        const after = new Set(
          (await collect({ accountIndex, accounts: 20, at: tomorrow })).result.payload.apps.map(
            (x) => x.app_arn,
          ),
        );
        gone += [...before].filter((arn) => !after.has(arn)).length;
        appeared += [...after].filter((arn) => !before.has(arn)).length;
      }
    }
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it('has apps in at least 18 of the first 20 accounts, production ones with one to three', async () => {
    let withApps = 0;
    for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
      const { result, account } = await collect({ accountIndex, accounts: 20 });
      if (result.rows > 0) withApps += 1;
      const home = result.payload.apps.filter((a) => a.region === 'us-east-1').length;
      expect(home).toBeLessThanOrEqual(account.environment === 'production' ? 3 : 2);
    }
    expect(withApps).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(collect({ faults: [{ category: 'resilience-hub', kind }] })).rejects.toBeInstanceOf(type);
  });

  describe('the Resilience Hub API as the simulator serves it', () => {
    const org = new SampleOrganization({
      accounts: 12,
      regions: SAMPLE_REGIONS,
      simulators: [resilienceHubSimulator],
      clock: { now: () => now },
    });
    const account = org.accounts[6];
    if (!account) throw new Error('no sample account');
    const client = createClientFactory(
      clientOptions(org),
      { accountId: account.id, category: 'resilience-hub', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(ResiliencehubClient, 'us-east-1');
    const [app] = sampleApps(account, 'us-east-1', SAMPLE_REGIONS, now);
    if (!app) throw new Error('no sample app');

    it('lists assessments oldest first, or newest first, filtered on status', async () => {
      const all = sampleAssessments(app, now);
      const ascending = await client.send(
        new ListAppAssessmentsCommand({ appArn: app.arn, maxResults: 100 }),
      );
      const starts = (ascending.assessmentSummaries ?? []).map((a) => a.startTime?.getTime() ?? 0);
      expect(starts).toEqual([...starts].sort((a, b) => a - b));
      expect(ascending.assessmentSummaries?.length).toBe(Math.min(all.length, 20));
      const latest = await client.send(
        new ListAppAssessmentsCommand({
          appArn: app.arn,
          assessmentStatus: ['Success'],
          reverseOrder: true,
          maxResults: 1,
        }),
      );
      const summary = latest.assessmentSummaries?.[0];
      expect(summary?.assessmentStatus).toBe('Success');
      const described = await client.send(
        new DescribeAppAssessmentCommand({ assessmentArn: summary?.assessmentArn as string }),
      );
      expect(described.assessment?.appArn).toBe(app.arn);
      expect(described.assessment?.policy?.policyArn).toBe(app.policy.arn);
    });

    it('rejects what Resilience Hub rejects', async () => {
      const missing = `arn:aws:resiliencehub:us-east-1:${account.id}:app/00000000-0000-4000-a000-000000000000`;
      await expect(client.send(new DescribeAppCommand({ appArn: missing }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      await expect(client.send(new ListAppAssessmentsCommand({ appArn: missing }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
      await expect(
        client.send(new DescribeResiliencyPolicyCommand({ policyArn: `${app.policy.arn}x` })),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      await expect(client.send(new ListAppsCommand({ maxResults: 101 }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(client.send(new ListAppsCommand({ nextToken: 'made-up' }))).rejects.toMatchObject({
        name: 'ValidationException',
      });
      // The app is not in another Region.
      const eu = createClientFactory(
        clientOptions(org),
        { accountId: account.id, category: 'resilience-hub', runId: 'r-direct-eu' },
        { apiCalls: 0, throttled: 0 },
      ).client(ResiliencehubClient, 'eu-west-1');
      await expect(eu.send(new DescribeAppCommand({ appArn: app.arn }))).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    });
  });
});

describe.each(databaseBackends())('sample Resilience Hub data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads an account exactly as collected', async () => {
    const { result, account } = await collect();
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    const written = await db.sql.transaction((tx) =>
      resilienceHubLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    expect(written).toBe(result.payload.apps.length);
    const rows = await db.sql.query<{ app_arn: string; resiliency_score: string | null; rto: number | null }>(
      'SELECT app_arn, resiliency_score, rto FROM resilience_hub_apps WHERE account_id = :a ORDER BY app_arn',
      { a: account.id },
    );
    expect(rows).toEqual(
      [...result.payload.apps]
        .sort((a, b) => a.app_arn.localeCompare(b.app_arn))
        .map((app) => ({
          app_arn: app.app_arn,
          resiliency_score: app.resiliency_score === null ? null : app.resiliency_score.toFixed(2),
          rto: app.rto,
        })),
    );
  });
});
