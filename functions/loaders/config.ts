import type { ConfigPayload } from '../collectors/config.ts';
import { type Sql, sqlJson } from '../ports.ts';
import type { CategoryLoader, LoadContext } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const reports: UpsertSpec = {
  table: 'config_reports',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'date_from', type: 'date' },
    { name: 'date_to', type: 'date' },
    { name: 'compliance_score', type: 'numeric' },
    { name: 'total_rules', type: 'integer' },
    { name: 'compliant_rules', type: 'integer' },
    { name: 'non_compliant_rules', type: 'integer' },
    { name: 'insufficient_data_rules', type: 'integer' },
    { name: 'curr_non_compliant', type: 'integer' },
    { name: 'curr_compliant', type: 'integer' },
    { name: 'conformance_packs', type: 'jsonb' },
    { name: 'rules', type: 'jsonb' },
    { name: 'recorder_name', type: 'text' },
    { name: 'recorder_recording', type: 'boolean' },
    { name: 'recorder_last_status', type: 'text' },
    { name: 'collected_at', type: 'timestamptz' },
  ],
  key: ['account_id', 'region', 'date_from', 'date_to'],
  updatedAt: true,
};

const nonCompliant: UpsertSpec = {
  table: 'non_compliant_resources',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'rule_name', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_id', type: 'text' },
    { name: 'compliance_type', type: 'text' },
    { name: 'config_rule_invoked_time', type: 'timestamptz' },
    { name: 'result_recorded_time', type: 'timestamptz' },
    { name: 'annotation', type: 'text' },
    { name: 'evaluation_mode', type: 'text' },
    { name: 'conformance_pack', type: 'text' },
  ],
  computed: {
    config_report_id: `(SELECT c.id FROM config_reports c WHERE c.account_id = r.account_id
      AND c.region = r.region AND c.date_from = r.report_from AND c.date_to = r.report_to)`,
  },
  lookupFields: [
    { name: 'report_from', type: 'date' },
    { name: 'report_to', type: 'date' },
  ],
  key: ['account_id', 'region', 'rule_name', 'resource_type', 'resource_id'],
  tracking: 'current-state',
};

