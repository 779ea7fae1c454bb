import {
  ComputeOptimizerClient,
  GetEC2InstanceRecommendationsCommand,
  type GetEC2InstanceRecommendationsCommandInput,
} from '@aws-sdk/client-compute-optimizer';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  computeOptimizerSimulator,
  instanceMonthly,
} from '../../../functions/adapters/local/sample-org/services/compute-optimizer.ts';
import {
  type ComputeOptimizerPayload,
  computeOptimizerCollector,
} from '../../../functions/collectors/compute-optimizer.ts';
import { computeOptimizerLoader } from '../../../functions/loaders/compute-optimizer.ts';
import { DataContractError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextDaily = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [computeOptimizerSimulator];

const ofType = (payload: ComputeOptimizerPayload, type: string) =>
  payload.recommendations.filter((r) => r.resource_type === type);

describe('compute-optimizer collector against the sample organization', () => {
  it('recommends on the shared inventory of a production account, over several pages per kind and region', async () => {
    const { result, stats, account, org } = await collectFromSample(computeOptimizerCollector, {
      simulators,
      window: daily,
      now,
    });
    expect(account.environment).toBe('production');
    expect(computeOptimizerCollector.schema.safeParse(result.payload).success).toBe(true);
    // The snapshot carries it as JSON: nothing is lost on the way.
    expect(JSON.parse(JSON.stringify(result.payload))).toEqual(result.payload);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    // At least two pages of each of the three kinds in each region.
    expect(stats.apiCalls).toBeGreaterThanOrEqual(SAMPLE_REGIONS.length * 3 * 2);

    for (const region of SAMPLE_REGIONS) {
      const inventory = regionInventory(account, region, org.regions, now);
      const mine = result.payload.recommendations.filter((r) => r.region === region);
      const instances = new Map(inventory.instances.map((i) => [i.id, i]));
      const volumes = new Map(inventory.volumes.map((v) => [v.id, v]));
      const functions = new Map(inventory.functions.map((f) => [`${f.arn}:$LATEST`, f]));
      expect(mine.filter((r) => r.resource_type === 'EC2').length).toBeGreaterThan(5);
      for (const rec of mine) {
        expect(rec.resource_arn).toContain(`:${region}:${account.id}:`);
        if (rec.resource_type === 'EC2') {
          const instance = instances.get(rec.resource_arn.split('/')[1] ?? '');
          expect(instance?.name).toBe(rec.resource_name);
          expect(rec.current_instance_type).toBe(instance?.instanceType);
          expect((instance?.createdAt.getTime() ?? Infinity) + 30 * 3_600_000).toBeLessThanOrEqual(
            now.getTime(),
          );
          if (rec.recommended_instance_type !== null && rec.current_instance_type !== null) {
            const saved =
              instanceMonthly(rec.current_instance_type, region) -
              instanceMonthly(rec.recommended_instance_type, region);
            expect(rec.estimated_monthly_savings_usd).toBeCloseTo(Math.max(0, saved), 2);
          }
          // Compute Optimizer returns only Maximum statistics for EC2.
          expect(rec.memory_utilization_avg).toBeNull();
          expect(rec.cpu_utilization_max).toBeGreaterThan(0);
          expect(rec.migration_effort).not.toBeNull();
        } else if (rec.resource_type === 'EBS') {
          const volume = volumes.get(rec.resource_name ?? '');
          expect(volume?.instanceId).not.toBeNull();
          expect(rec.current_volume_size).toBe(volume?.sizeGb);
          expect(rec.current_volume_type).toBe(volume?.volumeType);
        } else {
          const fn = functions.get(rec.resource_arn);
          expect(fn?.name).toBe(rec.resource_name);
          expect(rec.current_memory_size).toBe(fn?.memoryMb);
          expect(rec.memory_utilization_avg).toBeGreaterThan(0);
          expect(rec.memory_utilization_avg).toBeLessThan(100);
        }
      }
    }

    const findings = (type: string) => new Set(ofType(result.payload, type).map((r) => r.finding));
    expect(findings('EC2')).toEqual(new Set(['Overprovisioned', 'Optimized', 'Underprovisioned']));
    expect(findings('EBS')).toEqual(new Set(['Optimized', 'NotOptimized']));
    expect(findings('Lambda')).toEqual(new Set(['Optimized', 'NotOptimized', 'Unavailable']));
    for (const rec of result.payload.recommendations) {
      if (rec.finding === 'Overprovisioned' || rec.finding === 'NotOptimized') {
        expect(rec.estimated_monthly_savings_usd).toBeGreaterThanOrEqual(0);
      }
      if (rec.finding === 'Underprovisioned') expect(rec.estimated_monthly_savings_usd).toBe(0);
      if (rec.finding === 'Unavailable') expect(rec.recommended_memory_size).toBeNull();
    }
    const gp2 = ofType(result.payload, 'EBS').filter((r) => r.current_volume_type === 'gp2');
    expect(gp2.length).toBeGreaterThan(0);
    for (const rec of gp2) {
      expect(rec).toMatchObject({ finding: 'NotOptimized', recommended_volume_type: 'gp3' });
      expect(rec.savings_opportunity_percentage).toBeCloseTo(20, 1);
    }
  });

  it('is deterministic, and recommendations come and go with the inventory from one day to the next', async () => {
    const a = await collectFromSample(computeOptimizerCollector, { simulators, window: daily, now });
    const b = await collectFromSample(computeOptimizerCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);
    const next = await collectFromSample(computeOptimizerCollector, {
      simulators,
      window: nextDaily,
      now: nextDay,
    });
    const arns = (p: ComputeOptimizerPayload) => new Set(p.recommendations.map((r) => r.resource_arn));
    const today = arns(a.result.payload);
    const tomorrow = arns(next.result.payload);
    expect([...today].filter((arn) => !tomorrow.has(arn)).length).toBeGreaterThan(0);
    expect([...tomorrow].filter((arn) => !today.has(arn)).length).toBeGreaterThan(0);
  });

  it('has rows for at least 18 of the first 20 accounts, in several regions, and one needs several pages everywhere', async () => {
    let withRows = 0;
    let skipped = 0;
    let pagedEverywhere = 0;
    const regions = new Set<string>();
    // The simulator's page sizes: more than this many items of a kind in a region means several pages.
    const pageSize: Record<string, number> = { EC2: 5, EBS: 6, Lambda: 4 };
    for (let accountIndex = 0; accountIndex < 20; accountIndex++) {
      const { result } = await collectFromSample(computeOptimizerCollector, {
        simulators,
        window: daily,
        now,
        accounts: 20,
        accountIndex,
      });
      if (result.skippedReason !== undefined) skipped += 1;
      if (result.payload.recommendations.length > 0) withRows += 1;
      for (const r of result.payload.recommendations) regions.add(r.region);
      const paged = SAMPLE_REGIONS.every((region) =>
        Object.entries(pageSize).every(
          ([type, size]) =>
            result.payload.recommendations.filter((r) => r.region === region && r.resource_type === type)
              .length > size,
        ),
      );
      if (paged) pagedEverywhere += 1;
    }
    expect(pagedEverywhere).toBeGreaterThan(0);
    expect(withRows).toBeGreaterThanOrEqual(18);
    expect(skipped).toBeLessThanOrEqual(2);
    expect(regions).toEqual(new Set(SAMPLE_REGIONS));
  });

  it('answers a sandbox (not opted in) and the faults as AWS does', async () => {
    const org = new SampleOrganization({ accounts: 20, regions: SAMPLE_REGIONS, simulators });
    const sandbox = org.accounts.findIndex((a) => a.environment === 'sandbox');
    const off = await collectFromSample(computeOptimizerCollector, {
      simulators,
      window: daily,
      now,
      accounts: 20,
      accountIndex: sandbox,
    });
    expect(off.result.skippedReason).toBe(
      'ComputeOptimizer.GetEC2InstanceRecommendations (us-east-1): OptInRequiredException: Aws account is not registered for recommendation',
    );
    expect(off.result.payload.recommendations).toEqual([]);

    const notEnabled = await collectFromSample(computeOptimizerCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'compute-optimizer', kind: 'not-enabled' }],
    });
    expect(notEnabled.result.skippedReason).toMatch(/OptInRequiredException/);
    await expect(
      collectFromSample(computeOptimizerCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'compute-optimizer', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await collectFromSample(computeOptimizerCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'compute-optimizer', kind: 'malformed' }],
    }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toMatch(/instanceRecommendations\[0\]\.instanceArn/);
  });

  describe('loaded on consecutive days', () => {
    for (const backend of databaseBackends()) {
      describe(backend.name, () => {
        const db = useDatabase(backend);
        it('marks the recommendations of replaced resources removed the next day', async () => {
          const first = await collectFromSample(computeOptimizerCollector, {
            simulators,
            window: daily,
            now,
          });
          const second = await collectFromSample(computeOptimizerCollector, {
            simulators,
            window: nextDaily,
            now: nextDay,
          });
          const accountId = first.account.id;
          await db.sql.execute(`INSERT INTO accounts (id, account_name) VALUES (:id, 'sample')`, {
            id: accountId,
          });
          for (const [run, at] of [
            [first, now],
            [second, nextDay],
          ] as const) {
            await db.sql.transaction((tx) =>
              computeOptimizerLoader.load(tx, run.result.payload, {
                accountId,
                window: daily,
                runId: 'r',
                seenAt: at,
                completeRegions: 'all',
              }),
            );
          }
          const [counts] = await db.sql.query<{ removed: number; open: number }>(
            `SELECT count(*) FILTER (WHERE removed_at IS NOT NULL)::int AS removed,
                    count(*) FILTER (WHERE removed_at IS NULL)::int AS open
             FROM compute_optimizer WHERE account_id = :a`,
            { a: accountId },
          );
          expect(counts?.removed).toBeGreaterThan(0);
          expect(counts?.open).toBe(second.result.payload.recommendations.length);
        });
      });
    }
  });

  describe('GetEC2InstanceRecommendations as the simulator serves it', () => {
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
      { accountId: account.id, category: 'compute-optimizer', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(ComputeOptimizerClient, 'us-east-1');
    const send = (input: GetEC2InstanceRecommendationsCommandInput) =>
      client.send(new GetEC2InstanceRecommendationsCommand(input));

    it('serves at most 5 a page, fewer when asked, pages with its token and filters on the finding', async () => {
      const first = await send({ maxResults: 1000 });
      expect(first.instanceRecommendations).toHaveLength(5);
      const second = await send({ maxResults: 1000, nextToken: first.nextToken });
      expect(second.instanceRecommendations?.[0]?.instanceArn).not.toBe(
        first.instanceRecommendations?.[0]?.instanceArn,
      );
      expect((await send({ maxResults: 2 })).instanceRecommendations).toHaveLength(2);
      const under = await send({ filters: [{ name: 'Finding', values: ['Underprovisioned'] }] });
      expect(under.instanceRecommendations?.length).toBeGreaterThan(0);
      expect(new Set(under.instanceRecommendations?.map((r) => r.finding))).toEqual(
        new Set(['Underprovisioned']),
      );
    });

    it('rejects what Compute Optimizer rejects', async () => {
      await expect(send({ maxResults: 1001 })).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
      await expect(send({ nextToken: 'not-a-token' })).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
      const token = (await send({})).nextToken;
      await expect(
        send({ nextToken: token, filters: [{ name: 'Finding', values: ['Optimized'] }] }),
      ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
      await expect(send({ filters: [{ name: 'Colour' as never, values: ['x'] }] })).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
      await expect(send({ accountIds: [account.id, '000000000000'] })).rejects.toMatchObject({
        name: 'InvalidParameterValueException',
      });
      await expect(send({ accountIds: ['000000000000'] })).rejects.toMatchObject({
        name: 'AccessDeniedException',
      });
    });
  });
});
