import {
  DescribeInstanceInformationCommand,
  type DescribeInstanceInformationCommandOutput,
  DescribeInstancePatchesCommand,
  type DescribeInstancePatchesCommandOutput,
  DescribeInstancePatchStatesCommand,
  type DescribeInstancePatchStatesCommandOutput,
  type InstanceInformation,
  type InstancePatchState,
  ListInventoryEntriesCommand,
  type ListInventoryEntriesCommandOutput,
  type PatchComplianceData,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { DataContractError } from '../platform/errors.ts';
import type { Log } from '../ports.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

/** DescribeInstanceInformation takes MaxResults 5 to 50; its default of 10 capped the seed at 10 nodes. */
const NODES_PAGE = 50;
/** ListInventoryEntries takes MaxResults 1 to 50. */
const ENTRIES_PAGE = 50;
/** DescribeInstancePatches and DescribeInstancePatchStates take MaxResults 10 to 100. */
const PATCHES_PAGE = 100;
/** DescribeInstancePatchStates takes at most 50 InstanceIds. */
const PATCH_STATES_BATCH = 50;
/** Managed nodes read at once per region: SSM's per-account request rates are low. */
const NODE_CONCURRENCY = 4;

export const APPLICATION_TYPE_NAME = 'AWS:Application';

/**
 * Patch states as DescribeInstancePatches returns them. The SDK's enum spells them `INSTALLED_OTHER`, the
 * service answers `InstalledOther` (and takes that spelling in filters): both are read, the payload keeps the
 * service's.
 */
export const PATCH_STATES = [
  'Installed',
  'InstalledOther',
  'InstalledPendingReboot',
  'InstalledRejected',
  'Missing',
  'Failed',
  'AvailableSecurityUpdate',
  'NotApplicable',
] as const;
type PatchState = (typeof PATCH_STATES)[number];

/**
 * The states collected: every one but NotApplicable, which lists the thousands of patches of the baseline's
 * operating system that do not apply to the node (a Windows node has ~2,000).
 */
export const COLLECTED_PATCH_STATES: readonly PatchState[] = PATCH_STATES.filter(
  (s) => s !== 'NotApplicable',
);

const STATE_BY_SPELLING: ReadonlyMap<string, PatchState> = new Map(
  PATCH_STATES.flatMap((state) => [
    [state, state],
    [state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(), state],
  ]),
);

const timestamp = z.iso.datetime();
const count = z.number().int().nonnegative();

const instanceSchema = z.object({
  region: z.string().min(1),
  /** `i-...` for EC2 instances, `mi-...` for hybrid (on-premises) nodes. */
  instance_id: z.string().min(1),
  /** PlatformName, e.g. `Amazon Linux`. */
  platform: z.string().nullable(),
  platform_type: z.string().nullable(),
  platform_version: z.string().nullable(),
  agent_version: z.string().nullable(),
  is_latest_version: z.boolean().nullable(),
  /** LastPingDateTime, under the seed's first name for it. */
  last_ping: timestamp.nullable(),
  computer_name: z.string().nullable(),
  /** SSM's ResourceType: `EC2Instance` or `ManagedInstance` (the seed's name). */
  instance_type: z.string().nullable(),
  ip_address: z.string().nullable(),
  ping_status: z.string().nullable(),
  last_ping_date_time: timestamp.nullable(),
  association_status: z.string().nullable(),
  association_execution_date: timestamp.nullable(),
  association_success_date: timestamp.nullable(),
  /** The patch summary (DescribeInstancePatchStates): all null for a node Patch Manager never scanned. */
  patch_group: z.string().nullable(),
  baseline_id: z.string().nullable(),
  /** The last patching operation, `Scan` or `Install`, and when it ran. */
  patch_operation: z.string().nullable(),
  patch_operation_start_time: timestamp.nullable(),
  patch_operation_end_time: timestamp.nullable(),
  installed_count: count.nullable(),
  installed_other_count: count.nullable(),
  installed_pending_reboot_count: count.nullable(),
  installed_rejected_count: count.nullable(),
  missing_count: count.nullable(),
  failed_count: count.nullable(),
  not_applicable_count: count.nullable(),
  /** Windows: security updates out that the baseline does not approve yet. */
  available_security_update_count: count.nullable(),
  critical_non_compliant_count: count.nullable(),
  security_non_compliant_count: count.nullable(),
  other_non_compliant_count: count.nullable(),
  patch_compliance: z.enum(['COMPLIANT', 'NON_COMPLIANT']).nullable(),
});

const applicationSchema = z.object({
  region: z.string().min(1),
  instance_id: z.string().min(1),
  name: z.string().min(1),
  version: z.string().nullable(),
  /** The package release (rpm), which tells builds of one version apart; null where the platform has none. */
  release: z.string().nullable(),
  publisher: z.string().nullable(),
  architecture: z.string().nullable(),
  application_type: z.string().nullable(),
  install_time: timestamp.nullable(),
});

const patchSchema = z.object({
  region: z.string().min(1),
  instance_id: z.string().min(1),
  /** Empty for patches outside the baseline (InstalledOther), as AWS reports them. */
  title: z.string().nullable(),
  kb_id: z.string().min(1),
  classification: z.string().nullable(),
  severity: z.string().nullable(),
  state: z.enum(PATCH_STATES),
  /** Null for a patch not installed: AWS reports those as installed at the Unix epoch. */
  installed_time: timestamp.nullable(),
  /** Comma-separated CVE ids; AWS reports them for Missing and Failed patches only. */
  cve_ids: z.string().nullable(),
});

export const ssmInventoryPayloadSchema = z
  .object({
    instances: z.array(instanceSchema),
    applications: z.array(applicationSchema),
    patches: z.array(patchSchema),
  })
  .superRefine((payload, issue) => {
    const nodes = new Map(payload.instances.map((i) => [i.instance_id, i.region]));
    if (nodes.size !== payload.instances.length) {
      issue.addIssue({ code: 'custom', message: 'an instance is listed twice' });
    }
    for (const item of [...payload.applications, ...payload.patches]) {
      if (nodes.get(item.instance_id) !== item.region) {
        issue.addIssue({
          code: 'custom',
          message: `${item.instance_id} (${item.region}) has inventory but is not among the instances`,
        });
        return;
      }
    }
  });
export type SsmInventoryPayload = z.infer<typeof ssmInventoryPayloadSchema>;
type InstanceItem = SsmInventoryPayload['instances'][number];
type ApplicationItem = SsmInventoryPayload['applications'][number];
type PatchItem = SsmInventoryPayload['patches'][number];

const iso = (value: Date | undefined) => (value === undefined ? null : value.toISOString());
/** Inventory attributes are free text: an empty one says nothing. */
const text = (value: string | undefined) => (value === undefined || value === '' ? null : value);

/** A field the API reference marks as always present that must also say something. */
function requiredText(value: string | undefined, path: string): string {
  return required(text(value), path);
}

/** A node deregistered (or terminated) since it was listed. */
const isGone = (error: unknown) => (error as { name?: string } | undefined)?.name === 'InvalidInstanceId';

/** Every managed node of the region, to the last NextToken (an empty token ends the list too). */
async function listNodes(ssm: SSMClient): Promise<InstanceInformation[]> {
  const nodes: InstanceInformation[] = [];
  let token: string | undefined;
  do {
    const page: DescribeInstanceInformationCommandOutput = await ssm.send(
      new DescribeInstanceInformationCommand({
        MaxResults: NODES_PAGE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    nodes.push(...(page.InstanceInformationList ?? []));
    token = page.NextToken || undefined;
  } while (token);
  return nodes;
}

/** The patch summaries of the nodes, in batches of 50 ids; nodes never scanned have none. */
async function patchStates(ssm: SSMClient, ids: readonly string[]): Promise<Map<string, InstancePatchState>> {
  const states = new Map<string, InstancePatchState>();
  for (let start = 0; start < ids.length; start += PATCH_STATES_BATCH) {
    const batch = ids.slice(start, start + PATCH_STATES_BATCH);
    let token: string | undefined;
    do {
      const page: DescribeInstancePatchStatesCommandOutput = await ssm.send(
        new DescribeInstancePatchStatesCommand({
          InstanceIds: batch,
          MaxResults: PATCHES_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      (page.InstancePatchStates ?? []).forEach((state, i) => {
        states.set(
          required(state.InstanceId, `DescribeInstancePatchStates InstancePatchStates[${i}].InstanceId`),
          state,
        );
      });
      token = page.NextToken || undefined;
    } while (token);
  }
  return states;
}

/** `2024-03-12T10:04:55Z`, or the `yyyymmdd` of Windows' registry; anything else tells no time. */
function installTime(value: string | undefined): string | null {
  if (!value) return null;
  const day = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  const date = new Date(day ? `${day[1]}-${day[2]}-${day[3]}T00:00:00Z` : value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

async function applicationsOf(
  ssm: SSMClient,
  region: string,
  instanceId: string,
): Promise<ApplicationItem[]> {
  const applications: ApplicationItem[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const page: ListInventoryEntriesCommandOutput = await ssm.send(
      new ListInventoryEntriesCommand({
        InstanceId: instanceId,
        TypeName: APPLICATION_TYPE_NAME,
        MaxResults: ENTRIES_PAGE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    (page.Entries ?? []).forEach((entry, i) => {
      const application: ApplicationItem = {
        region,
        instance_id: instanceId,
        name: requiredText(entry.Name, `ListInventoryEntries(${instanceId}) Entries[${i}].Name`),
        version: text(entry.Version),
        release: text(entry.Release),
        publisher: text(entry.Publisher),
        architecture: text(entry.Architecture),
        application_type: text(entry.ApplicationType),
        install_time: installTime(entry.InstalledTime),
      };
      const key = JSON.stringify([
        application.name,
        application.version,
        application.release,
        application.architecture,
      ]);
      if (!seen.has(key)) applications.push(application);
      seen.add(key);
    });
    token = page.NextToken || undefined;
  } while (token);
  return applications;
}

function patchOf(patch: PatchComplianceData, region: string, instanceId: string, path: string): PatchItem {
  const spelled = required(patch.State, `${path}.State`);
  const state = STATE_BY_SPELLING.get(spelled);
  if (!state) throw new DataContractError(`response ${path}.State is not a known patch state: "${spelled}"`);
  const installed = required(patch.InstalledTime, `${path}.InstalledTime`);
  return {
    region,
    instance_id: instanceId,
    title: text(required(patch.Title, `${path}.Title`)),
    kb_id: requiredText(patch.KBId, `${path}.KBId`),
    classification: text(required(patch.Classification, `${path}.Classification`)),
    severity: text(required(patch.Severity, `${path}.Severity`)),
    state,
    installed_time: installed.getTime() === 0 ? null : installed.toISOString(),
    cve_ids: text(patch.CVEIds),
  };
}

/**
 * The node's patches in every state but NotApplicable, once each: the seed asked once per patch summary item
 * and could list a patch several times.
 */
async function patchesOf(ssm: SSMClient, region: string, instanceId: string): Promise<PatchItem[]> {
  const patches = new Map<string, PatchItem>();
  let token: string | undefined;
  do {
    const page: DescribeInstancePatchesCommandOutput = await ssm.send(
      new DescribeInstancePatchesCommand({
        InstanceId: instanceId,
        Filters: [{ Key: 'State', Values: [...COLLECTED_PATCH_STATES] }],
        MaxResults: PATCHES_PAGE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    (page.Patches ?? []).forEach((patch, i) => {
      const item = patchOf(patch, region, instanceId, `DescribeInstancePatches(${instanceId}) Patches[${i}]`);
      const key = JSON.stringify([item.kb_id, item.title]);
      if (!patches.has(key)) patches.set(key, item);
    });
    token = page.NextToken || undefined;
  } while (token);
  return [...patches.values()];
}

/**
 * A node is non-compliant when a patch its baseline approves is missing, failed, rejected or awaits a reboot.
 * The three non-compliant counts say so; older summaries without them still have missing and failed counts.
 */
function complianceOf(state: InstancePatchState): 'COMPLIANT' | 'NON_COMPLIANT' {
  const open =
    (state.CriticalNonCompliantCount ?? 0) +
    (state.SecurityNonCompliantCount ?? 0) +
    (state.OtherNonCompliantCount ?? 0) +
    (state.MissingCount ?? 0) +
    (state.FailedCount ?? 0);
  return open > 0 ? 'NON_COMPLIANT' : 'COMPLIANT';
}

function patchSummaryOf(state: InstancePatchState | undefined, path: string) {
  if (!state) {
    return {
      patch_group: null,
      baseline_id: null,
      patch_operation: null,
      patch_operation_start_time: null,
      patch_operation_end_time: null,
      installed_count: null,
      installed_other_count: null,
      installed_pending_reboot_count: null,
      installed_rejected_count: null,
      missing_count: null,
      failed_count: null,
      not_applicable_count: null,
      available_security_update_count: null,
      critical_non_compliant_count: null,
      security_non_compliant_count: null,
      other_non_compliant_count: null,
      patch_compliance: null,
    };
  }
  return {
    patch_group: text(required(state.PatchGroup, `${path}.PatchGroup`)),
    baseline_id: required(state.BaselineId, `${path}.BaselineId`),
    patch_operation: required(state.Operation, `${path}.Operation`),
    patch_operation_start_time: required(
      state.OperationStartTime,
      `${path}.OperationStartTime`,
    ).toISOString(),
    patch_operation_end_time: required(state.OperationEndTime, `${path}.OperationEndTime`).toISOString(),
    installed_count: state.InstalledCount ?? 0,
    installed_other_count: state.InstalledOtherCount ?? 0,
    installed_pending_reboot_count: state.InstalledPendingRebootCount ?? 0,
    installed_rejected_count: state.InstalledRejectedCount ?? 0,
    missing_count: state.MissingCount ?? 0,
    failed_count: state.FailedCount ?? 0,
    not_applicable_count: state.NotApplicableCount ?? 0,
    available_security_update_count: state.AvailableSecurityUpdateCount ?? null,
    critical_non_compliant_count: state.CriticalNonCompliantCount ?? null,
    security_non_compliant_count: state.SecurityNonCompliantCount ?? null,
    other_non_compliant_count: state.OtherNonCompliantCount ?? null,
    patch_compliance: complianceOf(state),
  };
}

function instanceOf(
  node: InstanceInformation,
  id: string,
  region: string,
  state: InstancePatchState | undefined,
): InstanceItem {
  return {
    region,
    instance_id: id,
    platform: text(node.PlatformName),
    platform_type: text(node.PlatformType),
    platform_version: text(node.PlatformVersion),
    agent_version: text(node.AgentVersion),
    is_latest_version: node.IsLatestVersion ?? null,
    last_ping: iso(node.LastPingDateTime),
    computer_name: text(node.ComputerName),
    instance_type: text(node.ResourceType),
    ip_address: text(node.IPAddress),
    ping_status: text(node.PingStatus),
    last_ping_date_time: iso(node.LastPingDateTime),
    association_status: text(node.AssociationStatus),
    association_execution_date: iso(node.LastAssociationExecutionDate),
    association_success_date: iso(node.LastSuccessfulAssociationExecutionDate),
    ...patchSummaryOf(state, `DescribeInstancePatchStates(${id})`),
  };
}

interface RegionInventory {
  readonly instances: InstanceItem[];
  readonly applications: ApplicationItem[];
  readonly patches: PatchItem[];
}

async function collectRegion(ssm: SSMClient, region: string, log: Log): Promise<RegionInventory> {
  const nodes = await listNodes(ssm);
  const ids = nodes.map((node, i) =>
    required(
      node.InstanceId,
      `DescribeInstanceInformation (${region}) InstanceInformationList[${i}].InstanceId`,
    ),
  );
  const [states, details] = await Promise.all([
    patchStates(ssm, ids),
    mapLimit(ids, NODE_CONCURRENCY, async (id) => {
      try {
        return {
          applications: await applicationsOf(ssm, region, id),
          patches: await patchesOf(ssm, region, id),
        };
      } catch (error) {
        if (!isGone(error)) throw error;
        log.debug('managed node deregistered while collecting', { instanceId: id, region });
        return null;
      }
    }),
  ]);
  const inventory: RegionInventory = { instances: [], applications: [], patches: [] };
  nodes.forEach((node, i) => {
    const id = ids[i] as string;
    const detail = details[i];
    if (!detail) return;
    inventory.instances.push(instanceOf(node, id, region, states.get(id)));
    inventory.applications.push(...detail.applications);
    inventory.patches.push(...detail.patches);
  });
  return inventory;
}

export const ssmInventoryCollector = defineCollector({
  id: 'ssm-inventory',
  title: 'SSM inventory: managed nodes, their applications, patches and patch compliance',
  scope: 'regional',
  actions: [
    'ssm:DescribeInstanceInformation',
    'ssm:DescribeInstancePatchStates',
    'ssm:ListInventoryEntries',
    'ssm:DescribeInstancePatches',
  ],
  tables: ['inventory_instances', 'inventory_applications', 'inventory_patches'],
  schema: ssmInventoryPayloadSchema,
  async collect(ctx) {
    const collection = await collectEachRegion(ctx, (region) =>
      collectRegion(ctx.clients.client(SSMClient, region), region, ctx.log),
    );
    const payload: SsmInventoryPayload = {
      instances: collection.results.flatMap((r) => r.value.instances),
      applications: collection.results.flatMap((r) => r.value.applications),
      patches: collection.results.flatMap((r) => r.value.patches),
    };
    return {
      payload,
      rows: payload.instances.length + payload.applications.length + payload.patches.length,
      regions: collection.regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
