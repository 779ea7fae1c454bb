import {
  BatchGetAccountStatusCommand,
  type FilterCriteria,
  type Finding,
  Inspector2Client,
  ListFindingsCommand,
} from '@aws-sdk/client-inspector2';
import { z } from 'zod';
import { DataContractError, ServiceNotEnabledError } from '../platform/errors.ts';
import type { Window } from '../platform/period.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const;
export const STATUSES = ['ACTIVE', 'SUPPRESSED', 'CLOSED'] as const;
/** Statuses of a finding that is no longer active: fixed, gone with its resource, or suppressed by a rule. */
export const INACTIVE_STATUSES = ['CLOSED', 'SUPPRESSED'] as const;

const timestamp = z.iso.datetime();

const findingSchema = z.object({
  finding_arn: z.string().min(1),
  severity: z.enum(SEVERITIES),
  status: z.enum(STATUSES),
  /** PACKAGE_VULNERABILITY, NETWORK_REACHABILITY or CODE_VULNERABILITY. */
  type: z.string().min(1),
  title: z.string().nullable(),
  description: z.string(),
  first_observed_at: timestamp,
  last_observed_at: timestamp,
  updated_at: timestamp.nullable(),
  /** The region the finding was collected in. */
  region: z.string().min(1),
  /** The first resource's type: AWS_EC2_INSTANCE, AWS_ECR_CONTAINER_IMAGE, AWS_LAMBDA_FUNCTION... */
  resource_type: z.string().min(1),
  /** The instance id, the image ARN with its digest, or the function ARN with its version. */
  resource_id: z.string().min(1),
  /** The CVE (or other advisory) of a package vulnerability. */
  vulnerability_id: z.string().nullable(),
  /** The first vulnerable package. */
  package_name: z.string().nullable(),
  package_version: z.string().nullable(),
  fix_available: z.enum(['YES', 'NO', 'PARTIAL']).nullable(),
  inspector_score: z.number().nullable(),
  exploit_available: z.enum(['YES', 'NO']).nullable(),
});
export type InspectorFinding = z.infer<typeof findingSchema>;

export const inspectorPayloadSchema = z.object({
  /** Active findings, and those closed or suppressed in the window, of every severity. */
  inspector: z.array(findingSchema),
});
export type InspectorPayload = z.infer<typeof inspectorPayloadSchema>;

/** ListFindings returns at most 100 findings a page. */
const MAX_RESULTS = 100;
/** Account statuses in which Amazon Inspector scans and reports findings. */
const ACTIVATED = new Set(['ENABLED', 'ENABLING']);

/**
 * Inspector refuses calls from an account it is not activated for with an AccessDeniedException of its own
 * ("Invoking account does not have access to ..."); an IAM denial reads "User: ... is not authorized to perform".
 */
const isInspectorNotActivated = ({ name, message }: { name: string; message: string }) =>
  name === 'AccessDeniedException' && /^Invoking account does not have access/i.test(message);

const equals = (value: string) => ({ comparison: 'EQUALS' as const, value });

export function activeFilter(accountId: string): FilterCriteria {
  return { awsAccountId: [equals(accountId)], findingStatus: [equals('ACTIVE')] };
}

/** Findings that left the active state during the window; the date filter is inclusive at both ends. */
export function inactiveFilter(accountId: string, window: Window): FilterCriteria {
  return {
    awsAccountId: [equals(accountId)],
    findingStatus: [{ comparison: 'NOT_EQUALS', value: 'ACTIVE' }],
    updatedAt: [
      {
        startInclusive: new Date(`${window.start}T00:00:00.000Z`),
        endInclusive: new Date(Date.parse(`${window.end}T00:00:00.000Z`) - 1),
      },
    ],
  };
}

/** Whether Inspector is activated for the account in the client's region; throws SKIPPED when it is not. */
async function checkActivated(client: Inspector2Client, accountId: string, region: string): Promise<void> {
  const response = await client.send(new BatchGetAccountStatusCommand({ accountIds: [accountId] }));
  const accounts = required(response.accounts, 'BatchGetAccountStatus accounts');
  const account = accounts.find((a) => a.accountId === accountId);
  if (!account) {
    const failed = response.failedAccounts?.find((a) => a.accountId === accountId);
    throw new DataContractError(
      `BatchGetAccountStatus (${region}) has no status for account ${accountId}${failed ? `: ${failed.errorCode}: ${failed.errorMessage}` : ''}`,
    );
  }
  const status = required(account.state?.status, `BatchGetAccountStatus accounts(${accountId}).state.status`);
  if (!ACTIVATED.has(status)) {
    throw new ServiceNotEnabledError(
      `Inspector2.BatchGetAccountStatus (${region}): Amazon Inspector is ${status} for account ${accountId}`,
    );
  }
}

