import { INACTIVE_STATUSES, type InspectorPayload } from '../collectors/inspector.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const findings: UpsertSpec = {
  table: 'inspector_findings',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'finding_arn', type: 'text' },
    { name: 'severity', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'type', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'first_observed_at', type: 'timestamptz' },
    { name: 'last_observed_at', type: 'timestamptz' },
    { name: 'updated_at', type: 'timestamptz' },
    { name: 'region', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_id', type: 'text' },
    { name: 'vulnerability_id', type: 'text' },
    { name: 'package_name', type: 'text' },
    { name: 'package_version', type: 'text' },
    { name: 'fix_available', type: 'text' },
    { name: 'inspector_score', type: 'numeric' },
    { name: 'exploit_available', type: 'text' },
  ],
  key: ['account_id', 'finding_arn'],
  tracking: 'current-state',
};

/** Rows of `inspector_findings` for one payload (pure). */
export function inspectorRows(payload: InspectorPayload, accountId: string) {
  return payload.inspector.map((f) => ({ account_id: accountId, ...f }));
}

/**
 * The findings this load saw closed or suppressed are no longer active: removed when they left the active state
 * (their updatedAt, else their last observation), never later than the collection. The upsert has just cleared
 * removed_at on every row it wrote, so this runs on exactly the rows written now.
 */
const MARK_INACTIVE_REMOVED = `UPDATE inspector_findings
  SET removed_at = LEAST(COALESCE(updated_at, last_observed_at), CAST(:seen_at AS timestamptz))
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen = CAST(:seen_at AS timestamptz)
    AND status IN (SELECT jsonb_array_elements_text(CAST(:inactive AS jsonb)))`;

export const inspectorLoader: CategoryLoader<InspectorPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, findings, inspectorRows(payload, ctx.accountId), ctx.seenAt);
    await tx.execute(MARK_INACTIVE_REMOVED, {
      account_id: ctx.accountId,
      seen_at: ctx.seenAt,
      inactive: sqlJson(INACTIVE_STATUSES),
    });
    await markUnseenRemoved(tx, {
      table: findings.table,
      category: 'inspector',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
