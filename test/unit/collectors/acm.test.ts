import {
  ACMClient,
  type CertificateDetail,
  DescribeCertificateCommand,
  ListCertificatesCommand,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ALL_KEY_TYPES, acmCollector } from '../../../functions/collectors/acm.ts';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const acm = mockClient(ACMClient);
/** Every command the collector sent in this file, for the IAM declaration check. */
const sent = new Set<string>();
afterEach(() => {
  for (const call of acm.calls()) {
    sent.add(iamActionFor('@aws-sdk/client-acm', call.args[0].constructor.name.replace(/Command$/, '')));
  }
  acm.reset();
});
afterAll(() => acm.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const certArn = (region: string, n: number) =>
  `arn:aws:acm:${region}:${account}:certificate/${String(n).repeat(8)}-1111-4111-8111-111111111111`;
const ALB = `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/payments-alb-1/0123456789abcdef`;
const NLB = `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/net/payments-nlb-2/fedcba9876543210`;

const listInput = {
  Includes: {
    keyTypes: [
      'RSA_1024',
      'RSA_2048',
      'RSA_3072',
      'RSA_4096',
      'EC_prime256v1',
      'EC_secp384r1',
      'EC_secp521r1',
    ],
  },
  CertificateKeyPairOrigins: ['AWS_MANAGED', 'CUSTOMER_PROVIDED', 'ACME'],
  MaxItems: 1000,
};

const usages = {
  KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' as const }, { Name: 'KEY_ENCIPHERMENT' as const }],
  ExtendedKeyUsages: [
    { Name: 'TLS_WEB_SERVER_AUTHENTICATION' as const, OID: '1.3.6.1.5.5.7.3.1' },
    { Name: 'TLS_WEB_CLIENT_AUTHENTICATION' as const, OID: '1.3.6.1.5.5.7.3.2' },
  ],
};

const details: Record<string, CertificateDetail> = {
  [certArn('us-east-1', 1)]: {
    CertificateArn: certArn('us-east-1', 1),
    DomainName: 'api.payments.example.com',
    SubjectAlternativeNames: ['api.payments.example.com', 'www.payments.example.com'],
    Issuer: 'Amazon',
    Subject: 'CN=api.payments.example.com',
    CreatedAt: new Date('2025-05-17T06:56:31Z'),
    IssuedAt: new Date('2026-04-19T06:59:31Z'),
    Status: 'ISSUED',
    NotBefore: new Date('2026-04-19T06:59:31Z'),
    NotAfter: new Date('2027-05-19T06:59:31Z'),
    KeyAlgorithm: 'RSA_2048',
    SignatureAlgorithm: 'SHA256WITHRSA',
    InUseBy: [ALB, NLB],
    Type: 'AMAZON_ISSUED',
    RenewalSummary: {
      RenewalStatus: 'SUCCESS',
      DomainValidationOptions: [],
      UpdatedAt: new Date('2026-04-19T06:59:31Z'),
    },
    RenewalEligibility: 'ELIGIBLE',
    ...usages,
  },
  [certArn('us-east-1', 2)]: {
    CertificateArn: certArn('us-east-1', 2),
    DomainName: 'auth.payments.example.com',
    SubjectAlternativeNames: ['auth.payments.example.com'],
    ImportedAt: new Date('2026-09-01T00:00:00Z'),
    Status: 'EXPIRED',
    NotBefore: new Date('2026-08-30T00:00:00Z'),
    NotAfter: new Date('2026-11-28T00:00:00Z'),
    KeyAlgorithm: 'EC_prime256v1',
    SignatureAlgorithm: 'SHA384WITHECDSA',
    Issuer: 'E6',
    InUseBy: [],
    Type: 'IMPORTED',
    RenewalEligibility: 'INELIGIBLE',
    KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }],
    ExtendedKeyUsages: usages.ExtendedKeyUsages,
  },
  [certArn('us-east-1', 3)]: {
    CertificateArn: certArn('us-east-1', 3),
    DomainName: 'status.payments.example.com',
    SubjectAlternativeNames: ['status.payments.example.com'],
    CreatedAt: new Date('2026-11-25T20:00:00Z'),
    Status: 'PENDING_VALIDATION',
    KeyAlgorithm: 'RSA_4096',
    InUseBy: [],
    Type: 'AMAZON_ISSUED',
    RenewalEligibility: 'INELIGIBLE',
  },
  [certArn('us-east-1', 4)]: {
    CertificateArn: certArn('us-east-1', 4),
    DomainName: 'webhooks.payments.example.com',
    CreatedAt: new Date('2026-11-20T20:00:00Z'),
    Status: 'FAILED',
    FailureReason: 'CAA_ERROR',
    KeyAlgorithm: 'EC_secp384r1',
    Type: 'AMAZON_ISSUED',
  },
  [certArn('us-east-1', 6)]: {
    CertificateArn: certArn('us-east-1', 6),
    DomainName: 'grpc.payments.example.com',
    CreatedAt: new Date('2025-10-01T00:00:00Z'),
    IssuedAt: new Date('2025-10-01T00:10:00Z'),
    Status: 'ISSUED',
    NotBefore: new Date('2025-10-01T00:10:00Z'),
    NotAfter: new Date('2026-12-10T00:10:00Z'),
    KeyAlgorithm: 'RSA_2048',
    InUseBy: [ALB],
    Type: 'AMAZON_ISSUED',
    RenewalSummary: {
      RenewalStatus: 'PENDING_VALIDATION',
      DomainValidationOptions: [],
      UpdatedAt: new Date('2026-10-11T00:10:00Z'),
      RenewalStatusReason: 'OTHER',
    },
    ...usages,
  },
  [certArn('eu-west-1', 5)]: {
    CertificateArn: certArn('eu-west-1', 5),
    DomainName: 'app.payments.internal',
    Status: 'REVOKED',
    RevokedAt: new Date('2026-06-01T00:00:00Z'),
    KeyAlgorithm: 'RSA_3072',
    Type: 'PRIVATE',
    ManagedBy: 'CLOUDFRONT',
  },
};

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * Five certificates in us-east-1 over two ListCertificates pages (one deleted before it is described), one in
 * eu-west-1. `override` replaces an operation's answer.
 */