const inventory: UpsertSpec = {
  table: 'config_inventory',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_id', type: 'text' },
    { name: 'resource_name', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'availability_zone', type: 'text' },
    { name: 'state', type: 'text' },
    { name: 'instance_type', type: 'text' },
    { name: 'instance_class', type: 'text' },
    { name: 'engine', type: 'text' },
    { name: 'vpc_id', type: 'text' },
    { name: 'size_gb', type: 'integer' },
    { name: 'volume_type', type: 'text' },
    { name: 'creation_date', type: 'timestamptz' },
    { name: 'multi_az', type: 'boolean' },
    { name: 'scheme', type: 'text' },
    { name: 'type', type: 'text' },
    { name: 'instance_count', type: 'integer' },
    { name: 'min_size', type: 'integer' },
    { name: 'max_size', type: 'integer' },
    { name: 'available_ip_count', type: 'integer' },
    { name: 'configuration_item_capture_time', type: 'timestamptz' },
    { name: 'configuration_item_status', type: 'text' },
  ],
  key: ['account_id', 'region', 'resource_type', 'resource_id'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of the three Config tables for one payload (pure). */
export function configRows(payload: ConfigPayload, accountId: string, collectedAt: Date) {
  const window = { report_from: payload.date_from, report_to: payload.date_to };
  const inWindow = (time: string) => {
    const day = time.slice(0, 10);
    return day >= payload.date_from && day < payload.date_to;
  };
  return {
    reports: payload.regions.map((region) => {
      const failing = payload.non_compliant_resources.filter(
        (r) => r.region === region.region && inWindow(r.result_recorded_time),
      );
      return {
        account_id: accountId,
        region: region.region,
        date_from: payload.date_from,
        date_to: payload.date_to,
        compliance_score: region.compliance_score,
        total_rules: region.total_rules,
        compliant_rules: region.compliant_rules,
        non_compliant_rules: region.non_compliant_rules,
        insufficient_data_rules: region.insufficient_data_rules,
        curr_non_compliant: new Set(failing.map((r) => r.rule_name)).size,
        curr_compliant: null,
        conformance_packs: region.conformance_packs,
        rules: payload.rules
          .filter((rule) => rule.region === region.region)
          .map(({ name, compliance, pack }) => ({ name, compliance, pack })),
        recorder_name: region.recorder_name,
        recorder_recording: region.recorder_recording,
        recorder_last_status: region.recorder_last_status,
        collected_at: collectedAt.toISOString(),
      };
    }),
    nonCompliant: payload.non_compliant_resources.map((r) => ({ account_id: accountId, ...r, ...window })),
    inventory: payload.config_inventory.map((item) => ({ account_id: accountId, ...item })),
  };
}

const inList = (column: string, parameter: string) =>
  `${column} IN (SELECT jsonb_array_elements_text(CAST(:${parameter} AS jsonb)))`;

/** Regions whose report of this window comes from a later collection than the one being loaded. */
const NEWER_REPORTS = `SELECT region FROM config_reports
  WHERE account_id = :account_id AND date_from = CAST(:date_from AS date) AND date_to = CAST(:date_to AS date)
    AND collected_at > CAST(:seen_at AS timestamptz)`;

/**
 * Reports of this window for regions the payload no longer has (Config switched off since), where this
 * collection is complete and not older than the report.
 */
const deleteStaleReports = (regions: 'all' | readonly string[]) => `DELETE FROM config_reports
  WHERE account_id = :account_id AND date_from = CAST(:date_from AS date) AND date_to = CAST(:date_to AS date)
    AND collected_at <= CAST(:seen_at AS timestamptz) AND NOT ${inList('region', 'keep')}
    ${regions === 'all' ? '' : `AND ${inList('region', 'complete')}`}`;

/** The resolved marker the seed's `status` column carries, kept in step with removed_at. */
const SYNC_STATUS = `UPDATE non_compliant_resources
  SET status = CASE WHEN removed_at IS NULL THEN 'OPEN' ELSE 'RESOLVED' END
  WHERE account_id = :account_id AND status <> CASE WHEN removed_at IS NULL THEN 'OPEN' ELSE 'RESOLVED' END`;

async function loadReports(
  tx: Sql,
  payload: ConfigPayload,
  rows: ReturnType<typeof configRows>['reports'],
  ctx: LoadContext,
) {
  const scope = {
    account_id: ctx.accountId,
    date_from: payload.date_from,
    date_to: payload.date_to,
    seen_at: ctx.seenAt,
  };
  const newer = new Set((await tx.query<{ region: string }>(NEWER_REPORTS, scope)).map((r) => r.region));
  const written = await upsertRows(
    tx,
    reports,
    rows.filter((r) => !newer.has(r.region)),
  );
  await tx.execute(deleteStaleReports(ctx.completeRegions), {
    ...scope,
    keep: sqlJson(rows.map((r) => r.region)),
    ...(ctx.completeRegions === 'all' ? {} : { complete: sqlJson(ctx.completeRegions) }),
  });
  return written;
}

export const configLoader: CategoryLoader<ConfigPayload> = {
  async load(tx, payload, ctx) {
    const rows = configRows(payload, ctx.accountId, ctx.seenAt);
    let written = await loadReports(tx, payload, rows.reports, ctx);
    written += await upsertRows(tx, nonCompliant, rows.nonCompliant, ctx.seenAt);
    written += await upsertRows(tx, inventory, rows.inventory, ctx.seenAt);
    for (const table of [nonCompliant.table, inventory.table]) {
      await markUnseenRemoved(tx, {
        table,
        category: 'config',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
        regions: ctx.completeRegions,
      });
    }
    await tx.execute(SYNC_STATUS, { account_id: ctx.accountId });
    return written;
  },
};
