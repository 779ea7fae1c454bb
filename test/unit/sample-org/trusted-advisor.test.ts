import {
  GetRecommendationCommand,
  ListChecksCommand,
  ListRecommendationsCommand,
  type ListRecommendationsCommandInput,
  TrustedAdvisorClient,
} from '@aws-sdk/client-trustedadvisor';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  computeOptimizerSimulator,
  volumeMonthly,
} from '../../../functions/adapters/local/sample-org/services/compute-optimizer.ts';
import { trustedAdvisorSimulator } from '../../../functions/adapters/local/sample-org/services/trustedadvisor.ts';
import { computeOptimizerCollector } from '../../../functions/collectors/compute-optimizer.ts';
import {
  type TrustedAdvisorPayload,
  trustedAdvisorCollector,
} from '../../../functions/collectors/trusted-advisor.ts';
import { trustedAdvisorLoader } from '../../../functions/loaders/trusted-advisor.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
} from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [trustedAdvisorSimulator];

const named = (payload: TrustedAdvisorPayload, name: string) => {
  const found = payload.recommendations.find((r) => r.check_name === name && r.type === 'standard');
  if (!found) throw new Error(`no recommendation "${name}"`);
  return found;
};

/** Collects the first 20 accounts on a day. */
async function organizationOn(at: Date) {
  const results = [];
  for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
    results.push(
      await collectFromSample(trustedAdvisorCollector, {
        simulators,
        window: daily,
        now: at,
        accounts: 20,
        accountIndex,
      }).then(
        (collected) => ({ accountIndex, collected }),
        (error: unknown) => ({ accountIndex, error }),
      ),
    );
  }
  return results;
}

