import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { acmSimulator } from '../../../functions/adapters/local/sample-org/services/acm.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import { type AcmPayload, acmCollector, type Certificate } from '../../../functions/collectors/acm.ts';
import { acmLoader } from '../../../functions/loaders/acm.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [acmSimulator];
const DAY_MS = 86_400_000;

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spied: ServiceSimulator = {
    ...acmSimulator,
    operations: Object.fromEntries(
      Object.entries(acmSimulator.operations).map(([name, answer]) => [
        name,
        (call: SampleCall) => {
          calls.push(call);
          return answer(call);
        },
      ]),
    ),
  };
  return { simulators: [spied], calls };
}

const accounts = sampleAccounts(20, SAMPLE_REGIONS);
const production = accounts[6] as (typeof accounts)[number];

function answer(operation: string, input: object, region = 'us-east-1') {
  return (acmSimulator.operations[operation] as (c: SampleCall) => object)({
    account: production,
    region,
    service: 'ACM',
    operation,
    input,
    now,
    accounts,
    regions: SAMPLE_REGIONS,
  });
}
const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('no error');
};
const arnsOf = (payload: AcmPayload) => new Set(payload.certificate_manager.map((c) => c.arn));

/** Every certificate of the first 20 accounts at `now`. */
async function organizationCertificates(): Promise<Certificate[]> {
  const all: Certificate[] = [];
  for (let index = 0; index < 20; index++) {
    const { result } = await collectFromSample(acmCollector, {
      simulators,
      window,
      now,
      accounts: 20,
      accountIndex: index,
    });
    all.push(...result.payload.certificate_manager);
  }
  return all;
}

describe('acm collector against the sample organization', () => {
  it('collects a production account: every key type over several pages, in use by its load balancers', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(acmCollector, {
      simulators: spied,
      window,
      now,
      accounts: 20,
    });
    expect(account.environment).toBe('production');
    expect(acmCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const lists = calls.filter((c) => c.operation === 'ListCertificates' && c.region === 'us-east-1');
    expect(lists.length).toBeGreaterThanOrEqual(3);
    expect(lists.slice(1).every((c) => typeof c.input.NextToken === 'string')).toBe(true);

    const certificates = result.payload.certificate_manager;
    expect(calls.filter((c) => c.operation === 'DescribeCertificate')).toHaveLength(certificates.length);
    expect(new Set(certificates.map((c) => c.key_algorithm))).toEqual(
      new Set(['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1']),
    );
    expect(new Set(certificates.map((c) => c.type))).toEqual(
      new Set(['AMAZON_ISSUED', 'IMPORTED', 'PRIVATE']),
    );
    for (const region of SAMPLE_REGIONS) {
      const balancers = new Set(
        regionInventory(account, region, SAMPLE_REGIONS, now).loadBalancers.map((b) => b.arn),
      );
      const mine = certificates.filter((c) => c.region === region);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.some((c) => c.in_use_by.length > 0)).toBe(true);
      for (const certificate of mine) {
        expect(certificate.arn).toMatch(
          new RegExp(`^arn:aws:acm:${region}:${account.id}:certificate/[0-9a-f-]{36}$`),
        );
        for (const user of certificate.in_use_by) expect(balancers.has(user)).toBe(true);
        if (certificate.not_before !== null) {
          expect(certificate.not_after !== null && certificate.not_after > certificate.not_before).toBe(true);
        }
        if (certificate.status === 'EXPIRED')
          expect((certificate.not_after as string) <= now.toISOString()).toBe(true);
        if (certificate.status === 'ISSUED')
          expect((certificate.not_after as string) > now.toISOString()).toBe(true);
        if (certificate.type === 'IMPORTED') {
          expect(certificate.imported_at).not.toBeNull();
          expect(certificate.renewal_eligibility).toBe('INELIGIBLE');
        }
        if (certificate.renewal_eligibility === 'ELIGIBLE')
          expect(certificate.in_use_by.length).toBeGreaterThan(0);
        expect(certificate.subject_alternative_names[0]).toBe(certificate.domain_name);
      }
    }
  });

  it('has every status, expired certificates and certificates expiring within 30 days across the organization', async () => {
    const all = await organizationCertificates();
    expect(new Set(all.map((c) => c.status))).toEqual(
      new Set(['ISSUED', 'EXPIRED', 'PENDING_VALIDATION', 'VALIDATION_TIMED_OUT', 'FAILED', 'REVOKED']),
    );
    const soon = all.filter(
      (c) => c.status === 'ISSUED' && Date.parse(c.not_after as string) - now.getTime() < 30 * DAY_MS,
    );
    expect(soon.length).toBeGreaterThan(3);
    expect(soon.some((c) => c.in_use_by.length > 0)).toBe(true);
    expect(new Set(all.map((c) => c.renewal_status))).toEqual(
      new Set([null, 'SUCCESS', 'PENDING_VALIDATION', 'FAILED', 'PENDING_AUTO_RENEWAL']),
    );
    expect(all.filter((c) => c.status === 'FAILED').every((c) => c.failure_reason !== null)).toBe(true);
    const accountsWithCertificates = new Set(all.map((c) => c.arn.split(':')[4]));
    expect(accountsWithCertificates.size).toBeGreaterThanOrEqual(18);
    expect(new Set(all.map((c) => c.region))).toEqual(new Set(SAMPLE_REGIONS));
  });

  it('is deterministic, and certificates come and go from one day to the next', async () => {
    const a = await collectFromSample(acmCollector, { simulators, window, now });
    const b = await collectFromSample(acmCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
    let gone = 0;
    let appeared = 0;
    for (const index of [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const options = { simulators, window, accounts: 20, accountIndex: index };
      const today = arnsOf((await collectFromSample(acmCollector, { ...options, now })).result.payload);
      const tomorrow = arnsOf(
        (await collectFromSample(acmCollector, { ...options, now: new Date(now.getTime() + DAY_MS) })).result
          .payload,
      );
      gone += [...today].filter((arn) => !tomorrow.has(arn)).length;
      appeared += [...tomorrow].filter((arn) => !today.has(arn)).length;
    }
    expect(gone).toBeGreaterThan(0);
    expect(appeared).toBeGreaterThan(0);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(acmCollector, { simulators, window, now, faults: [{ category: 'acm', kind }] }),
    ).rejects.toBeInstanceOf(type);
  });
});

