import {
  ACMClient,
  type CertificateDetail,
  DescribeCertificateCommand,
  type KeyAlgorithm,
  ListCertificatesCommand,
  type ListCertificatesCommandOutput,
} from '@aws-sdk/client-acm';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector } from './types.ts';

/**
 * Every key algorithm ACM knows (API reference, Filters.keyTypes). Without this filter ListCertificates returns
 * only RSA_1024 and RSA_2048 certificates, so ECDSA and larger RSA certificates would be missing.
 */
export const ALL_KEY_TYPES = [
  'RSA_1024',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_prime256v1',
  'EC_secp384r1',
  'EC_secp521r1',
] as const satisfies readonly KeyAlgorithm[];

/** Every key pair origin: by default ListCertificates leaves out certificates issued through ACME. */
export const ALL_KEY_PAIR_ORIGINS = ['AWS_MANAGED', 'CUSTOMER_PROVIDED', 'ACME'] as const;

const timestamp = z.iso.datetime();

const certificateSchema = z.object({
  arn: z.string().min(1),
  region: z.string().min(1),
  /** The subject's common name; a private certificate may have none. */
  domain_name: z.string().min(1).nullable(),
  subject_alternative_names: z.array(z.string().min(1)),
  /** PENDING_VALIDATION, ISSUED, INACTIVE, EXPIRED, VALIDATION_TIMED_OUT, REVOKED, FAILED. */
  status: z.string().min(1),
  /** AMAZON_ISSUED, IMPORTED, PRIVATE. */
  type: z.string().min(1),
  key_algorithm: z.string().min(1),
  signature_algorithm: z.string().nullable(),
  issuer: z.string().nullable(),
  /** When the certificate was requested (not for imported certificates). */
  created_at: timestamp.nullable(),
  issued_at: timestamp.nullable(),
  imported_at: timestamp.nullable(),
  not_before: timestamp.nullable(),
  not_after: timestamp.nullable(),
  revoked_at: timestamp.nullable(),
  renewal_eligibility: z.string().nullable(),
  /** ACM's managed renewal: PENDING_AUTO_RENEWAL, PENDING_VALIDATION, SUCCESS, FAILED; null before any. */
  renewal_status: z.string().nullable(),
  renewal_status_reason: z.string().nullable(),
  /** Why the request failed, for FAILED certificates. */
  failure_reason: z.string().nullable(),
  key_usages: z.array(z.string().min(1)),
  extended_key_usages: z.array(z.string().min(1)),
  /** ARNs of the AWS resources (load balancers, CloudFront distributions...) that use the certificate. */
  in_use_by: z.array(z.string().min(1)),
  managed_by: z.string().nullable(),
});

export const acmPayloadSchema = z.object({
  certificate_manager: z.array(certificateSchema),
});
export type AcmPayload = z.infer<typeof acmPayloadSchema>;
export type Certificate = AcmPayload['certificate_manager'][number];

/** ListCertificates accepts MaxItems of 1 to 1000. */
const MAX_ITEMS = 1000;
/** Certificates described at once per region: ACM's per-operation request rates are low. */
const DESCRIBE_CONCURRENCY = 4;

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;
const iso = (date: Date | undefined) => (date === undefined ? null : date.toISOString());

async function listCertificateArns(acm: ACMClient, region: string): Promise<string[]> {
  const arns: string[] = [];
  let token: string | undefined;
  let page = 0;
  do {
    const response: ListCertificatesCommandOutput = await acm.send(
      new ListCertificatesCommand({
        Includes: { keyTypes: [...ALL_KEY_TYPES] },
        CertificateKeyPairOrigins: [...ALL_KEY_PAIR_ORIGINS],
        MaxItems: MAX_ITEMS,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    page += 1;
    (response.CertificateSummaryList ?? []).forEach((summary, i) => {
      arns.push(
        required(
          summary.CertificateArn,
          `ListCertificates(${region}, page ${page}) CertificateSummaryList[${i}].CertificateArn`,
        ),
      );
    });
    token = response.NextToken;
  } while (token);
  return arns;
}

function certificateOf(detail: CertificateDetail, arn: string, region: string): Certificate {
  const at = `DescribeCertificate(${arn}) Certificate`;
  const renewal = detail.RenewalSummary;
  return {
    arn: required(detail.CertificateArn, `${at}.CertificateArn`),
    region,
    domain_name: detail.DomainName || null,
    subject_alternative_names: detail.SubjectAlternativeNames ?? [],
    status: required(detail.Status, `${at}.Status`),
    type: required(detail.Type, `${at}.Type`),
    key_algorithm: required(detail.KeyAlgorithm, `${at}.KeyAlgorithm`),
    signature_algorithm: detail.SignatureAlgorithm ?? null,
    issuer: detail.Issuer ?? null,
    created_at: iso(detail.CreatedAt),
    issued_at: iso(detail.IssuedAt),
    imported_at: iso(detail.ImportedAt),
    not_before: iso(detail.NotBefore),
    not_after: iso(detail.NotAfter),
    revoked_at: iso(detail.RevokedAt),
    renewal_eligibility: detail.RenewalEligibility ?? null,
    renewal_status: renewal ? required(renewal.RenewalStatus, `${at}.RenewalSummary.RenewalStatus`) : null,
    renewal_status_reason: renewal?.RenewalStatusReason ?? null,
    failure_reason: detail.FailureReason ?? null,
    key_usages: (detail.KeyUsages ?? []).flatMap((u) => (u.Name ? [u.Name] : [])),
    extended_key_usages: (detail.ExtendedKeyUsages ?? []).flatMap((u) => (u.Name ? [u.Name] : [])),
    in_use_by: detail.InUseBy ?? [],
    managed_by: detail.ManagedBy ?? null,
  };
}

async function collectRegion(ctx: CollectContext, region: string): Promise<Certificate[]> {
  const acm = ctx.clients.client(ACMClient, region);
  const arns = await listCertificateArns(acm, region);
  const certificates = await mapLimit(arns, DESCRIBE_CONCURRENCY, async (arn) => {
    try {
      const response = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
      return certificateOf(
        required(response.Certificate, `DescribeCertificate(${arn}) Certificate`),
        arn,
        region,
      );
    } catch (error) {
      if (nameOf(error) === 'ResourceNotFoundException') {
        ctx.log.debug('certificate deleted while collecting', { certificate: arn, region });
        return null;
      }
      throw error;
    }
  });
  return certificates.filter((c) => c !== null);
}

export const acmCollector = defineCollector({
  id: 'acm',
  title: 'ACM: certificates of every key type, their expiry, renewal and use',
  scope: 'regional',
  actions: ['acm:ListCertificates', 'acm:DescribeCertificate'],
  tables: ['certificates'],
  schema: acmPayloadSchema,
  async collect(ctx) {
    const collection = await collectEachRegion(ctx, (region) => collectRegion(ctx, region));
    const payload: AcmPayload = { certificate_manager: collection.results.flatMap((r) => r.value) };
    return {
      payload,
      rows: payload.certificate_manager.length,
      regions: collection.regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