function account360(override: Partial<Record<string, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  const summary = (arn: string) => ({ CertificateArn: arn, DomainName: details[arn]?.DomainName });
  acm.on(ListCertificatesCommand).callsFake(
    answer('ListCertificates', ({ region, input }) => {
      if (region === 'eu-west-1') return { CertificateSummaryList: [summary(certArn(region, 5))] };
      if (input.NextToken === undefined) {
        return {
          CertificateSummaryList: [1, 2, 3].map((n) => summary(certArn(region, n))),
          NextToken: 'page-2',
        };
      }
      return { CertificateSummaryList: [4, 7, 6].map((n) => summary(certArn(region, n))) };
    }),
  );
  acm.on(DescribeCertificateCommand).callsFake(
    answer('DescribeCertificate', ({ input }) => {
      const found = details[input.CertificateArn];
      if (!found) {
        throw serviceError(
          'ResourceNotFoundException',
          `Could not find certificate ${input.CertificateArn}.`,
        );
      }
      return { Certificate: found };
    }),
  );
  return calls;
}

const of = (calls: Call[], operation: string) => calls.filter((c) => c.operation === operation);

describe('acm collector', () => {
  it('lists every key type and origin in every region, page by page, and describes each certificate', async () => {
    const calls = account360();

    const result = await acmCollector.collect(collectContext({ window }));

    expect(of(calls, 'ListCertificates').map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        ['us-east-1', listInput],
        ['us-east-1', { ...listInput, NextToken: 'page-2' }],
        ['eu-west-1', listInput],
      ]),
    );
    expect(of(calls, 'ListCertificates')).toHaveLength(3);
    expect(ALL_KEY_TYPES).toEqual(listInput.Includes.keyTypes);
    expect(
      of(calls, 'DescribeCertificate')
        .map((c) => [c.region, c.input.CertificateArn])
        .sort(),
    ).toEqual(
      [
        ...[1, 2, 3, 4, 7, 6].map((n) => ['us-east-1', certArn('us-east-1', n)]),
        ['eu-west-1', certArn('eu-west-1', 5)],
      ].sort(),
    );

    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    const certificates = result.payload.certificate_manager;
    expect(certificates.map((c) => [c.region, c.arn])).toEqual([
      ...[1, 2, 3, 4, 6].map((n) => ['us-east-1', certArn('us-east-1', n)]),
      ['eu-west-1', certArn('eu-west-1', 5)],
    ]);
    expect(result.rows).toBe(6);
    expect(certificates[0]).toEqual({
      arn: certArn('us-east-1', 1),
      region: 'us-east-1',
      domain_name: 'api.payments.example.com',
      subject_alternative_names: ['api.payments.example.com', 'www.payments.example.com'],
      status: 'ISSUED',
      type: 'AMAZON_ISSUED',
      key_algorithm: 'RSA_2048',
      signature_algorithm: 'SHA256WITHRSA',
      issuer: 'Amazon',
      created_at: '2025-05-17T06:56:31.000Z',
      issued_at: '2026-04-19T06:59:31.000Z',
      imported_at: null,
      not_before: '2026-04-19T06:59:31.000Z',
      not_after: '2027-05-19T06:59:31.000Z',
      revoked_at: null,
      renewal_eligibility: 'ELIGIBLE',
      renewal_status: 'SUCCESS',
      renewal_status_reason: null,
      failure_reason: null,
      key_usages: ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT'],
      extended_key_usages: ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION'],
      in_use_by: [ALB, NLB],
      managed_by: null,
    });
    expect(certificates[1]).toMatchObject({
      type: 'IMPORTED',
      status: 'EXPIRED',
      key_algorithm: 'EC_prime256v1',
      created_at: null,
      imported_at: '2026-09-01T00:00:00.000Z',
      issuer: 'E6',
      renewal_status: null,
      key_usages: ['DIGITAL_SIGNATURE'],
    });
    expect(certificates[2]).toMatchObject({
      status: 'PENDING_VALIDATION',
      key_algorithm: 'RSA_4096',
      not_before: null,
      not_after: null,
      signature_algorithm: null,
      key_usages: [],
      in_use_by: [],
    });
    expect(certificates[3]).toMatchObject({
      status: 'FAILED',
      failure_reason: 'CAA_ERROR',
      key_algorithm: 'EC_secp384r1',
      subject_alternative_names: [],
      renewal_eligibility: null,
    });
    expect(certificates[4]).toMatchObject({
      renewal_status: 'PENDING_VALIDATION',
      renewal_status_reason: 'OTHER',
      not_after: '2026-12-10T00:10:00.000Z',
    });
    expect(certificates[5]).toMatchObject({
      type: 'PRIVATE',
      status: 'REVOKED',
      revoked_at: '2026-06-01T00:00:00.000Z',
      managed_by: 'CLOUDFRONT',
    });
    expect(acmCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    account360({
      ListCertificates: ({ region }) => {
        if (region === 'eu-west-1')
          throw serviceError('AccessDeniedException', 'not authorized to perform: acm:ListCertificates');
        return { CertificateSummaryList: [{ CertificateArn: certArn(region, 1) }] };
      },
    });
    const result = await acmCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.certificate_manager.map((c) => c.arn)).toEqual([certArn('us-east-1', 1)]);
  });

  it('skips an opt-in region whose endpoint does not know the credentials that work elsewhere', async () => {
    account360({
      ListCertificates: ({ region }) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        }
        return { CertificateSummaryList: [] };
      },
    });
    const result = await acmCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.payload).toEqual({ certificate_manager: [] });
  });

  it.each([
    ['AccessDeniedException', 'not authorized to perform: acm:ListCertificates', 400, SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServerException', 'Internal error', 500, TransientError],
    ['InvalidArgsException', 'The NextToken is not valid.', 400, SourceRequestError],
    ['ValidationException', '1 validation error detected', 400, SourceRequestError],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    account360({
      ListCertificates: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(acmCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('fails when DescribeCertificate is throttled beyond retries', async () => {
    account360({
      DescribeCertificate: () => {
        throw serviceError('ThrottlingException', 'Rate exceeded');
      },
    });
    await expect(acmCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(TransientError);
  });

  it.each([
    [
      'CertificateArn in the list',
      { ListCertificates: () => ({ CertificateSummaryList: [{ DomainName: 'x.example.com' }] }) },
      'CertificateSummaryList[0].CertificateArn',
    ],
    ['Certificate', { DescribeCertificate: () => ({}) }, ') Certificate'],
    [
      'Status',
      {
        DescribeCertificate: ({ input }: Call) => ({
          Certificate: { ...details[input.CertificateArn], Status: undefined },
        }),
      },
      'Certificate.Status',
    ],
    [
      'RenewalStatus',
      {
        DescribeCertificate: ({ input }: Call) => ({
          Certificate: { ...details[input.CertificateArn], RenewalSummary: { UpdatedAt: new Date() } },
        }),
      },
      'Certificate.RenewalSummary.RenewalStatus',
    ],
  ])('rejects a response without %s, naming the field', async (_field, override, path) => {
    account360(override);
    const error = await acmCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('returns no certificates, and is not SKIPPED, for regions without certificates', async () => {
    account360({ ListCertificates: () => ({ CertificateSummaryList: [] }) });
    const result = await acmCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ certificate_manager: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
  });

  it('declares exactly the IAM actions of the commands it sent', () => {
    expect([...acmCollector.actions].sort()).toEqual([...sent].sort());
    expect(acmCollector.scope).toBe('regional');
    expect(acmCollector.tables).toEqual(['certificates']);
  });
});