describe('the sample ACM answers and validates requests as AWS does', () => {
  const everything = (input: object) => {
    const found: Array<{ KeyAlgorithm: string; CertificateArn: string }> = [];
    let token: string | undefined;
    do {
      const page = answer('ListCertificates', { ...input, ...(token ? { NextToken: token } : {}) }) as {
        CertificateSummaryList: Array<{ KeyAlgorithm: string; CertificateArn: string }>;
        NextToken?: string;
      };
      found.push(...page.CertificateSummaryList);
      token = page.NextToken;
    } while (token);
    return found;
  };

  it('lists only RSA_1024 and RSA_2048 certificates without a keyTypes filter, as the seed did', () => {
    const unfiltered = everything({});
    const all = everything({
      Includes: { keyTypes: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1'] },
    });
    expect(new Set(unfiltered.map((c) => c.KeyAlgorithm))).toEqual(new Set(['RSA_2048']));
    expect(all.length).toBeGreaterThan(unfiltered.length);
  });

  it('filters by status', () => {
    const expired = everything({
      CertificateStatuses: ['EXPIRED'],
      Includes: { keyTypes: ['RSA_2048', 'RSA_3072', 'RSA_4096', 'EC_prime256v1', 'EC_secp384r1'] },
    }) as Array<{ Status?: string }>;
    expect(expired.every((c) => c.Status === 'EXPIRED')).toBe(true);
  });

  it('rejects MaxItems out of range, unknown filter values, a token it did not issue, a bad or unknown ARN', () => {
    expect(errorOf(() => answer('ListCertificates', { MaxItems: 1001 })).name).toBe('ValidationException');
    expect(errorOf(() => answer('ListCertificates', { Includes: { keyTypes: ['RSA_512'] } })).name).toBe(
      'ValidationException',
    );
    expect(errorOf(() => answer('ListCertificates', { CertificateStatuses: ['GONE'] })).name).toBe(
      'ValidationException',
    );
    expect(errorOf(() => answer('ListCertificates', { NextToken: 'made-up' }))).toEqual({
      name: 'InvalidArgsException',
      message: 'The NextToken is not valid.',
    });
    expect(errorOf(() => answer('DescribeCertificate', {})).name).toBe('ValidationException');
    expect(errorOf(() => answer('DescribeCertificate', { CertificateArn: 'not-an-arn' })).name).toBe(
      'InvalidArnException',
    );
    const unknown = `arn:aws:acm:us-east-1:${production.id}:certificate/00000000-0000-4000-8000-000000000000`;
    expect(errorOf(() => answer('DescribeCertificate', { CertificateArn: unknown }))).toEqual({
      name: 'ResourceNotFoundException',
      message: `Could not find certificate ${unknown}.`,
    });
  });
});

describe.each(databaseBackends())('sample certificates in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads a production account and answers "what expires in the next 30 days"', async () => {
    const { result, account } = await collectFromSample(acmCollector, { simulators, window, now });
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    await db.sql.transaction((tx) =>
      acmLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r-sample',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    const expiring = await db.sql.query<{ arn: string }>(
      `SELECT arn FROM certificates WHERE account_id = :a AND removed_at IS NULL AND status = 'ISSUED'
         AND not_after < CAST(:now AS timestamptz) + interval '30 days' ORDER BY arn`,
      { a: account.id, now },
    );
    expect(expiring.map((r) => r.arn)).toEqual(
      result.payload.certificate_manager
        .filter(
          (c) => c.status === 'ISSUED' && Date.parse(c.not_after as string) - now.getTime() < 30 * DAY_MS,
        )
        .map((c) => c.arn)
        .sort(),
    );
    const count = await db.sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM certificates WHERE account_id = :a',
      {
        a: account.id,
      },
    );
    expect(count[0]?.n).toBe(result.payload.certificate_manager.length);
  });
});
