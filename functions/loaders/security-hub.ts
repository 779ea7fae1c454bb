import { CLOSED_STATUSES, type SecurityHubPayload } from '../collectors/security-hub.ts';
import type { Window } from '../platform/period.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const summaries: UpsertSpec = {
  table: 'security',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'total_findings', type: 'integer' },
    { name: 'critical_count', type: 'integer' },
    { name: 'high_count', type: 'integer' },
    { name: 'medium_count', type: 'integer' },
    { name: 'low_count', type: 'integer' },
    { name: 'informational_count', type: 'integer' },
    { name: 'open_findings', type: 'integer' },
    { name: 'resolved_findings', type: 'integer' },
    { name: 'window_start', type: 'date' },
    { name: 'window_end', type: 'date' },
    { name: 'collected_at', type: 'timestamptz' },
  ],
  key: ['account_id', 'service'],
  updatedAt: true,
};

const findings: UpsertSpec = {
  table: 'findings',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'finding_id', type: 'text' },
    { name: 'product_arn', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'severity', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_id', type: 'text' },
    { name: 'created_at', type: 'timestamptz' },
    { name: 'updated_at', type: 'timestamptz' },
    { name: 'recommendation', type: 'text' },
    { name: 'compliance_status', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'workflow_state', type: 'text' },
    { name: 'record_state', type: 'text' },
    { name: 'product_name', type: 'text' },
    { name: 'company_name', type: 'text' },
    { name: 'generator_id', type: 'text' },
    { name: 'generator', type: 'text' },
  ],
  computed: {
    security_id:
      '(SELECT s.id FROM security s WHERE s.account_id = r.account_id AND s.service = r.product_name)',
  },
  key: ['account_id', 'product_arn', 'finding_id'],
  tracking: 'current-state',
};

/** Rows of `security` and `findings` for one payload (pure). */
export function securityHubRows(
  payload: SecurityHubPayload,
  accountId: string,
  window: Window,
  collectedAt: Date,
) {
  return {
    summaries: payload.security_hub.map((group) => ({
      account_id: accountId,
      service: group.service,
      total_findings: group.total_findings,
      critical_count: group.severity_counts.CRITICAL,
      high_count: group.severity_counts.HIGH,
      medium_count: group.severity_counts.MEDIUM,
      low_count: group.severity_counts.LOW,
      informational_count: group.severity_counts.INFORMATIONAL,
      open_findings: group.open_findings,
      resolved_findings: group.resolved_findings,
      window_start: window.start,
      window_end: window.end,
      collected_at: collectedAt.toISOString(),
    })),
    findings: payload.security_hub.flatMap((group) =>
      group.findings.map((f) => ({
        account_id: accountId,
        finding_id: f.finding_id,
        product_arn: f.product_arn,
        service: f.service,
        title: f.title,
        description: f.description,
        severity: f.severity,
        status: f.status,
        resource_type: f.resource_type,
        resource_id: f.resource_id,
        created_at: f.created_at,
        updated_at: f.updated_at,
        recommendation: f.recommendation,
        compliance_status: f.compliance_status,
        region: f.region,
        workflow_state: f.workflow_state,
        record_state: f.record_state,
        product_name: f.product_name,
        company_name: f.company_name,
        generator_id: f.generator_id,
        generator: f.generator,
      })),
    ),
  };
}

/** Whether this account's tables already hold a later collection than the one being loaded. */
const NEWER_COLLECTION = `SELECT 1 AS newer FROM security
  WHERE account_id = :account_id AND collected_at > CAST(:seen_at AS timestamptz)
  UNION ALL SELECT 1 FROM findings WHERE account_id = :account_id AND last_seen > CAST(:seen_at AS timestamptz)
  LIMIT 1`;

/**
 * Whether the account's summary already covers a later window than the one being loaded. A backfill collected
 * today (newer collected_at) of an older window must not replace it: the summary is of the latest window.
 */
const NEWER_WINDOW = `SELECT 1 AS newer FROM security
  WHERE account_id = :account_id AND window_end > CAST(:window_end AS date)
  LIMIT 1`;

const DELETE_STALE_SUMMARIES = `DELETE FROM security
  WHERE account_id = :account_id AND service NOT IN (SELECT jsonb_array_elements_text(CAST(:keep AS jsonb)))`;

/**
 * The findings this load saw resolved or suppressed are no longer open: removed when they left the open state
 * (their UpdatedAt), never later than the collection. The upsert has just cleared removed_at on every row it
 * wrote, so this runs on exactly the rows written now.
 */
const MARK_CLOSED_REMOVED = `UPDATE findings
  SET removed_at = LEAST(updated_at, CAST(:seen_at AS timestamptz))
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen = CAST(:seen_at AS timestamptz)
    AND status IN (SELECT jsonb_array_elements_text(CAST(:closed AS jsonb)))`;

/**
 * Both tables describe the account as of its latest collection, so an older snapshot loaded again after a newer
 * one (a rerun of a failed load) changes nothing: it would bring back findings closed since, and an old summary.
 * A backfill of an older window collected now updates the findings but keeps the later window's summary.
 */
export const securityHubLoader: CategoryLoader<SecurityHubPayload> = {
  async load(tx, payload, ctx) {
    const newer = await tx.query(NEWER_COLLECTION, { account_id: ctx.accountId, seen_at: ctx.seenAt });
    if (newer.length > 0) return 0;
    const rows = securityHubRows(payload, ctx.accountId, ctx.window, ctx.seenAt);
    let written = 0;
    const newerWindow = await tx.query(NEWER_WINDOW, {
      account_id: ctx.accountId,
      window_end: ctx.window.end,
    });
    if (newerWindow.length === 0) {
      written += await upsertRows(tx, summaries, rows.summaries);
      await tx.execute(DELETE_STALE_SUMMARIES, {
        account_id: ctx.accountId,
        keep: sqlJson(rows.summaries.map((s) => s.service)),
      });
    }
    // The findings are current state as of this collection, whatever its window.
    written += await upsertRows(tx, findings, rows.findings, ctx.seenAt);
    await tx.execute(MARK_CLOSED_REMOVED, {
      account_id: ctx.accountId,
      seen_at: ctx.seenAt,
      closed: sqlJson(CLOSED_STATUSES),
    });
    await markUnseenRemoved(tx, {
      table: 'findings',
      category: 'security-hub',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
