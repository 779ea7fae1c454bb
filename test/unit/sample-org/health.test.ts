import {
  DescribeAffectedEntitiesCommand,
  type DescribeAffectedEntitiesCommandInput,
  DescribeEventsCommand,
  type DescribeEventsCommandInput,
  HealthClient,
} from '@aws-sdk/client-health';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { healthSimulator } from '../../../functions/adapters/local/sample-org/services/health.ts';
import { supportPlan } from '../../../functions/adapters/local/sample-org/services/support.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { healthCollector } from '../../../functions/collectors/health.ts';
import { healthLoader } from '../../../functions/loaders/health.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextWindow = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [healthSimulator];
const DAY_MS = 86_400_000;

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...healthSimulator,
    operations: Object.fromEntries(
      Object.entries(healthSimulator.operations).map(([name, answer]) => [
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

/** Pages of one query: the calls after the first carry the token of the one before. */
function pagesOf(calls: SampleCall[], operation: string, same: (call: SampleCall) => boolean) {
  return calls.filter((c) => c.operation === operation && same(c));
}

describe('health collector against the sample organization', () => {
  it('collects a production account: open, upcoming and recently closed events over several pages', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(healthCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(healthCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(stats.apiCalls).toBe(calls.length);
    // Global: every call in the home Region.
    expect(new Set(calls.map((c) => c.region))).toEqual(new Set(['us-east-1']));

    const active = pagesOf(calls, 'DescribeEvents', (c) => c.input.filter.eventStatusCodes !== undefined);
    expect(active.length).toBeGreaterThanOrEqual(2);
    expect(active.slice(1).every((c) => typeof c.input.nextToken === 'string')).toBe(true);
    const entityPages = calls.filter((c) => c.operation === 'DescribeAffectedEntities');
    expect(entityPages.some((c) => c.input.nextToken !== undefined)).toBe(true);
    expect(entityPages.every((c) => c.input.filter.eventArns.length <= 10)).toBe(true);

    const events = result.payload.events;
    expect(events.length).toBeGreaterThan(8);
    expect(new Set(events.map((e) => e.status_code))).toEqual(new Set(['open', 'upcoming', 'closed']));
    expect(new Set(events.map((e) => e.event_scope_code))).toEqual(new Set(['PUBLIC', 'ACCOUNT_SPECIFIC']));
    for (const event of events) {
      expect(event.arn).toMatch(
        new RegExp(`^arn:aws:health:${event.region}::event/${event.service}/${event.event_type_code}/`),
      );
      expect(event.last_updated_time <= now.toISOString()).toBe(true);
      if (event.end_time) expect(event.start_time < event.end_time).toBe(true);
      if (event.status_code === 'upcoming') expect(event.start_time > now.toISOString()).toBe(true);
      if (event.status_code === 'closed') {
        // Reported because it changed during the window.
        expect(event.last_updated_time.slice(0, 10)).toBe('2026-11-25');
      }
      for (const entity of event.affected_entities) {
        expect(entity.entity_arn).toMatch(
          new RegExp(`^arn:aws:health:${event.region}:${account.id}:entity/`),
        );
      }
    }
    // Account-specific events are about the account's own resources: the shared inventory's.
    const retirements = events.filter((e) => e.event_type_code === 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED');
    const notices = events.filter((e) => e.event_type_code === 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT');
    expect(retirements.length + notices.length).toBeGreaterThan(0);
    const inventoryAt = (region: string, at: string) =>
      regionInventory(account, region, SAMPLE_REGIONS, new Date(at));
    for (const event of retirements) {
      // The instance retires when its window ends: the inventory has it until then.
      const instances = inventoryAt(event.region, event.start_time).instances.map((i) => i.id);
      expect(event.affected_entities.map((e) => e.entity_value).every((id) => instances.includes(id))).toBe(
        true,
      );
      expect(event.affected_entities_count).toBe(1);
    }
    for (const event of notices) {
      const functions = inventoryAt(event.region, now.toISOString()).functions;
      const runtimes = new Set(
        functions
          .filter((f) => event.affected_entities.some((e) => e.entity_value === f.arn))
          .map((f) => f.runtime),
      );
      const arns = functions.map((f) => f.arn);
      expect(event.affected_entities.every((e) => arns.includes(e.entity_value))).toBe(true);
      expect(runtimes.size).toBe(1);
      expect(event.affected_entities_count).toBeGreaterThan(0);
    }
    expect(result.rows).toBe(events.length);
  });

  it('shows the same public event, under the same ARN, to several accounts', async () => {
    const arns = await Promise.all(
      [5, 6, 7, 8].map(async (accountIndex) => {
        const { result } = await collectFromSample(healthCollector, {
          simulators,
          window,
          now,
          accountIndex,
        });
        return result.payload.events.filter((e) => e.event_scope_code === 'PUBLIC').map((e) => e.arn);
      }),
    );
    const shared = arns[0]?.filter((arn) => arns.slice(1).some((other) => other.includes(arn))) ?? [];
    expect(shared.length).toBeGreaterThan(0);
  });

  it('is deterministic, and events change from one day to the next', async () => {
    const a = await collectFromSample(healthCollector, { simulators, window, now });
    const b = await collectFromSample(healthCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
    const next = await collectFromSample(healthCollector, { simulators, window: nextWindow, now: nextDay });
    const before = new Set(a.result.payload.events.map((e) => e.arn));
    const after = new Set(next.result.payload.events.map((e) => e.arn));
    expect([...before].some((arn) => !after.has(arn))).toBe(true);
    expect([...after].some((arn) => !before.has(arn))).toBe(true);
  });

  it('has events in at least 18 of the first 20 accounts; those without Business Support are SKIPPED', async () => {
    const accounts = sampleAccounts(20, SAMPLE_REGIONS);
    let withEvents = 0;
    for (const account of accounts) {
      const outcome = await collectFromSample(healthCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: account.index,
      }).catch((error: unknown) => error);
      if (supportPlan(account) === 'basic') {
        expect(outcome).toBeInstanceOf(ServiceNotEnabledError);
        expect((outcome as Error).message).toBe(
          'Health.DescribeEvents (us-east-1): SubscriptionRequiredException: Amazon Web Services Premium Support Subscription is required to use this service.',
        );
      } else if ((outcome as { result: { rows: number } }).result.rows > 0) {
        withEvents += 1;
      }
    }
    expect(accounts.filter((a) => supportPlan(a) === 'basic').length).toBeLessThanOrEqual(2);
    expect(withEvents).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['not-enabled', ServiceNotEnabledError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(healthCollector, { simulators, window, now, faults: [{ category: 'health', kind }] }),
    ).rejects.toBeInstanceOf(type);
  });

  describe('the Health API as the simulator serves it', () => {
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
      { accountId: account.id, category: 'health', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(HealthClient, 'us-east-1');
    const events = (input: DescribeEventsCommandInput) => client.send(new DescribeEventsCommand(input));
    const entities = (input: DescribeAffectedEntitiesCommandInput) =>
      client.send(new DescribeAffectedEntitiesCommand(input));

    it('honours the filters and sorts the most recently updated first', async () => {
      const open = await events({ filter: { eventStatusCodes: ['open'] }, maxResults: 100 });
      expect(open.events?.every((e) => e.statusCode === 'open')).toBe(true);
      const rds = await events({ filter: { services: ['RDS'], eventTypeCategories: ['scheduledChange'] } });
      expect(rds.events?.length).toBeGreaterThan(0);
      expect(rds.events?.every((e) => e.service === 'RDS' && e.eventTypeCategory === 'scheduledChange')).toBe(
        true,
      );
      const from = new Date(now.getTime() - 3 * DAY_MS);
      const recent = await events({ filter: { lastUpdatedTimes: [{ from, to: now }] }, maxResults: 5 });
      expect(recent.events?.length).toBeLessThanOrEqual(5);
      const times = (recent.events ?? []).map((e) => e.lastUpdatedTime?.getTime() ?? 0);
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(times.every((t) => t >= from.getTime() && t <= now.getTime())).toBe(true);
    });

    it('lists the entities of up to 10 events, and rejects what Health rejects', async () => {
      const listed = await events({ filter: { eventStatusCodes: ['open', 'upcoming'] } });
      const arns = (listed.events ?? []).map((e) => e.arn as string);
      const found = await entities({ filter: { eventArns: arns.slice(0, 1) } });
      expect(found.entities?.every((e) => e.eventArn === arns[0] && e.awsAccountId === account.id)).toBe(
        true,
      );
      await expect(entities({ filter: { eventArns: [] } })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        entities({ filter: { eventArns: Array.from({ length: 11 }, (_, i) => `${arns[0]}${i}`) } }),
      ).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(events({ nextToken: 'made-up' })).rejects.toMatchObject({
        name: 'InvalidPaginationToken',
      });
      const token = (await events({ filter: { eventStatusCodes: ['open', 'upcoming'] } })).nextToken;
      await expect(
        events({ filter: { eventStatusCodes: ['closed'] }, nextToken: token }),
      ).rejects.toMatchObject({
        name: 'InvalidPaginationToken',
      });
      await expect(events({ locale: 'fr' })).rejects.toMatchObject({ name: 'UnsupportedLocale' });
      await expect(events({ maxResults: 101 })).rejects.toMatchObject({ name: 'ValidationException' });
    });
  });
});

describe.each(databaseBackends())('sample Health data in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads a production account and, the next day, marks the events no longer reported', async () => {
    const first = await collectFromSample(healthCollector, { simulators, window, now });
    const second = await collectFromSample(healthCollector, { simulators, window: nextWindow, now: nextDay });
    const { account } = first;
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    const load = (payload: typeof first.result.payload, seenAt: Date) =>
      db.sql.transaction((tx) =>
        healthLoader.load(tx, payload, {
          accountId: account.id,
          window,
          runId: 'r',
          seenAt,
          completeRegions: 'all',
        }),
      );
    expect(await load(first.result.payload, now)).toBe(first.result.payload.events.length);
    await load(second.result.payload, nextDay);
    const rows = await db.sql.query<{ arn: string; removed_at: Date | null }>(
      'SELECT arn, removed_at FROM health_events WHERE account_id = :a',
      { a: account.id },
    );
    const current = new Set(second.result.payload.events.map((e) => e.arn));
    expect(
      rows
        .filter((r) => r.removed_at === null)
        .map((r) => r.arn)
        .sort(),
    ).toEqual([...current].sort());
    expect(rows.some((r) => r.removed_at !== null)).toBe(true);
  });
});
