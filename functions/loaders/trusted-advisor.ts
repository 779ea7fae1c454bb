import type { TrustedAdvisorPayload } from '../collectors/trusted-advisor.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const checks: UpsertSpec = {
  table: 'trusted_advisor_checks',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'recommendation_id', type: 'text' },
    { name: 'recommendation_arn', type: 'text' },
    { name: 'check_id', type: 'text' },
    { name: 'check_arn', type: 'text' },
    { name: 'check_name', type: 'text' },
    { name: 'category', type: 'text' },
    { name: 'pillars', type: 'jsonb' },
    { name: 'severity', type: 'text' },
    { name: 'recommendation', type: 'text' },
    { name: 'type', type: 'text' },
    { name: 'source', type: 'text' },
    { name: 'aws_services', type: 'jsonb' },
    { name: 'lifecycle_stage', type: 'text' },
    { name: 'affected_resources_count', type: 'integer' },
    { name: 'ok_count', type: 'bigint' },
    { name: 'warning_count', type: 'bigint' },
    { name: 'error_count', type: 'bigint' },
    { name: 'excluded_count', type: 'bigint' },
    { name: 'potential_savings', type: 'numeric' },
    { name: 'potential_savings_percentage', type: 'numeric' },
    { name: 'timestamp', type: 'timestamptz' },
    { name: 'recommendation_created_at', type: 'timestamptz' },
    { name: 'resolved_at', type: 'timestamptz' },
  ],
  key: ['account_id', 'recommendation_id'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `trusted_advisor_checks` for one payload (pure). */
export function trustedAdvisorRows(payload: TrustedAdvisorPayload, accountId: string) {
  return payload.recommendations.map((r) => ({ account_id: accountId, ...r }));
}

export const trustedAdvisorLoader: CategoryLoader<TrustedAdvisorPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, checks, trustedAdvisorRows(payload, ctx.accountId), ctx.seenAt);
    // A global category is complete or not loaded at all; the table has no region to narrow the marking by.
    if (ctx.completeRegions === 'all') {
      await markUnseenRemoved(tx, {
        table: checks.table,
        category: 'trusted-advisor',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
        regions: 'all',
      });
    }
    return written;
  },
};
