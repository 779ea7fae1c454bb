import {
  GetFindingsCommand,
  type GetFindingsCommandInput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { securityHubSimulator } from '../../../functions/adapters/local/sample-org/services/security-hub.ts';
import {
  openFindingsFilters,
  type SecurityHubPayload,
  securityHubCollector,
} from '../../../functions/collectors/security-hub.ts';
import { DataContractError, SourceAccessError } from '../../../functions/platform/errors.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const nextDay = new Date('2026-11-27T06:00:00Z');
const daily = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const nextDaily = { period: 'DAILY' as const, start: '2026-11-26', end: '2026-11-27' };
const simulators = [securityHubSimulator];

const findingsOf = (payload: SecurityHubPayload) => payload.security_hub.flatMap((g) => g.findings);
const isOpen = (status: string) => status === 'NEW' || status === 'NOTIFIED';

/** A real SDK client of one sample account and region, below which the organization answers. */
function sampleClient(org: SampleOrganization, accountId: string, region: string) {
  const factory = createClientFactory(
    org.clientOptions(),
    { accountId, category: 'security-hub', runId: 'r-direct' },
    { apiCalls: 0, throttled: 0 },
  );
  return factory.client(SecurityHubClient, region);
}

describe('security-hub collector against the sample organization', () => {
  it('collects a production account: hundreds of open findings per region, over several pages', async () => {
    const { result, stats, account } = await collectFromSample(securityHubCollector, {
      simulators,
      window: daily,
      now,
    });
    expect(account.environment).toBe('production');
    expect(securityHubCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    const findings = findingsOf(result.payload);
    for (const region of SAMPLE_REGIONS) {
      const open = findings.filter((f) => f.region === region && isOpen(f.status)).length;
      expect(open).toBeGreaterThanOrEqual(150);
      expect(open).toBeLessThanOrEqual(400);
    }
    // Each region: at least 3 pages of 50 open findings plus the closed query.
    expect(stats.apiCalls).toBeGreaterThanOrEqual(SAMPLE_REGIONS.length * 4);
    expect(result.payload.security_hub.map((g) => g.service).sort()).toEqual([
      'GuardDuty',
      'IAM Access Analyzer',
      'Inspector',
      'Macie',
      'Security Hub',
    ]);
    expect(new Set(findings.map((f) => f.severity))).toEqual(
      new Set(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL']),
    );
    expect(new Set(findings.filter((f) => isOpen(f.status)).map((f) => f.status))).toEqual(
      new Set(['NEW', 'NOTIFIED']),
    );
    for (const f of findings) {
      expect(f.finding_id).toContain(`:${account.id}:`);
      expect(f.finding_id).toContain(`:${f.region}:`);
      expect(f.product_arn).toBe(
        `arn:aws:securityhub:${f.region}::product/aws/${f.product_arn.split('/').pop()}`,
      );
      expect(f.created_at <= f.updated_at).toBe(true);
      expect(f.updated_at <= now.toISOString()).toBe(true);
      if (!isOpen(f.status)) expect(f.updated_at.slice(0, 10)).toBe('2026-11-25');
    }
    const control = findings.find((f) => f.product_name === 'Security Hub' && isOpen(f.status));
    expect(control?.generator_id).toMatch(/^security-control\/[A-Za-z0-9]+\.\d+$/);
    expect(control?.compliance_status).toMatch(/^(FAILED|WARNING)$/);
    const passed = findings.find((f) => f.product_name === 'Security Hub' && f.status === 'RESOLVED');
    expect(passed).toMatchObject({ compliance_status: 'PASSED', severity: 'INFORMATIONAL' });
  });

  it('reports a month of resolved and suppressed findings for a monthly run', async () => {
    const { result } = await collectFromSample(securityHubCollector, {
      simulators,
      window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' },
      now,
    });
    const closed = findingsOf(result.payload).filter((f) => !isOpen(f.status));
    expect(closed.length).toBeGreaterThan(30);
    expect(new Set(closed.map((f) => f.status))).toEqual(new Set(['RESOLVED', 'SUPPRESSED']));
    expect(closed.every((f) => f.updated_at.startsWith('2026-10-'))).toBe(true);
    expect(new Set(closed.map((f) => f.record_state))).toEqual(new Set(['ACTIVE', 'ARCHIVED']));
  });

  it('is deterministic, and the open findings change from one day to the next', async () => {
    const a = await collectFromSample(securityHubCollector, { simulators, window: daily, now });
    const b = await collectFromSample(securityHubCollector, { simulators, window: daily, now });
    expect(a.result.payload).toEqual(b.result.payload);

    const next = await collectFromSample(securityHubCollector, {
      simulators,
      window: nextDaily,
      now: nextDay,
    });
    const openIds = (p: SecurityHubPayload) =>
      new Set(
        findingsOf(p)
          .filter((f) => isOpen(f.status))
          .map((f) => f.finding_id),
      );
    const today = openIds(a.result.payload);
    const tomorrow = openIds(next.result.payload);
    const gone = [...today].filter((id) => !tomorrow.has(id));
    const appeared = [...tomorrow].filter((id) => !today.has(id));
    expect(gone.length).toBeGreaterThan(0);
    expect(appeared.length).toBeGreaterThan(0);
    // Some of those that left the open set are the next day's resolved or suppressed findings.
    const closedNext = findingsOf(next.result.payload).filter((f) => !isOpen(f.status));
    expect(closedNext.some((f) => gone.includes(f.finding_id))).toBe(true);
  });

  it('skips the regions where Security Hub is off, and the whole category where it is off everywhere', async () => {
    const org = new SampleOrganization({ accounts: 60, regions: SAMPLE_REGIONS, simulators });
    const partial = org.accounts.findIndex((a) => a.securityHubOffRegions.size > 0);
    const sandbox = org.accounts.findIndex((a) => a.disabledServices.has('securityhub'));
    expect(partial).toBeGreaterThan(0);
    expect(sandbox).toBeGreaterThan(0);

    const off = await collectFromSample(securityHubCollector, {
      simulators,
      window: daily,
      now,
      accounts: 60,
      accountIndex: partial,
    });
    const offRegion = [...off.account.securityHubOffRegions][0] as string;
    expect(off.result.regions?.[offRegion]).toEqual({
      status: 'SKIPPED',
      error: {
        name: 'ServiceNotEnabledError',
        message: `SecurityHub.GetFindings (${offRegion}): InvalidAccessException: Account ${off.account.id} is not subscribed to AWS Security Hub`,
      },
    });
    expect(off.result.skippedReason).toBeUndefined();
    expect(findingsOf(off.result.payload).some((f) => f.region === offRegion)).toBe(false);
    expect(findingsOf(off.result.payload).length).toBeGreaterThan(0);

    const none = await collectFromSample(securityHubCollector, {
      simulators,
      window: daily,
      now,
      accounts: 60,
      accountIndex: sandbox,
    });
    expect(none.result.skippedReason).toMatch(/is not subscribed to AWS Security Hub/);
    expect(none.result.payload.security_hub).toEqual([]);
  });

  it('answers the not-enabled, access-denied and malformed faults as AWS would', async () => {
    const notEnabled = await collectFromSample(securityHubCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'security-hub', kind: 'not-enabled' }],
    });
    expect(notEnabled.result.skippedReason).toMatch(/not subscribed/);
    await expect(
      collectFromSample(securityHubCollector, {
        simulators,
        window: daily,
        now,
        faults: [{ category: 'security-hub', kind: 'access-denied' }],
      }),
    ).rejects.toBeInstanceOf(SourceAccessError);
    const malformed = await collectFromSample(securityHubCollector, {
      simulators,
      window: daily,
      now,
      faults: [{ category: 'security-hub', kind: 'malformed' }],
    }).catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(DataContractError);
    expect((malformed as Error).message).toContain('ProductArn');
  });

  describe('GetFindings as the simulator serves it', () => {
    const org = new SampleOrganization({
      accounts: 12,
      regions: SAMPLE_REGIONS,
      simulators,
      clock: { now: () => now },
    });
    const account = org.accounts[6];
    if (!account) throw new Error('no sample account');
    const client = sampleClient(org, account.id, 'eu-west-1');
    const send = (input: GetFindingsCommandInput) => client.send(new GetFindingsCommand(input));

    it('serves at most 50 findings a page, fewer when asked, and pages with its token', async () => {
      const filters = openFindingsFilters(account.id);
      const first = await send({ Filters: filters, MaxResults: 100 });
      expect(first.Findings).toHaveLength(50);
      expect(first.NextToken).toBeDefined();
      const second = await send({ Filters: filters, MaxResults: 100, NextToken: first.NextToken });
      expect(second.Findings?.[0]?.Id).not.toBe(first.Findings?.[0]?.Id);
      expect((await send({ Filters: filters, MaxResults: 7 })).Findings).toHaveLength(7);
    });

    it('honours the string and date filters', async () => {
      const critical = await send({
        Filters: {
          ...openFindingsFilters(account.id),
          SeverityLabel: [{ Value: 'CRITICAL', Comparison: 'EQUALS' }],
        },
      });
      expect(critical.Findings?.length).toBeGreaterThan(0);
      expect(new Set(critical.Findings?.map((f) => f.Severity?.Label))).toEqual(new Set(['CRITICAL']));

      const notHub = await send({
        Filters: {
          ...openFindingsFilters(account.id),
          ProductName: [{ Value: 'Security Hub', Comparison: 'NOT_EQUALS' }],
        },
      });
      expect(notHub.Findings?.every((f) => f.ProductName !== 'Security Hub')).toBe(true);

      const otherAccount = await send({
        Filters: { AwsAccountId: [{ Value: '000000000000', Comparison: 'EQUALS' }] },
      });
      expect(otherAccount.Findings).toEqual([]);

      const archived = await send({
        Filters: {
          AwsAccountId: [{ Value: account.id, Comparison: 'EQUALS' }],
          RecordState: [{ Value: 'ARCHIVED', Comparison: 'EQUALS' }],
          UpdatedAt: [{ Start: '2026-11-19T00:00:00.000Z', End: '2026-11-25T23:59:59.999Z' }],
        },
        MaxResults: 100,
      });
      expect(archived.Findings?.length).toBeGreaterThan(0);
      for (const f of archived.Findings ?? []) {
        expect(f.RecordState).toBe('ARCHIVED');
        expect(f.UpdatedAt && f.UpdatedAt >= '2026-11-19' && f.UpdatedAt < '2026-11-26').toBe(true);
      }
    });

    it('rejects what Security Hub rejects', async () => {
      const filters = openFindingsFilters(account.id);
      await expect(send({ Filters: filters, MaxResults: 101 })).rejects.toMatchObject({
        name: 'InvalidInputException',
      });
      await expect(send({ Filters: filters, NextToken: 'not-a-token' })).rejects.toMatchObject({
        name: 'InvalidInputException',
      });
      const token = (await send({ Filters: filters })).NextToken;
      await expect(
        send({
          Filters: { ...filters, SeverityLabel: [{ Value: 'LOW', Comparison: 'EQUALS' }] },
          NextToken: token,
        }),
      ).rejects.toMatchObject({ name: 'InvalidInputException' });
      await expect(
        send({ Filters: { UpdatedAt: [{ Start: 'yesterday', End: '2026-11-25T00:00:00Z' }] } }),
      ).rejects.toMatchObject({ name: 'InvalidInputException' });
      await expect(
        send({ Filters: { SeverityLabel: [{ Value: 'LOW', Comparison: 'SOUNDS_LIKE' as never }] } }),
      ).rejects.toMatchObject({ name: 'InvalidInputException' });
    });
  });
});
