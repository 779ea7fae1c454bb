import {
  type AwsSecurityFinding,
  type AwsSecurityFindingFilters,
  GetFindingsCommand,
  type GetFindingsCommandOutput,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { z } from 'zod';
import { DataContractError } from '../platform/errors.ts';
import { addDays, type Window } from '../platform/period.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

export const SEVERITY_LABELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
export const OPEN_STATUSES = ['NEW', 'NOTIFIED'] as const;
/** Workflow statuses of a finding that has left the open state. */
export const CLOSED_STATUSES = ['RESOLVED', 'SUPPRESSED'] as const;

const timestamp = z.iso.datetime();

const findingSchema = z.object({
  finding_id: z.string().min(1),
  /** The type of the finding's first resource, as the seed had it. */
  service: z.string().min(1),
  title: z.string(),
  description: z.string(),
  severity: z.enum(SEVERITY_LABELS),
  /** `Workflow.Status`. */
  status: z.enum([...OPEN_STATUSES, ...CLOSED_STATUSES]),
  resource_type: z.string().min(1),
  resource_id: z.string().min(1),
  created_at: timestamp,
  updated_at: timestamp,
  recommendation: z.string().nullable(),
  compliance_status: z.string().nullable(),
  /** The Region the finding was generated in. */
  region: z.string().min(1),
  /** The deprecated `WorkflowState`, kept for the seed's column. */
  workflow_state: z.string().nullable(),
  record_state: z.enum(['ACTIVE', 'ARCHIVED']),
  product_name: z.string().min(1),
  company_name: z.string().nullable(),
  product_arn: z.string().min(1),
  generator_id: z.string().min(1),
  /** The product that generated the finding (the seed's meaning). */
  generator: z.string().min(1),
});
export type SecurityHubFinding = z.infer<typeof findingSchema>;

const count = z.number().int().nonnegative();

const groupSchema = z
  .object({
    /** `ProductName`: Security Hub, GuardDuty, Inspector, ... */
    service: z.string().min(1),
    total_findings: count,
    severity_counts: z.object({
      CRITICAL: count,
      HIGH: count,
      MEDIUM: count,
      LOW: count,
      INFORMATIONAL: count,
    }),
    /** Findings open now (record ACTIVE, workflow NEW or NOTIFIED). */
    open_findings: count,
    /** Findings that left the open state (workflow RESOLVED or SUPPRESSED) during the window. */
    resolved_findings: count,
    findings: z.array(findingSchema),
  })
  .superRefine((group, issue) => {
    const severities = Object.values(group.severity_counts).reduce((a, b) => a + b, 0);
    if (
      group.total_findings !== group.findings.length ||
      group.total_findings !== group.open_findings + group.resolved_findings ||
      group.total_findings !== severities
    ) {
      issue.addIssue({
        code: 'custom',
        message: `counts of ${group.service} do not add up to its ${group.findings.length} findings`,
      });
    }
  });

export const securityHubPayloadSchema = z.object({
  /** One group per product, largest first. */
  security_hub: z.array(groupSchema),
});
export type SecurityHubPayload = z.infer<typeof securityHubPayloadSchema>;
export type SecurityHubGroup = SecurityHubPayload['security_hub'][number];

const MAX_RESULTS = 100;

const isSecurityHubNotSubscribed = ({ name, message }: { name: string; message: string }) =>
  name === 'InvalidAccessException' && /not subscribed to AWS Security Hub/i.test(message);

const equalsAny = (values: readonly string[]) =>
  values.map((Value) => ({ Value, Comparison: 'EQUALS' as const }));

/** The findings open now: what a Security Hub console shows as the account's current exposure. */
export function openFindingsFilters(accountId: string): AwsSecurityFindingFilters {
  return {
    AwsAccountId: equalsAny([accountId]),
    RecordState: equalsAny(['ACTIVE']),
    WorkflowStatus: equalsAny(OPEN_STATUSES),
  };
}

/**
 * The findings that left the open state during the window. Security Hub date filters are inclusive, so the
 * window's exclusive end becomes its last millisecond.
 */
export function closedFindingsFilters(accountId: string, window: Window): AwsSecurityFindingFilters {
  return {
    AwsAccountId: equalsAny([accountId]),
    WorkflowStatus: equalsAny(CLOSED_STATUSES),
    UpdatedAt: [{ Start: `${window.start}T00:00:00.000Z`, End: `${addDays(window.end, -1)}T23:59:59.999Z` }],
  };
}

/** Every page of a GetFindings query, to the last NextToken (the filters are resent with each token). */
export async function getFindingsAllPages(
  client: SecurityHubClient,
  filters: AwsSecurityFindingFilters,
): Promise<AwsSecurityFinding[]> {
  const findings: AwsSecurityFinding[] = [];
  let token: string | undefined;
  do {
    const page: GetFindingsCommandOutput = await client.send(
      new GetFindingsCommand({
        Filters: filters,
        MaxResults: MAX_RESULTS,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    findings.push(...required(page.Findings, 'GetFindings Findings'));
    token = page.NextToken;
  } while (token);
  return findings;
}

/**
 * Security Hub timestamps are ISO 8601 with up to nine fraction digits and an offset that may lack its colon
 * (`-1759`); the payload keeps them as UTC with milliseconds.
 */
function isoTimestamp(value: string, path: string): string {
  const date = new Date(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(date.getTime())) {
    throw new DataContractError(`response ${path} is not a timestamp: "${value}"`);
  }
  return date.toISOString();
}

/** Security Hub's own mapping of `Severity.Normalized` to a label, for findings that carry only the number. */
function labelOfNormalized(normalized: number): SecurityHubFinding['severity'] {
  if (normalized >= 90) return 'CRITICAL';
  if (normalized >= 70) return 'HIGH';
  if (normalized >= 40) return 'MEDIUM';
  if (normalized >= 1) return 'LOW';
  return 'INFORMATIONAL';
}

function severityOf(finding: AwsSecurityFinding, path: string): SecurityHubFinding['severity'] {
  const label = finding.Severity?.Label;
  if (label !== undefined) {
    if (!(SEVERITY_LABELS as readonly string[]).includes(label)) {
      throw new DataContractError(`response ${path}.Severity.Label is not a known label: "${label}"`);
    }
    return label as SecurityHubFinding['severity'];
  }
  return labelOfNormalized(required(finding.Severity?.Normalized, `${path}.Severity.Label`));
}

/** Maps one ASFF finding to the payload's finding, reading with `required()` what the API always returns. */
export function findingOf(finding: AwsSecurityFinding, region: string, path: string): SecurityHubFinding {
  const resources = required(finding.Resources, `${path}.Resources`);
  const resource = required(resources[0], `${path}.Resources[0]`);
  const resourceType = required(resource.Type, `${path}.Resources[0].Type`);
  const productArn = required(finding.ProductArn, `${path}.ProductArn`);
  // Security Hub fills ProductName for every finding; an integration's ARN ends with the product's name.
  const productName = finding.ProductName ?? productArn.slice(productArn.lastIndexOf('/') + 1);
  const status = required(finding.Workflow?.Status, `${path}.Workflow.Status`);
  if (!([...OPEN_STATUSES, ...CLOSED_STATUSES] as readonly string[]).includes(status)) {
    throw new DataContractError(`response ${path}.Workflow.Status is not a known status: "${status}"`);
  }
  return {
    finding_id: required(finding.Id, `${path}.Id`),
    service: resourceType,
    title: required(finding.Title, `${path}.Title`),
    description: required(finding.Description, `${path}.Description`),
    severity: severityOf(finding, path),
    status: status as SecurityHubFinding['status'],
    resource_type: resourceType,
    resource_id: required(resource.Id, `${path}.Resources[0].Id`),
    created_at: isoTimestamp(required(finding.CreatedAt, `${path}.CreatedAt`), `${path}.CreatedAt`),
    updated_at: isoTimestamp(required(finding.UpdatedAt, `${path}.UpdatedAt`), `${path}.UpdatedAt`),
    recommendation: finding.Remediation?.Recommendation?.Text ?? null,
    compliance_status: finding.Compliance?.Status ?? null,
    region: finding.Region ?? region,
    workflow_state: finding.WorkflowState ?? null,
    // ACTIVE is the ASFF default for a finding that does not say.
    record_state: finding.RecordState ?? 'ACTIVE',
    product_name: productName,
    company_name: finding.CompanyName ?? null,
    product_arn: productArn,
    generator_id: required(finding.GeneratorId, `${path}.GeneratorId`),
    generator: productName,
  };
}

interface RegionFindings {
  readonly region: string;
  readonly findings: readonly SecurityHubFinding[];
}

async function collectRegion(client: SecurityHubClient, accountId: string, window: Window, region: string) {
  const [open, closed] = await Promise.all([
    getFindingsAllPages(client, openFindingsFilters(accountId)),
    getFindingsAllPages(client, closedFindingsFilters(accountId, window)),
  ]);
  const findings = [
    ...open.map((f, i) => findingOf(f, region, `GetFindings (${region}, open) Findings[${i}]`)),
    ...closed.map((f, i) => findingOf(f, region, `GetFindings (${region}, closed) Findings[${i}]`)),
  ];
  return { region, findings };
}

/**
 * One finding per (ProductArn, Id). A cross-Region aggregator returns linked Regions' findings in its own
 * Region too: the copy read in the finding's own Region wins, then the most recently updated (a finding that
 * changed state between the two queries).
 */
export function dedupeFindings(regions: readonly RegionFindings[]): SecurityHubFinding[] {
  const kept = new Map<string, { finding: SecurityHubFinding; own: boolean }>();
  for (const { region, findings } of regions) {
    for (const finding of findings) {
      const key = JSON.stringify([finding.product_arn, finding.finding_id]);
      const own = finding.region === region;
      const current = kept.get(key);
      const better =
        !current ||
        (own && !current.own) ||
        (own === current.own && finding.updated_at > current.finding.updated_at);
      if (better) kept.set(key, { finding, own });
    }
  }
  return [...kept.values()].map((k) => k.finding);
}

/** Groups findings per product as the seed did, with every severity counted. Largest group first. */
export function groupByProduct(findings: readonly SecurityHubFinding[]): SecurityHubGroup[] {
  const groups = new Map<string, SecurityHubGroup>();
  for (const finding of findings) {
    let group = groups.get(finding.product_name);
    if (!group) {
      group = {
        service: finding.product_name,
        total_findings: 0,
        severity_counts: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 },
        open_findings: 0,
        resolved_findings: 0,
        findings: [],
      };
      groups.set(finding.product_name, group);
    }
    group.total_findings += 1;
    group.severity_counts[finding.severity] += 1;
    if ((OPEN_STATUSES as readonly string[]).includes(finding.status)) group.open_findings += 1;
    else group.resolved_findings += 1;
    group.findings.push(finding);
  }
  return [...groups.values()].sort(
    (a, b) => b.total_findings - a.total_findings || a.service.localeCompare(b.service),
  );
}

export const securityHubCollector = defineCollector({
  id: 'security-hub',
  title: 'Security Hub: open findings and findings resolved in the window, per product',
  scope: 'regional',
  actions: ['securityhub:GetFindings'],
  tables: ['security', 'findings'],
  schema: securityHubPayloadSchema,
  history: 'window',
  async collect(ctx) {
    const collected = await collectEachRegion(
      ctx,
      (region) =>
        collectRegion(ctx.clients.client(SecurityHubClient, region), ctx.accountId, ctx.window, region),
      isSecurityHubNotSubscribed,
    );
    const findings = dedupeFindings(collected.results.map((r) => r.value));
    const groups = groupByProduct(findings);
    return {
      payload: { security_hub: groups },
      rows: findings.length + groups.length,
      regions: collected.regions,
      ...(collected.skippedReason !== undefined ? { skippedReason: collected.skippedReason } : {}),
    };
  },
});
