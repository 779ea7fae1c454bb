import { DescribeCasesCommand, type DescribeCasesCommandInput, SupportClient } from '@aws-sdk/client-support';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import {
  sampleCases,
  supportPlan,
  supportSimulator,
} from '../../../functions/adapters/local/sample-org/services/support.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  type SupportCasesPayload,
  supportCasesCollector,
} from '../../../functions/collectors/support-cases.ts';
import { supportCasesLoader } from '../../../functions/loaders/support-cases.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { addDays, isoDay } from '../../../functions/platform/period.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [supportSimulator];
const DAY_MS = 86_400_000;
const STATUSES = [
  'opened',
  'unassigned',
  'work-in-progress',
  'pending-customer-action',
  'customer-action-completed',
  'reopened',
  'resolved',
];

function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spy: ServiceSimulator = {
    ...supportSimulator,
    operations: {
      DescribeCases: (call: SampleCall) => {
        calls.push(call);
        return (supportSimulator.operations.DescribeCases as (c: SampleCall) => object)(call);
      },
    },
  };
  return { simulators: [spy], calls };
}

describe('support-cases collector against the sample organization', () => {
  it('collects a production account: its open cases and the last 90 days, over several pages', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(supportCasesCollector, {
      simulators: spied,
      window,
      now,
    });
    expect(account.environment).toBe('production');
    expect(supportCasesCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(stats.apiCalls).toBe(calls.length);
    expect(new Set(calls.map((c) => c.region))).toEqual(new Set(['us-east-1']));
    const recent = calls.filter((c) => c.input.includeResolvedCases === true);
    expect(recent.length).toBeGreaterThanOrEqual(2);
    expect(recent.slice(1).every((c) => typeof c.input.nextToken === 'string')).toBe(true);

    const cases = result.payload.cases;
    expect(cases.length).toBeGreaterThanOrEqual(3);
    expect(cases.some((c) => c.status === 'resolved')).toBe(true);
    expect(cases.some((c) => c.status !== 'resolved')).toBe(true);
    for (const item of cases) {
      expect(item.case_id).toMatch(new RegExp(`^case-${account.id}-muen-\\d{4}-[0-9a-f]{16}$`));
      expect(item.display_id).toMatch(/^\d{10}$/);
      expect(STATUSES).toContain(item.status);
      expect(['low', 'normal', 'high', 'urgent']).toContain(item.severity_code);
      expect(item.time_created <= now.toISOString()).toBe(true);
      expect(item.last_communication_time && item.last_communication_time >= item.time_created).toBe(true);
      expect(item.last_communication_time && item.last_communication_time <= now.toISOString()).toBe(true);
      // A resolved case is reported only while it is recent; an open one whatever its age.
      if (item.status === 'resolved') expect(item.time_created >= '2026-08-28').toBe(true);
    }
    expect(result.payload.date_from).toBe('2026-08-28');
    expect(result.payload.date_to).toBe('2026-11-26');
  });

  it('gives every status and severity AWS uses, critical only with Enterprise Support', () => {
    const statuses = new Set<string>();
    const severities = new Map<string, Set<string>>();
    // Management accounts (Enterprise Support) of several organizations, and the workloads of one.
    const accounts = [
      ...Array.from({ length: 6 }, (_, i) => sampleAccounts(1, SAMPLE_REGIONS, `support-${i}`)).flat(),
      ...sampleAccounts(20, SAMPLE_REGIONS),
    ];
    for (const account of accounts) {
      for (let day = 0; day < 360; day += 15) {
        const at = new Date(now.getTime() - day * DAY_MS);
        for (const item of sampleCases(account, SAMPLE_REGIONS, at)) {
          const current = item.timeline.filter((e) => e.at <= at).at(-1);
          if (current) statuses.add(current.status);
          const plan = supportPlan(account);
          severities.set(plan, (severities.get(plan) ?? new Set()).add(item.severityCode));
        }
      }
    }
    expect([...statuses].sort()).toEqual([...STATUSES].sort());
    expect([...(severities.get('enterprise') ?? [])].sort()).toEqual([
      'critical',
      'high',
      'low',
      'normal',
      'urgent',
    ]);
    expect([...(severities.get('business') ?? [])].sort()).toEqual(['high', 'low', 'normal', 'urgent']);
  });

  it('is deterministic, and reports a case resolved since as resolved', async () => {
    const a = await collectFromSample(supportCasesCollector, { simulators, window, now });
    const b = await collectFromSample(supportCasesCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
    const timelines = new Map(sampleCases(a.account, SAMPLE_REGIONS, now).map((c) => [c.caseId, c.timeline]));
    const resolution = (caseId: string) =>
      timelines.get(caseId)?.find((e) => e.status === 'resolved' && e.at > now)?.at;
    const pending = a.result.payload.cases.find((c) => c.status !== 'resolved' && resolution(c.case_id));
    if (!pending) throw new Error('no open case that gets resolved');
    const later = new Date((resolution(pending.case_id) as Date).getTime() + DAY_MS);
    const day = isoDay(later);
    const after = await collectFromSample(supportCasesCollector, {
      simulators,
      window: { period: 'DAILY', start: addDays(day, -1), end: day },
      now: later,
    });
    expect(after.result.payload.cases.find((c) => c.case_id === pending.case_id)?.status).toBe('resolved');
  });

  it('has cases in at least 18 of the first 20 accounts; those without Business Support are SKIPPED', async () => {
    const accounts = sampleAccounts(20, SAMPLE_REGIONS);
    let withCases = 0;
    for (const account of accounts) {
      const outcome = await collectFromSample(supportCasesCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: account.index,
      }).catch((error: unknown) => error);
      if (supportPlan(account) === 'basic') {
        expect(outcome).toBeInstanceOf(ServiceNotEnabledError);
        continue;
      }
      const { result } = outcome as { result: { rows: number; payload: SupportCasesPayload } };
      if (result.rows > 0) withCases += 1;
      expect(result.payload.cases.filter((c) => c.time_created >= '2026-08-28').length).toBeLessThanOrEqual(
        7,
      );
    }
    expect(accounts.filter((a) => supportPlan(a) !== 'basic').length).toBeGreaterThanOrEqual(18);
    expect(withCases).toBeGreaterThanOrEqual(18);
  });

  it.each([
    ['not-enabled', ServiceNotEnabledError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(supportCasesCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'support-cases', kind }],
      }),
    ).rejects.toBeInstanceOf(type);
  });

  describe('DescribeCases as the simulator serves it', () => {
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
      { accountId: account.id, category: 'support-cases', runId: 'r-direct' },
      { apiCalls: 0, throttled: 0 },
    ).client(SupportClient, 'us-east-1');
    const describeCases = (input: DescribeCasesCommandInput) => client.send(new DescribeCasesCommand(input));

    it('excludes resolved cases by default, filters on creation time and on case ids', async () => {
      const open = await describeCases({ maxResults: 100 });
      expect(open.cases?.every((c) => c.status !== 'resolved')).toBe(true);
      const afterTime = '2026-10-01T00:00:00.000Z';
      const recent = await describeCases({ includeResolvedCases: true, afterTime, maxResults: 10 });
      expect(recent.cases?.every((c) => (c.timeCreated as string) >= afterTime)).toBe(true);
      const id = recent.cases?.[0]?.caseId as string;
      expect(
        (await describeCases({ caseIdList: [id], includeResolvedCases: true })).cases?.map((c) => c.caseId),
      ).toEqual([id]);
      expect((await describeCases({ language: 'ja', includeResolvedCases: true })).cases).toEqual([]);
      const communications = recent.cases?.[0]?.recentCommunications?.communications ?? [];
      expect(communications.length).toBeGreaterThan(0);
      expect(communications.length).toBeLessThanOrEqual(5);
      const noCommunications = await describeCases({
        includeResolvedCases: true,
        includeCommunications: false,
      });
      expect(noCommunications.cases?.every((c) => c.recentCommunications === undefined)).toBe(true);
    });

    it('rejects what the Support API rejects', async () => {
      await expect(describeCases({ maxResults: 5 })).rejects.toMatchObject({ name: 'ValidationException' });
      await expect(describeCases({ afterTime: 'last week' })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(describeCases({ nextToken: 'made-up' })).rejects.toMatchObject({
        name: 'ValidationException',
      });
      await expect(
        describeCases({ caseIdList: ['case-000000000000-muen-2026-0000000000000000'] }),
      ).rejects.toMatchObject({ name: 'CaseIdNotFound' });
    });
  });
});

describe.each(databaseBackends())('sample support cases in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads an account exactly as collected', async () => {
    const { result, account } = await collectFromSample(supportCasesCollector, { simulators, window, now });
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    const written = await db.sql.transaction((tx) =>
      supportCasesLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    expect(written).toBe(result.payload.cases.length);
    const rows = await db.sql.query<{ case_id: string; status: string; time_created: Date }>(
      'SELECT case_id, status, time_created FROM support_tickets WHERE account_id = :a ORDER BY time_created DESC',
      { a: account.id },
    );
    expect(rows).toEqual(
      result.payload.cases.map((c) => ({
        case_id: c.case_id,
        status: c.status,
        time_created: new Date(c.time_created),
      })),
    );
  });
});
