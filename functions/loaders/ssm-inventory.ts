import type { SsmInventoryPayload } from '../collectors/ssm-inventory.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const instances: UpsertSpec = {
  table: 'inventory_instances',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'instance_id', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'instance_type', type: 'text' },
    { name: 'platform', type: 'text' },
    { name: 'ip_address', type: 'text' },
    { name: 'computer_name', type: 'text' },
    { name: 'ping_status', type: 'text' },
    { name: 'last_ping_date_time', type: 'timestamptz' },
    { name: 'agent_version', type: 'text' },
    { name: 'platform_type', type: 'text' },
    { name: 'platform_version', type: 'text' },
    { name: 'is_latest_version', type: 'boolean' },
    { name: 'association_status', type: 'text' },
    { name: 'association_execution_date', type: 'timestamptz' },
    { name: 'association_success_date', type: 'timestamptz' },
    { name: 'patch_group', type: 'text' },
    { name: 'baseline_id', type: 'text' },
    { name: 'patch_operation', type: 'text' },
    { name: 'patch_operation_start_time', type: 'timestamptz' },
    { name: 'patch_operation_end_time', type: 'timestamptz' },
    { name: 'installed_count', type: 'integer' },
    { name: 'installed_other_count', type: 'integer' },
    { name: 'installed_pending_reboot_count', type: 'integer' },
    { name: 'installed_rejected_count', type: 'integer' },
    { name: 'missing_count', type: 'integer' },
    { name: 'failed_count', type: 'integer' },
    { name: 'not_applicable_count', type: 'integer' },
    { name: 'available_security_update_count', type: 'integer' },
    { name: 'critical_non_compliant_count', type: 'integer' },
    { name: 'security_non_compliant_count', type: 'integer' },
    { name: 'other_non_compliant_count', type: 'integer' },
    { name: 'patch_compliance', type: 'text' },
  ],
  key: ['account_id', 'instance_id'],
  tracking: 'current-state',
  updatedAt: true,
};

/** The account's inventory_instances row of the instance, upserted before its applications and patches. */
const INSTANCE_ROW = `(SELECT i.id FROM inventory_instances i
  WHERE i.account_id = r.account_id AND i.instance_id = r.instance_ref)`;

const applications: UpsertSpec = {
  table: 'inventory_applications',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'instance_ref', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'version', type: 'text' },
    { name: 'release', type: 'text' },
    { name: 'publisher', type: 'text' },
    { name: 'architecture', type: 'text' },
    { name: 'application_type', type: 'text' },
    { name: 'install_time', type: 'timestamptz' },
  ],
  computed: { instance_id: INSTANCE_ROW },
  key: ['account_id', 'instance_ref', 'name', 'version', 'release', 'architecture'],
  tracking: 'current-state',
  updatedAt: true,
};

const patches: UpsertSpec = {
  table: 'inventory_patches',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'instance_ref', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'kb_id', type: 'text' },
    { name: 'classification', type: 'text' },
    { name: 'severity', type: 'text' },
    { name: 'state', type: 'text' },
    { name: 'installed_time', type: 'timestamptz' },
    { name: 'cve_ids', type: 'text' },
  ],
  computed: { instance_id: INSTANCE_ROW },
  key: ['account_id', 'instance_ref', 'kb_id', 'title'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of the three inventory tables for one payload (pure). */
export function ssmInventoryRows(payload: SsmInventoryPayload, accountId: string) {
  return {
    instances: payload.instances.map(({ last_ping: _sameAsLastPingDateTime, ...instance }) => ({
      account_id: accountId,
      ...instance,
    })),
    applications: payload.applications.map(({ instance_id, ...application }) => ({
      account_id: accountId,
      instance_ref: instance_id,
      ...application,
    })),
    patches: payload.patches.map(({ instance_id, ...patch }) => ({
      account_id: accountId,
      instance_ref: instance_id,
      ...patch,
    })),
  };
}

export const ssmInventoryLoader: CategoryLoader<SsmInventoryPayload> = {
  async load(tx, payload, ctx) {
    const rows = ssmInventoryRows(payload, ctx.accountId);
    let written = await upsertRows(tx, instances, rows.instances, ctx.seenAt);
    written += await upsertRows(tx, applications, rows.applications, ctx.seenAt);
    written += await upsertRows(tx, patches, rows.patches, ctx.seenAt);
    for (const table of [instances.table, applications.table, patches.table]) {
      await markUnseenRemoved(tx, {
        table,
        category: 'ssm-inventory',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
        regions: ctx.completeRegions,
      });
    }
    return written;
  },
};