describe('trusted-advisor collector against the sample organization', () => {
  it("reports every pillar of a production account's checks, over several pages, from us-east-1", async () => {
    const { result, stats, account } = await collectFromSample(trustedAdvisorCollector, {
      simulators,
      window: daily,
      now,
    });
    expect(account.environment).toBe('production');
    expect(trustedAdvisorCollector.schema.safeParse(result.payload).success).toBe(true);
    // The snapshot carries it as JSON: nothing is lost on the way.
    expect(JSON.parse(JSON.stringify(result.payload))).toEqual(result.payload);
    const recs = result.payload.recommendations;
    // At least three pages of checks and three of recommendations.
    expect(stats.apiCalls).toBeGreaterThanOrEqual(6);
    expect(new Set(recs.map((r) => r.category))).toEqual(
      new Set([
        'cost_optimizing',
        'security',
        'fault_tolerance',
        'performance',
        'service_limits',
        'operational_excellence',
      ]),
    );
    expect(new Set(recs.map((r) => r.severity))).toEqual(new Set(['ok', 'warning', 'error']));
    const sources = new Set(recs.filter((r) => r.type === 'standard').map((r) => r.source));
    expect(sources).toEqual(new Set(['ta_check', 'compute_optimizer', 'security_hub']));
    for (const r of recs) {
      expect(r.recommendation_arn).toBe(
        `arn:aws:trustedadvisor::${account.id}:recommendation/${r.recommendation_id}`,
      );
      expect(r.affected_resources_count).toBe(r.warning_count + r.error_count);
      expect(r.severity).toBe(r.error_count > 0 ? 'error' : r.warning_count > 0 ? 'warning' : 'ok');
      expect(r.recommendation.length).toBeGreaterThan(40);
      if (r.category === 'cost_optimizing' && r.type === 'standard') {
        expect(r.potential_savings).toBeGreaterThanOrEqual(0);
        expect(r.potential_savings_percentage).toBeLessThanOrEqual(100);
        if (r.affected_resources_count === 0) expect(r.potential_savings).toBe(0);
      } else if (r.type === 'standard') {
        expect(r.potential_savings).toBeNull();
      }
    }
  });

  it('flags and prices what the shared inventory and Compute Optimizer show', async () => {
    const ta = await collectFromSample(trustedAdvisorCollector, { simulators, window: daily, now });
    const co = await collectFromSample(computeOptimizerCollector, {
      simulators: [computeOptimizerSimulator],
      window: daily,
      now,
    });
    const { account, org } = ta;
    const inventories = SAMPLE_REGIONS.map((region) => ({
      region,
      inventory: regionInventory(account, region, org.regions, now),
    }));

    const unattached = inventories.flatMap(({ region, inventory }) =>
      inventory.volumes.filter((v) => v.instanceId === null).map((v) => ({ region, v })),
    );
    const ebs = named(ta.result.payload, 'Underutilized Amazon EBS Volumes');
    expect(ebs.warning_count).toBe(unattached.length);
    expect(ebs.potential_savings).toBeCloseTo(
      unattached.reduce(
        (sum, { region, v }) => sum + volumeMonthly(v.volumeType, v.sizeGb, v.iops, region),
        0,
      ),
      2,
    );

    const running = new Set(
      inventories.flatMap(({ inventory }) =>
        inventory.instances.filter((i) => i.state === 'running').map((i) => i.id),
      ),
    );
    const idle = co.result.payload.recommendations.filter(
      (r) =>
        r.resource_type === 'EC2' &&
        r.finding === 'Overprovisioned' &&
        (r.cpu_utilization_max ?? 100) < 20 &&
        running.has(r.resource_arn.split('/')[1] ?? ''),
    );
    expect(named(ta.result.payload, 'Low Utilization Amazon EC2 Instances').warning_count).toBe(idle.length);

    const overMemory = co.result.payload.recommendations.filter(
      (r) => r.finding_reasons.includes('MemoryOverprovisioned') && r.resource_type === 'Lambda',
    );
    const lambda = named(ta.result.payload, 'AWS Lambda over-provisioned functions for memory size');
    expect(lambda.warning_count).toBe(overMemory.length);
    expect(lambda.potential_savings).toBeCloseTo(
      overMemory.reduce((sum, r) => sum + (r.estimated_monthly_savings_usd ?? 0), 0),
      0,
    );

    const singleAz = inventories.flatMap(({ inventory }) => inventory.databases.filter((d) => !d.multiAz));
    const multiAz = named(ta.result.payload, 'Amazon RDS Multi-AZ');
    expect(multiAz.warning_count + (multiAz.excluded_count ?? 0)).toBe(singleAz.length);
  });

  it('keeps Trusted Advisor Priority recommendations of Enterprise accounts moving through their lifecycle', async () => {
    const results = await organizationOn(now);
    const priority = results.flatMap((r) =>
      'collected' in r ? r.collected.result.payload.recommendations.filter((x) => x.type === 'priority') : [],
    );
    expect(priority.length).toBeGreaterThan(5);
    expect(new Set(priority.map((p) => p.lifecycle_stage))).toEqual(
      new Set(['pending_response', 'in_progress', 'resolved', 'dismissed']),
    );
    for (const p of priority) {
      expect(p.recommendation_created_at).not.toBeNull();
      expect((p.recommendation_created_at ?? '') <= now.toISOString()).toBe(true);
      if (p.lifecycle_stage === 'resolved') {
        expect(p.severity).toBe('ok');
        expect(p.resolved_at !== null && p.resolved_at > (p.recommendation_created_at ?? '')).toBe(true);
        expect((p.resolved_at ?? '') <= now.toISOString()).toBe(true);
      } else {
        expect(p.resolved_at).toBeNull();
      }
    }
    for (const r of results) {
      if (!('collected' in r)) continue;
      const { account, result } = r.collected;
      if (account.environment !== 'production' && account.environment !== 'management') {
        expect(result.payload.recommendations.some((x) => x.type === 'priority')).toBe(false);
      }
    }
  });

  it('has rows for at least 18 of the first 20 accounts; a sandbox on Basic Support is SKIPPED', async () => {
    const results = await organizationOn(now);
    const withRows = results.filter(
      (r) => 'collected' in r && r.collected.result.payload.recommendations.length > 0,
    ).length;
    const skipped = results.filter((r) => 'error' in r && r.error instanceof ServiceNotEnabledError);
    expect(withRows).toBeGreaterThanOrEqual(18);
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped.length).toBeLessThanOrEqual(2);
    expect(withRows + skipped.length).toBe(20);
    expect((skipped[0] as { error: Error }).error.message).toBe(
      'TrustedAdvisor.ListChecks (us-east-1): AccessDeniedException: Access denied due to support level',
    );
  });

  it('changes from one day to the next: recommendations disappear and appear, statuses move', async () => {
    const ids = (results: Awaited<ReturnType<typeof organizationOn>>) =>
      new Set(
        results.flatMap((r) =>
          'collected' in r ? r.collected.result.payload.recommendations.map((x) => x.recommendation_id) : [],
        ),
      );
    const day1 = await organizationOn(now);
    const day2 = await organizationOn(new Date('2026-11-27T06:00:00Z'));
    const one = ids(day1);
    const two = ids(day2);
    expect([...one].filter((id) => !two.has(id)).length).toBeGreaterThan(0);
    expect([...two].filter((id) => !one.has(id)).length).toBeGreaterThan(0);
    const counts = (results: Awaited<ReturnType<typeof organizationOn>>) =>
      new Map(
        results.flatMap((r) =>
          'collected' in r
            ? r.collected.result.payload.recommendations
                .filter((x) => x.type === 'standard')
                .map((x) => [
                  x.recommendation_id,
                  `${x.severity} ${x.ok_count}/${x.warning_count}/${x.error_count}`,
                ])
            : [],
        ),
      );
    const before = counts(day1);
    const after = counts(day2);
    expect(
      [...before].filter(([id, state]) => after.has(id) && after.get(id) !== state).length,
    ).toBeGreaterThan(0);
    const a = await collectFromSample(trustedAdvisorCollector, { simulators, window: daily, now });
    const b = await collectFromSample(trustedAdvisorCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('answers the not-enabled, access-denied and malformed faults as the Trusted Advisor API does', async () => {
    const fault = (kind: 'not-enabled' | 'access-denied' | 'malformed') =>
      collectFromSample(trustedAdvisorCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'trusted-advisor', kind }],
      }).catch((e: unknown) => e);
    const notEnabled = await fault('not-enabled');
    expect(notEnabled).toBeInstanceOf(ServiceNotEnabledError);
    expect((notEnabled as Error).message).toMatch(/support level/);
    expect(await fault('access-denied')).toBeInstanceOf(SourceAccessError);
    const malformed = await fault('malformed');
    expect(malformed).toBeInstanceOf(DataContractError);
  });

  describe('loaded on consecutive days', () => {
    for (const backend of databaseBackends()) {
      describe(backend.name, () => {
        const db = useDatabase(backend);
        it('marks the Priority recommendations that left removed the next day', async () => {
          const days = [new Date('2026-11-26T06:00:00Z'), new Date('2026-11-27T06:00:00Z')];
          const org = new SampleOrganization({ accounts: 20, regions: SAMPLE_REGIONS, simulators });
          const enterprise = org.accounts.filter((a) => a.environment === 'production');
          let removed = 0;
          for (const account of enterprise) {
            await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, 'sample')`, {
              id: account.id,
            });
            for (const at of days) {
              const { result } = await collectFromSample(trustedAdvisorCollector, {
                simulators,
                window: daily,
                now: at,
                accounts: 20,
                accountIndex: account.index,
              });
              await db.sql.transaction((tx) =>
                trustedAdvisorLoader.load(tx, result.payload, {
                  accountId: account.id,
                  window: daily,
                  runId: 'r',
                  seenAt: at,
                  completeRegions: 'all',
                }),
              );
            }
            const [row] = await db.sql.query<{ removed: number; standard_removed: number }>(
              `SELECT count(*) FILTER (WHERE removed_at IS NOT NULL)::int AS removed,
                      count(*) FILTER (WHERE removed_at IS NOT NULL AND type = 'standard')::int AS standard_removed
               FROM trusted_advisor_checks WHERE account_id = :a`,
              { a: account.id },
            );
            expect(row?.standard_removed).toBe(0);
            removed += row?.removed ?? 0;
          }
          expect(removed).toBeGreaterThan(0);
        });
      });
    }
  });

  describe('the Trusted Advisor API as the simulator serves it', () => {
    const org = new SampleOrganization({
      accounts: 12,
      regions: SAMPLE_REGIONS,
      simulators,
      clock: { now: () => now },
    });
    const account = org.accounts[6];
    if (!account) throw new Error('no sample account');
    const client = createClientFactory(
      org.clientOptions(),
      { accountId: account.id, category: 'trusted-advisor', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(TrustedAdvisorClient, 'us-east-1');
    const list = (input: ListRecommendationsCommandInput) =>
      client.send(new ListRecommendationsCommand(input));

    it('serves at most 10 a page, pages with its token and filters', async () => {
      const first = await list({ maxResults: 200 });
      expect(first.recommendationSummaries).toHaveLength(10);
      const second = await list({ maxResults: 200, nextToken: first.nextToken });
      expect(second.recommendationSummaries?.[0]?.id).not.toBe(first.recommendationSummaries?.[0]?.id);
      expect((await list({ maxResults: 3 })).recommendationSummaries).toHaveLength(3);
      const security = await list({ pillar: 'security' });
      expect(security.recommendationSummaries?.every((r) => r.pillars?.includes('security'))).toBe(true);
      const checks = await client.send(
        new ListChecksCommand({ language: 'en', source: 'compute_optimizer' }),
      );
      expect(checks.checkSummaries?.map((c) => c.id).sort()).toEqual(['COr6dfpM03', 'COr6dfpM05']);
      const arn = first.recommendationSummaries?.[0]?.arn as string;
      const detail = await client.send(new GetRecommendationCommand({ recommendationIdentifier: arn }));
      expect(detail.recommendation?.description?.length).toBeGreaterThan(40);
    });

    it('rejects what the Trusted Advisor API rejects', async () => {
      await expect(list({ maxResults: 201 })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(list({ maxResults: 0 })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(list({ nextToken: 'not-a-token' })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(list({ status: 'critical' as never })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        client.send(new GetRecommendationCommand({ recommendationIdentifier: 'not-an-arn-at-all-here' })),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(
        client.send(
          new GetRecommendationCommand({
            recommendationIdentifier: `arn:aws:trustedadvisor::${account.id}:recommendation/00000000-0000-4000-a000-000000000000`,
          }),
        ),
      ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    });
  });
});
