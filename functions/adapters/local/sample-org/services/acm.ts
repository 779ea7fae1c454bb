import type { Environment, SampleAccount } from '../accounts.ts';
import { regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { slotOccupant } from './kms.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

type Kind = 'public' | 'imported' | 'private' | 'request';
type KeyAlgorithm = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'EC_prime256v1' | 'EC_secp384r1';

/** A certificate of the sample organization, from its request (or import) to its deletion. */
interface SampleCertificate {
  readonly arn: string;
  readonly kind: Kind;
  readonly domain: string;
  readonly alternativeNames: readonly string[];
  readonly keyAlgorithm: KeyAlgorithm;
  readonly createdAt: Date;
  readonly removedAt: Date;
  /** Meant to serve a load balancer of its region. */
  readonly wantsUse: boolean;
  /** The DNS validation record is still in place, so ACM can renew the certificate. */
  readonly validationIntact: boolean;
  /** Public: minutes until the domain validated. Request: never validated, or refused (FAILED). */
  readonly validationMinutes: number;
  readonly failure: string | null;
  /** Imported: its issuer and validity. */
  readonly issuer: string;
  readonly validityDays: number;
  readonly revokedAfterDays: number | null;
  readonly random: Random;
}

/** Slots per region of a scale-1 account's home region, per kind; other regions get fewer. */
const SLOTS: Record<Environment, Record<Exclude<Kind, 'request'>, number>> = {
  management: { public: 1.5, imported: 0, private: 0 },
  security: { public: 1.5, imported: 0.5, private: 0 },
  production: { public: 4, imported: 1.5, private: 1 },
  staging: { public: 3, imported: 1, private: 0.5 },
  development: { public: 2, imported: 0.5, private: 0 },
  sandbox: { public: 1, imported: 0, private: 0 },
};
const PERIODS: Record<Kind, readonly [number, number]> = {
  public: [90, 900],
  imported: [60, 420],
  private: [120, 700],
  // Requests are made again every few days until someone adds the validation record: steady churn.
  request: [4, 12],
};
const SUBDOMAINS = [
  'api',
  'www',
  'app',
  'admin',
  'auth',
  'status',
  'grpc',
  'ws',
  'partners',
  'webhooks',
  'checkout',
  'docs',
];
const IMPORTED_ISSUERS: ReadonlyArray<{ issuer: string; days: number; ec: boolean; weight: number }> = [
  { issuer: 'DigiCert Global G2 TLS RSA SHA256 2020 CA1', days: 397, ec: false, weight: 4 },
  { issuer: 'Sectigo RSA Domain Validation Secure Server CA', days: 397, ec: false, weight: 2 },
  { issuer: 'R11', days: 90, ec: false, weight: 2 },
  { issuer: 'E6', days: 90, ec: true, weight: 1 },
];
const FAILURES = ['CAA_ERROR', 'ADDITIONAL_VERIFICATION_REQUIRED', 'DOMAIN_NOT_ALLOWED'];
/** Amazon-issued public certificates are valid 395 days; ACM renews them from 60 days before expiry. */
const PUBLIC_VALIDITY_DAYS = 395;
const RENEWAL_WINDOW_DAYS = 60;
/** A managed renewal completes two days after it starts. */
const RENEWAL_DAYS = 2;
/** An unvalidated request times out after 72 hours. */
const VALIDATION_TIMEOUT_MS = 72 * HOUR_MS;

const ENVIRONMENT_LABEL: Record<Environment, string> = {
  management: 'mgmt',
  security: 'security',
  production: '',
  staging: 'staging',
  development: 'dev',
  sandbox: 'sandbox',
};

function zoneOf(account: SampleAccount, kind: Kind): string {
  const label = ENVIRONMENT_LABEL[account.environment];
  const base = account.product ?? account.name;
  return kind === 'private'
    ? `${label ? `${label}.` : ''}${base}.internal`
    : `${label ? `${label}.` : ''}${base}.example.com`;
}

function sampleCertificate(
  account: SampleAccount,
  region: string,
  kind: Kind,
  taken: NonNullable<ReturnType<typeof slotOccupant>>,
): SampleCertificate {
  const { random: r } = taken;
  const zone = zoneOf(account, kind);
  const wildcard = kind === 'public' && r.chance(0.15);
  const domain = wildcard ? `*.${zone}` : `${r.pick(SUBDOMAINS)}.${zone}`;
  const alternativeNames = wildcard
    ? [domain, zone]
    : r.chance(0.3)
      ? [domain, `${r.pick(SUBDOMAINS)}.${zone}`]
      : [domain];
  const imported = r.weighted(
    IMPORTED_ISSUERS,
    IMPORTED_ISSUERS.map((i) => i.weight),
  );
  const keyAlgorithm: KeyAlgorithm =
    kind === 'imported'
      ? imported.ec
        ? 'EC_prime256v1'
        : r.weighted(['RSA_2048', 'RSA_4096'] as const, [6, 4])
      : kind === 'private'
        ? r.weighted(['RSA_2048', 'RSA_3072', 'EC_secp384r1'] as const, [5, 2, 3])
        : r.weighted(['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'] as const, [65, 30, 5]);
  const id = r.uuid();
  return {
    arn: `arn:aws:acm:${region}:${account.id}:certificate/${id}`,
    kind,
    domain,
    alternativeNames: [...new Set(alternativeNames)],
    keyAlgorithm,
    createdAt: taken.createdAt,
    removedAt: taken.removedAt,
    wantsUse: kind !== 'request' && account.environment !== 'sandbox' && r.chance(0.75),
    validationIntact: r.chance(0.9),
    validationMinutes: r.int(2, 120),
    failure: kind === 'request' && r.chance(0.15) ? r.pick(FAILURES) : null,
    issuer:
      kind === 'imported'
        ? imported.issuer
        : kind === 'private'
          ? `${account.product ?? account.name} Issuing CA`
          : 'Amazon',
    validityDays: kind === 'imported' ? imported.days : PUBLIC_VALIDITY_DAYS,
    revokedAfterDays: kind === 'private' && r.chance(0.08) ? r.int(5, 200) : null,
    random: new Random(id, 'details'),
  };
}

/** Every certificate an account has in a region at `now`, in request order. */
function sampleCertificates(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleCertificate[] {
  const day = Math.floor(now.getTime() / DAY_MS);
  const home = region === regions[0];
  const scale = Math.max(0.5, Math.min(account.scale, 5)) * (home ? 1 : 0.45);
  const counts: Record<Kind, number> = {
    public: Math.round(SLOTS[account.environment].public * scale),
    imported: Math.round(SLOTS[account.environment].imported * scale),
    private: Math.round(SLOTS[account.environment].private * scale),
    request: home && ['production', 'staging', 'development'].includes(account.environment) ? 1 : 0,
  };
  const certificates: SampleCertificate[] = [];
  for (const kind of Object.keys(counts) as Kind[]) {
    for (let slot = 0; slot < counts[kind]; slot++) {
      const taken = slotOccupant(
        [account.id, region, 'acm', kind, slot],
        day,
        PERIODS[kind],
        kind === 'request' ? 0.3 : 0.08,
      );
      if (taken && taken.createdAt <= now) certificates.push(sampleCertificate(account, region, kind, taken));
    }
  }
  return certificates.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

interface Lifecycle {
  readonly status:
    | 'PENDING_VALIDATION'
    | 'ISSUED'
    | 'EXPIRED'
    | 'VALIDATION_TIMED_OUT'
    | 'FAILED'
    | 'REVOKED';
  readonly issuedAt: Date | null;
  readonly notBefore: Date | null;
  readonly notAfter: Date | null;
  readonly revokedAt: Date | null;
  readonly renewal: { status: string; reason?: string; updatedAt: Date } | null;
}

/**
 * Where a certificate stands at `now`. An Amazon-issued or private certificate in use is renewed by ACM from 60
 * days before it expires (a public one only while its DNS validation record is in place); an unused or imported one
 * just expires.
 */
function lifecycleOf(cert: SampleCertificate, now: Date): Lifecycle {
  const none = { issuedAt: null, notBefore: null, notAfter: null, revokedAt: null, renewal: null };
  if (cert.kind === 'request') {
    if (cert.failure !== null) return { status: 'FAILED', ...none };
    const timedOut = now.getTime() - cert.createdAt.getTime() >= VALIDATION_TIMEOUT_MS;
    return { status: timedOut ? 'VALIDATION_TIMED_OUT' : 'PENDING_VALIDATION', ...none };
  }
  if (cert.kind === 'imported') {
    const notBefore = new Date(cert.createdAt.getTime() - cert.random.int(0, 3) * DAY_MS);
    const notAfter = new Date(notBefore.getTime() + cert.validityDays * DAY_MS);
    return {
      status: now >= notAfter ? 'EXPIRED' : 'ISSUED',
      issuedAt: null,
      notBefore,
      notAfter,
      revokedAt: null,
      renewal: null,
    };
  }
  const issuedAt = new Date(cert.createdAt.getTime() + cert.validationMinutes * 60_000);
  if (now < issuedAt) return { status: 'PENDING_VALIDATION', ...none };
  const validity = cert.validityDays * DAY_MS;
  const renews = cert.wantsUse && (cert.kind === 'private' || cert.validationIntact);
  const cycle = (cert.validityDays - RENEWAL_WINDOW_DAYS + RENEWAL_DAYS) * DAY_MS;
  const generation = renews ? Math.floor((now.getTime() - issuedAt.getTime()) / cycle) : 0;
  const notBefore = new Date(issuedAt.getTime() + generation * cycle);
  const notAfter = new Date(notBefore.getTime() + validity);
  const windowOpens = new Date(notAfter.getTime() - RENEWAL_WINDOW_DAYS * DAY_MS);
  let renewal: Lifecycle['renewal'] = generation > 0 ? { status: 'SUCCESS', updatedAt: notBefore } : null;
  if (cert.wantsUse && now >= windowOpens) {
    renewal = renews
      ? { status: 'PENDING_AUTO_RENEWAL', updatedAt: windowOpens }
      : now >= notAfter
        ? { status: 'FAILED', reason: 'OTHER', updatedAt: notAfter }
        : { status: 'PENDING_VALIDATION', updatedAt: windowOpens };
  }
  const revokedAt =
    cert.revokedAfterDays === null ? null : new Date(issuedAt.getTime() + cert.revokedAfterDays * DAY_MS);
  if (revokedAt !== null && now >= revokedAt) {
    return { status: 'REVOKED', issuedAt: notBefore, notBefore, notAfter, revokedAt, renewal: null };
  }
  return {
    status: now >= notAfter ? 'EXPIRED' : 'ISSUED',
    issuedAt: notBefore,
    notBefore,
    notAfter,
    revokedAt: null,
    renewal,
  };
}

/** The load balancers of the region that serve each certificate (a certificate may be on two, for SNI). */
function usersOf(call: SampleCall, certificates: readonly SampleCertificate[]): Map<string, string[]> {
  const balancers = regionInventory(call.account, call.region, call.regions, call.now).loadBalancers;
  const users = new Map<string, string[]>();
  if (balancers.length === 0) return users;
  const serving = certificates.filter((c) => {
    const status = lifecycleOf(c, call.now).status;
    return c.wantsUse && (status === 'ISSUED' || status === 'EXPIRED');
  });
  serving.forEach((cert, i) => {
    const arns = [balancers[i % balancers.length]?.arn as string];
    if (i % 4 === 0 && balancers.length > 1) arns.push(balancers[(i + 1) % balancers.length]?.arn as string);
    users.set(cert.arn, arns);
  });
  return users;
}

const isEc = (algorithm: KeyAlgorithm) => algorithm.startsWith('EC_');

function signatureAlgorithm(cert: SampleCertificate): string {
  if (cert.keyAlgorithm === 'EC_secp384r1' || cert.issuer === 'E6') return 'SHA384WITHECDSA';
  return isEc(cert.keyAlgorithm) ? 'SHA256WITHECDSA' : 'SHA256WITHRSA';
}

const EXTENDED_KEY_USAGES = [
  { Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' },
  { Name: 'TLS_WEB_CLIENT_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.2' },
];

function typeOf(cert: SampleCertificate): string {
  if (cert.kind === 'imported') return 'IMPORTED';
  return cert.kind === 'private' ? 'PRIVATE' : 'AMAZON_ISSUED';
}

function detailOf(
  call: SampleCall,
  cert: SampleCertificate,
  inUseBy: readonly string[],
): Record<string, unknown> {
  const life = lifecycleOf(cert, call.now);
  const issued = life.notBefore !== null;
  const r = new Random(cert.arn, 'detail');
  const amazon = cert.kind === 'public' || cert.kind === 'request';
  const eligible = cert.kind !== 'imported' && cert.kind !== 'request' && inUseBy.length > 0;
  const validation = (name: string) => {
    const token = new Random(cert.arn, name).hex(32);
    return {
      DomainName: name,
      ValidationDomain: name.replace(/^\*\./, ''),
      ValidationStatus: issued
        ? 'SUCCESS'
        : life.status === 'PENDING_VALIDATION'
          ? 'PENDING_VALIDATION'
          : 'FAILED',
      ResourceRecord: {
        Name: `_${token}.${name.replace(/^\*\./, '')}.`,
        Type: 'CNAME',
        Value: `_${new Random(cert.arn, name, 'value').hex(32)}.xlfgrmvvlj.acm-validations.aws.`,
      },
      ValidationMethod: 'DNS',
    };
  };
  return {
    CertificateArn: cert.arn,
    DomainName: cert.domain,
    SubjectAlternativeNames: [...cert.alternativeNames],
    ...(amazon ? { DomainValidationOptions: cert.alternativeNames.map(validation) } : {}),
    ...(issued
      ? {
          Serial: Array.from({ length: 16 }, () => r.hex(2)).join(':'),
          Subject: `CN=${cert.domain}`,
          Issuer: cert.issuer,
        }
      : {}),
    ...(cert.kind === 'imported' ? { ImportedAt: cert.createdAt } : { CreatedAt: cert.createdAt }),
    ...(life.issuedAt ? { IssuedAt: life.issuedAt } : {}),
    Status: life.status,
    ...(life.revokedAt ? { RevokedAt: life.revokedAt, RevocationReason: 'SUPERSEDED' } : {}),
    ...(life.notBefore ? { NotBefore: life.notBefore, NotAfter: life.notAfter } : {}),
    KeyAlgorithm: cert.keyAlgorithm,
    ...(issued ? { SignatureAlgorithm: signatureAlgorithm(cert) } : {}),
    InUseBy: [...inUseBy],
    ...(cert.failure ? { FailureReason: cert.failure } : {}),
    Type: typeOf(cert),
    ...(life.renewal
      ? {
          RenewalSummary: {
            RenewalStatus: life.renewal.status,
            DomainValidationOptions: amazon ? cert.alternativeNames.map(validation) : [],
            ...(life.renewal.reason ? { RenewalStatusReason: life.renewal.reason } : {}),
            UpdatedAt: life.renewal.updatedAt,
          },
        }
      : {}),
    ...(issued
      ? {
          KeyUsages: (isEc(cert.keyAlgorithm)
            ? ['DIGITAL_SIGNATURE']
            : ['DIGITAL_SIGNATURE', 'KEY_ENCIPHERMENT']
          ).map((Name) => ({ Name })),
          ExtendedKeyUsages: EXTENDED_KEY_USAGES.map((u) => ({ ...u })),
        }
      : {}),
    ...(cert.kind === 'private'
      ? {
          CertificateAuthorityArn: `arn:aws:acm-pca:${call.region}:${call.account.id}:certificate-authority/${new Random(call.account.id, call.region, 'ca').uuid()}`,
        }
      : {}),
    RenewalEligibility: eligible ? 'ELIGIBLE' : 'INELIGIBLE',
    Options: { CertificateTransparencyLoggingPreference: cert.kind === 'private' ? 'DISABLED' : 'ENABLED' },
    CertificateKeyPairOrigin: cert.kind === 'imported' ? 'CUSTOMER_PROVIDED' : 'AWS_MANAGED',
  };
}

function summaryOf(detail: Record<string, unknown>): Record<string, unknown> {
  const names = detail.SubjectAlternativeNames as string[];
  return {
    CertificateArn: detail.CertificateArn,
    DomainName: detail.DomainName,
    SubjectAlternativeNameSummaries: names,
    HasAdditionalSubjectAlternativeNames: false,
    Status: detail.Status,
    Type: detail.Type,
    KeyAlgorithm: detail.KeyAlgorithm,
    ...(detail.KeyUsages
      ? { KeyUsages: (detail.KeyUsages as Array<{ Name: string }>).map((u) => u.Name) }
      : {}),
    ...(detail.ExtendedKeyUsages
      ? { ExtendedKeyUsages: (detail.ExtendedKeyUsages as Array<{ Name: string }>).map((u) => u.Name) }
      : {}),
    ExportOption: 'DISABLED',
    InUse: (detail.InUseBy as string[]).length > 0,
    Exported: false,
    RenewalEligibility: detail.RenewalEligibility,
    ...Object.fromEntries(
      ['NotBefore', 'NotAfter', 'CreatedAt', 'IssuedAt', 'ImportedAt', 'RevokedAt']
        .filter((field) => detail[field] !== undefined)
        .map((field) => [field, detail[field]]),
    ),
    CertificateKeyPairOrigin: detail.CertificateKeyPairOrigin,
  };
}

const KEY_TYPES = [
  'RSA_1024',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_prime256v1',
  'EC_secp384r1',
  'EC_secp521r1',
];
const STATUSES = [
  'PENDING_VALIDATION',
  'ISSUED',
  'INACTIVE',
  'EXPIRED',
  'VALIDATION_TIMED_OUT',
  'REVOKED',
  'FAILED',
];
const ORIGINS = ['AWS_MANAGED', 'ACME', 'CUSTOMER_PROVIDED'];
/** Without a keyTypes filter ListCertificates returns only these (API reference, Filters). */
const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];
/** Without CertificateKeyPairOrigins ListCertificates leaves out ACME certificates. */
const DEFAULT_ORIGINS = ['AWS_MANAGED', 'CUSTOMER_PROVIDED'];
/** ACM may return fewer certificates than MaxItems: small pages, so paging happens. */
const SERVER_PAGE = 10;

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

function checkValues(values: unknown, allowed: readonly string[], field: string): string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.some((v) => !allowed.includes(v))) {
    throw validation(
      `Value '${JSON.stringify(values)}' at '${field}' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [${allowed.join(', ')}]]`,
    );
  }
  return values as string[];
}

/** Recently answered certificate lists: a collection describes every certificate of a region in a row. */
const recentDetails = new Map<string, Array<Record<string, unknown>>>();
const RECENT_DETAIL_LISTS = 32;

/** Every certificate of the call's account and region at `call.now`, as DescribeCertificate shows it. */
function currentCertificates(call: SampleCall): Array<Record<string, unknown>> {
  const { account, region, regions, now } = call;
  const key = `${account.id}|${account.environment}|${account.scale}|${region}|${regions.join(',')}|${now.getTime()}`;
  const cached = recentDetails.get(key);
  if (cached) return structuredClone(cached);
  const certificates = sampleCertificates(account, region, regions, now);
  const users = usersOf(call, certificates);
  const details = certificates.map((cert) => detailOf(call, cert, users.get(cert.arn) ?? []));
  if (recentDetails.size >= RECENT_DETAIL_LISTS)
    recentDetails.delete(recentDetails.keys().next().value as string);
  recentDetails.set(key, details);
  return structuredClone(details);
}

function listCertificates(call: SampleCall): object {
  const { CertificateStatuses, CertificateKeyPairOrigins, Includes, MaxItems, NextToken, SortBy, SortOrder } =
    call.input;
  if (MaxItems !== undefined && (!Number.isInteger(MaxItems) || MaxItems < 1 || MaxItems > 1000)) {
    throw validation(
      `Value '${MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`,
    );
  }
  if (SortBy !== undefined && SortBy !== 'CREATED_AT') {
    throw validation(
      `Value '${SortBy}' at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: [CREATED_AT]`,
    );
  }
  if (SortOrder !== undefined && SortOrder !== 'ASCENDING' && SortOrder !== 'DESCENDING') {
    throw validation(
      `Value '${SortOrder}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [ASCENDING, DESCENDING]`,
    );
  }
  const statuses = checkValues(CertificateStatuses, STATUSES, 'certificateStatuses');
  const origins =
    checkValues(CertificateKeyPairOrigins, ORIGINS, 'certificateKeyPairOrigins') ?? DEFAULT_ORIGINS;
  const keyTypes = checkValues(Includes?.keyTypes, KEY_TYPES, 'includes.keyTypes') ?? DEFAULT_KEY_TYPES;
  if (Includes?.keyUsage !== undefined || Includes?.extendedKeyUsage !== undefined) {
    throw awsError(
      'InvalidArgsException',
      'The sample organization does not filter certificates by key usage.',
    );
  }
  const found = currentCertificates(call).filter(
    (c) =>
      keyTypes.includes(c.KeyAlgorithm as string) &&
      origins.includes(c.CertificateKeyPairOrigin as string) &&
      (statuses === undefined || statuses.length === 0 || statuses.includes(c.Status as string)),
  );
  if (SortOrder === 'DESCENDING') found.reverse();
  const { page, nextToken } = paginate(found, {
    token: NextToken,
    pageSize: Math.min(MaxItems ?? 1000, SERVER_PAGE),
    request: {
      account: call.account.id,
      region: call.region,
      CertificateStatuses,
      CertificateKeyPairOrigins,
      Includes,
      MaxItems,
      SortBy,
      SortOrder,
    },
    invalidToken: () => awsError('InvalidArgsException', 'The NextToken is not valid.'),
  });
  return {
    CertificateSummaryList: page.map(summaryOf),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

const CERTIFICATE_ARN = /^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

function describeCertificate(call: SampleCall): object {
  const { CertificateArn } = call.input;
  if (!CertificateArn) {
    throw validation("Value null at 'certificateArn' failed to satisfy constraint: Member must not be null");
  }
  if (!CERTIFICATE_ARN.test(CertificateArn)) {
    throw awsError('InvalidArnException', `String '${CertificateArn}' is not a valid ARN.`);
  }
  const found = currentCertificates(call).find((c) => c.CertificateArn === CertificateArn);
  if (!found) {
    throw awsError('ResourceNotFoundException', `Could not find certificate ${CertificateArn}.`);
  }
  return { Certificate: found };
}

export const acmSimulator: ServiceSimulator = {
  service: 'ACM',
  operations: { ListCertificates: listCertificates, DescribeCertificate: describeCertificate },
  // ACM needs no enabling; what fails is an opt-in region the account has not enabled, whose endpoint does not
  // recognise the account's credentials.
  notEnabled: () =>
    awsError('UnrecognizedClientException', 'The security token included in the request is invalid.'),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'DescribeCertificate') delete (copy.Certificate as Record<string, unknown>).Status;
    return copy;
  },
};
