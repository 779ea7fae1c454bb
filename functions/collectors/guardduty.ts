import {
  type Condition,
  type Finding,
  GetFindingsCommand,
  GuardDutyClient,
  ListDetectorsCommand,
  ListFindingsCommand,
} from '@aws-sdk/client-guardduty';
import { z } from 'zod';
import { DataContractError, ServiceNotEnabledError } from '../platform/errors.ts';
import type { Window } from '../platform/period.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

/** GuardDuty's severity levels, by value: Critical 9.0-10.0, High 7.0-8.9, Medium 4.0-6.9, Low below 4.0. */
export const SEVERITY_LABELS = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const;
type SeverityLabel = (typeof SEVERITY_LABELS)[number];

const timestamp = z.iso.datetime();

const findingSchema = z.object({
  /** The finding's id (the seed stored it as the detector id). */
  id: z.string().min(1),
  arn: z.string().min(1),
  /** The detector that reported it. */
  detector_id: z.string().min(1),
  type: z.string().min(1),
  /** GuardDuty's numeric severity. */
  severity: z.number().min(0).max(10),
  severity_label: z.enum(SEVERITY_LABELS),
  title: z.string().nullable(),
  description: z.string().nullable(),
  created_at: timestamp,
  /** When GuardDuty last updated the finding: a new occurrence of the activity, or its archiving. */
  updated_at: timestamp,
  confidence: z.number().nullable(),
  /** The region of the detector, where the finding was collected. */
  region: z.string().min(1),
  /** `Resource.ResourceType`: Instance, AccessKey, S3Bucket, Lambda, RDSDBInstance, EKSCluster... */
  resource_type: z.string().nullable(),
  /** The resource's id: the instance id, access key id, bucket or function ARN, DB instance... */
  resource_id: z.string().nullable(),
  /** How many times GuardDuty saw the activity. */
  count: z.number().int().nonnegative().nullable(),
  /** Archived findings are collected only when updated in the window: they are no longer current. */
  archived: z.boolean(),
});
export type GuardDutyFinding = z.infer<typeof findingSchema>;

export const guarddutyPayloadSchema = z.object({
  /** The findings not archived now, and those archived in the window, of every detector. */
  guard_duty: z.array(findingSchema),
});
export type GuarddutyPayload = z.infer<typeof guarddutyPayloadSchema>;

/** ListDetectors and ListFindings return at most 50 items a page; GetFindings takes at most 50 ids. */
const PAGE_SIZE = 50;
const FINDINGS_PER_GET = 50;

/**
 * A detector deleted while it is being read (GuardDuty turned off mid-collection) answers with this: the region
 * no longer has GuardDuty, as when ListDetectors finds none.
 */
const isDetectorGone = ({ name, message }: { name: string; message: string }) =>
  name === 'BadRequestException' && /detectorId is not owned by the current account/i.test(message);

/** The findings not archived: what the GuardDuty console shows as current. */
export const currentCriteria = (): Record<string, Condition> => ({
  'service.archived': { Equals: ['false'] },
});

/** The findings archived (and so last updated) during the window; updatedAt is in epoch milliseconds. */
export const archivedCriteria = (window: Window): Record<string, Condition> => ({
  'service.archived': { Equals: ['true'] },
  updatedAt: {
    GreaterThanOrEqual: Date.parse(`${window.start}T00:00:00.000Z`),
    LessThan: Date.parse(`${window.end}T00:00:00.000Z`),
  },
});

async function listDetectors(client: GuardDutyClient): Promise<string[]> {
  const detectors: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListDetectorsCommand({ MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) }),
    );
    detectors.push(...required(page.DetectorIds, 'ListDetectors DetectorIds'));
    // GuardDuty ends a listing with an empty NextToken as well as without one.
    token = page.NextToken || undefined;
  } while (token);
  return detectors;
}

async function listFindingIds(
  client: GuardDutyClient,
  detectorId: string,
  criterion: Record<string, Condition>,
): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListFindingsCommand({
        DetectorId: detectorId,
        FindingCriteria: { Criterion: criterion },
        MaxResults: PAGE_SIZE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    ids.push(...required(page.FindingIds, 'ListFindings FindingIds'));
    token = page.NextToken || undefined;
  } while (token);
  return ids;
}

async function getFindings(client: GuardDutyClient, detectorId: string, ids: readonly string[]) {
  const findings: Finding[] = [];
  for (let i = 0; i < ids.length; i += FINDINGS_PER_GET) {
    const response = await client.send(
      new GetFindingsCommand({ DetectorId: detectorId, FindingIds: ids.slice(i, i + FINDINGS_PER_GET) }),
    );
    findings.push(...required(response.Findings, 'GetFindings Findings'));
  }
  return findings;
}

