import type { GuarddutyPayload } from '../collectors/guardduty.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const findings: UpsertSpec = {
  table: 'guard_duty_findings',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'finding_id', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'detector_id', type: 'text' },
    { name: 'finding_type', type: 'text' },
    { name: 'severity', type: 'numeric' },
    { name: 'severity_label', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'confidence', type: 'numeric' },
    { name: 'region', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_id', type: 'text' },
    { name: 'count', type: 'integer' },
    { name: 'archived', type: 'boolean' },
    { name: 'created_at', type: 'timestamptz' },
    { name: 'updated_at', type: 'timestamptz' },
  ],
  key: ['account_id', 'finding_id'],
  tracking: 'current-state',
};

/** Rows of `guard_duty_findings` for one payload (pure). */
export function guarddutyRows(payload: GuarddutyPayload, accountId: string) {
  return payload.guard_duty.map((f) => ({
    account_id: accountId,
    finding_id: f.id,
    arn: f.arn,
    detector_id: f.detector_id,
    finding_type: f.type,
    severity: f.severity,
    severity_label: f.severity_label,
    title: f.title,
    description: f.description,
    confidence: f.confidence,
    region: f.region,
    resource_type: f.resource_type,
    resource_id: f.resource_id,
    count: f.count,
    archived: f.archived,
    created_at: f.created_at,
    updated_at: f.updated_at,
  }));
}

/**
 * The findings this load saw archived are no longer current: removed when they were archived (their updatedAt),
 * never later than the collection. The upsert has just cleared removed_at on every row it wrote, so this runs on
 * exactly the rows written now.
 */
const MARK_ARCHIVED_REMOVED = `UPDATE guard_duty_findings
  SET removed_at = LEAST(updated_at, CAST(:seen_at AS timestamptz))
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen = CAST(:seen_at AS timestamptz)
    AND archived`;

export const guarddutyLoader: CategoryLoader<GuarddutyPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, findings, guarddutyRows(payload, ctx.accountId), ctx.seenAt);
    await tx.execute(MARK_ARCHIVED_REMOVED, { account_id: ctx.accountId, seen_at: ctx.seenAt });
    await markUnseenRemoved(tx, {
      table: findings.table,
      category: 'guardduty',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