async function listFindingsAllPages(client: Inspector2Client, filter: FilterCriteria): Promise<Finding[]> {
  const findings: Finding[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListFindingsCommand({
        filterCriteria: filter,
        maxResults: MAX_RESULTS,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    findings.push(...required(page.findings, 'ListFindings findings'));
    token = page.nextToken || undefined;
  } while (token);
  return findings;
}

function oneOf<T extends string>(values: readonly T[], value: string, path: string): T {
  if (!(values as readonly string[]).includes(value)) {
    throw new DataContractError(`response ${path} is not one of ${values.join(', ')}: "${value}"`);
  }
  return value as T;
}

function iso(value: Date, path: string): string {
  if (Number.isNaN(value.getTime())) throw new DataContractError(`response ${path} is not a timestamp`);
  return value.toISOString();
}

/** Maps one finding, reading with `required()` what the API reference marks as always present. */
export function findingOf(finding: Finding, region: string, path: string): InspectorFinding {
  const resource = required(required(finding.resources, `${path}.resources`)[0], `${path}.resources[0]`);
  const vulnerability = finding.packageVulnerabilityDetails;
  const vulnerablePackage = vulnerability?.vulnerablePackages?.[0];
  return {
    finding_arn: required(finding.findingArn, `${path}.findingArn`),
    severity: oneOf(SEVERITIES, required(finding.severity, `${path}.severity`), `${path}.severity`),
    status: oneOf(STATUSES, required(finding.status, `${path}.status`), `${path}.status`),
    type: required(finding.type, `${path}.type`),
    title: finding.title ?? null,
    description: required(finding.description, `${path}.description`),
    first_observed_at: iso(
      required(finding.firstObservedAt, `${path}.firstObservedAt`),
      `${path}.firstObservedAt`,
    ),
    last_observed_at: iso(
      required(finding.lastObservedAt, `${path}.lastObservedAt`),
      `${path}.lastObservedAt`,
    ),
    updated_at: finding.updatedAt ? iso(finding.updatedAt, `${path}.updatedAt`) : null,
    region,
    resource_type: required(resource.type, `${path}.resources[0].type`),
    resource_id: required(resource.id, `${path}.resources[0].id`),
    vulnerability_id: vulnerability?.vulnerabilityId ?? null,
    package_name: vulnerablePackage?.name ?? null,
    package_version: vulnerablePackage?.version ?? null,
    fix_available: finding.fixAvailable ?? null,
    inspector_score: finding.inspectorScore ?? null,
    exploit_available: finding.exploitAvailable ?? null,
  };
}

async function collectRegion(client: Inspector2Client, accountId: string, window: Window, region: string) {
  await checkActivated(client, accountId, region);
  const [active, inactive] = await Promise.all([
    listFindingsAllPages(client, activeFilter(accountId)),
    listFindingsAllPages(client, inactiveFilter(accountId, window)),
  ]);
  const byArn = new Map<string, InspectorFinding>();
  for (const [query, findings] of [
    ['active', active],
    ['inactive', inactive],
  ] as const) {
    findings.forEach((f, i) => {
      const finding = findingOf(f, region, `ListFindings (${region}, ${query}) findings[${i}]`);
      // A finding that changed status between the two queries is read twice: its latest state wins.
      const seen = byArn.get(finding.finding_arn);
      if (!seen || (finding.updated_at ?? '') > (seen.updated_at ?? ''))
        byArn.set(finding.finding_arn, finding);
    });
  }
  return [...byArn.values()];
}

export const inspectorCollector = defineCollector({
  id: 'inspector',
  title: 'Inspector: active vulnerability findings and findings closed or suppressed in the window',
  scope: 'regional',
  actions: ['inspector2:BatchGetAccountStatus', 'inspector2:ListFindings'],
  tables: ['inspector_findings'],
  schema: inspectorPayloadSchema,
  history: 'window',
  async collect(ctx) {
    const collected = await collectEachRegion(
      ctx,
      (region) =>
        collectRegion(ctx.clients.client(Inspector2Client, region), ctx.accountId, ctx.window, region),
      isInspectorNotActivated,
    );
    const findings = collected.results.flatMap((r) => r.value);
    return {
      payload: { inspector: findings },
      rows: findings.length,
      regions: collected.regions,
      ...(collected.skippedReason !== undefined ? { skippedReason: collected.skippedReason } : {}),
    };
  },
});