export function severityLabel(severity: number): SeverityLabel {
  if (severity >= 9) return 'CRITICAL';
  if (severity >= 7) return 'HIGH';
  if (severity >= 4) return 'MEDIUM';
  return 'LOW';
}

function isoTimestamp(value: string, path: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DataContractError(`response ${path} is not a timestamp: "${value}"`);
  }
  return date.toISOString();
}

/** The id of the resource a finding is about, from the details of its resource type. */
function resourceIdOf(resource: NonNullable<Finding['Resource']>): string | null {
  return (
    resource.InstanceDetails?.InstanceId ??
    resource.LambdaDetails?.FunctionArn ??
    resource.RdsDbInstanceDetails?.DbInstanceArn ??
    resource.RdsDbInstanceDetails?.DbInstanceIdentifier ??
    resource.EksClusterDetails?.Arn ??
    resource.EcsClusterDetails?.Arn ??
    resource.ContainerDetails?.Id ??
    resource.S3BucketDetails?.[0]?.Arn ??
    resource.S3BucketDetails?.[0]?.Name ??
    resource.AccessKeyDetails?.AccessKeyId ??
    resource.AccessKeyDetails?.UserName ??
    null
  );
}

/** Maps one GuardDuty finding, reading with `required()` what the API reference marks as always present. */
export function findingOf(
  finding: Finding,
  detectorId: string,
  region: string,
  path: string,
): GuardDutyFinding {
  const severity = required(finding.Severity, `${path}.Severity`);
  const resource = required(finding.Resource, `${path}.Resource`);
  return {
    id: required(finding.Id, `${path}.Id`),
    arn: required(finding.Arn, `${path}.Arn`),
    detector_id: detectorId,
    type: required(finding.Type, `${path}.Type`),
    severity,
    severity_label: severityLabel(severity),
    title: finding.Title ?? null,
    description: finding.Description ?? null,
    created_at: isoTimestamp(required(finding.CreatedAt, `${path}.CreatedAt`), `${path}.CreatedAt`),
    updated_at: isoTimestamp(required(finding.UpdatedAt, `${path}.UpdatedAt`), `${path}.UpdatedAt`),
    confidence: finding.Confidence ?? null,
    region,
    resource_type: resource.ResourceType ?? null,
    resource_id: resourceIdOf(resource),
    count: finding.Service?.Count ?? null,
    archived: finding.Service?.Archived ?? false,
  };
}

async function collectRegion(client: GuardDutyClient, window: Window, region: string) {
  const detectors = await listDetectors(client);
  // Without a detector GuardDuty is not enabled in the region: that is not "no findings".
  if (detectors.length === 0) {
    throw new ServiceNotEnabledError(
      `GuardDuty.ListDetectors (${region}): no detector, GuardDuty is not enabled`,
    );
  }
  const byId = new Map<string, GuardDutyFinding>();
  for (const detectorId of detectors) {
    for (const [query, criterion] of [
      ['current', currentCriteria()],
      ['archived', archivedCriteria(window)],
    ] as const) {
      const ids = await listFindingIds(client, detectorId, criterion);
      const findings = await getFindings(client, detectorId, ids);
      findings.forEach((f, i) => {
        const finding = findingOf(f, detectorId, region, `GetFindings (${region}, ${query}) Findings[${i}]`);
        // A finding archived between the two queries is read twice: its latest state wins.
        const seen = byId.get(finding.id);
        if (!seen || finding.updated_at > seen.updated_at) byId.set(finding.id, finding);
      });
    }
  }
  return [...byId.values()];
}

export const guarddutyCollector = defineCollector({
  id: 'guardduty',
  title: 'GuardDuty: current findings and findings archived in the window, per detector',
  scope: 'regional',
  actions: ['guardduty:ListDetectors', 'guardduty:ListFindings', 'guardduty:GetFindings'],
  tables: ['guard_duty_findings'],
  schema: guarddutyPayloadSchema,
  history: 'window',
  async collect(ctx) {
    const collected = await collectEachRegion(
      ctx,
      (region) => collectRegion(ctx.clients.client(GuardDutyClient, region), ctx.window, region),
      isDetectorGone,
    );
    const findings = collected.results.flatMap((r) => r.value);
    return {
      payload: { guard_duty: findings },
      rows: findings.length,
      regions: collected.regions,
      ...(collected.skippedReason !== undefined ? { skippedReason: collected.skippedReason } : {}),
    };
  },
});
