import type { ComputeOptimizerPayload } from '../collectors/compute-optimizer.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const recommendations: UpsertSpec = {
  table: 'compute_optimizer',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'resource_type', type: 'text' },
    { name: 'resource_arn', type: 'text' },
    { name: 'resource_name', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'finding', type: 'text' },
    { name: 'finding_reasons', type: 'jsonb' },
    { name: 'current_instance_type', type: 'text' },
    { name: 'current_memory_size', type: 'integer' },
    { name: 'current_volume_type', type: 'text' },
    { name: 'current_volume_size', type: 'integer' },
    { name: 'recommended_instance_type', type: 'text' },
    { name: 'recommended_memory_size', type: 'integer' },
    { name: 'recommended_volume_type', type: 'text' },
    { name: 'recommended_volume_size', type: 'integer' },
    { name: 'savings_opportunity_percentage', type: 'numeric' },
    { name: 'estimated_monthly_savings_usd', type: 'numeric' },
    { name: 'currency', type: 'text' },
    { name: 'performance_risk', type: 'numeric' },
    { name: 'current_performance_risk', type: 'text' },
    { name: 'cpu_utilization_max', type: 'numeric' },
    { name: 'memory_utilization_avg', type: 'numeric' },
    { name: 'migration_effort', type: 'text' },
    { name: 'lookback_period_days', type: 'numeric' },
    { name: 'last_refresh_timestamp', type: 'timestamptz' },
  ],
  key: ['account_id', 'resource_arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `compute_optimizer` for one payload (pure): the account is the one loaded, whatever the items say. */
export function computeOptimizerRows(payload: ComputeOptimizerPayload, accountId: string) {
  return payload.recommendations.map((r) => ({ ...r, account_id: accountId }));
}

/**
 * Current state per region: recommendations not returned again are marked removed only in the regions whose
 * three kinds were all collected (a region where one kind failed keeps its rows as they were).
 */
export const computeOptimizerLoader: CategoryLoader<ComputeOptimizerPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(
      tx,
      recommendations,
      computeOptimizerRows(payload, ctx.accountId),
      ctx.seenAt,
    );
    await markUnseenRemoved(tx, {
      table: recommendations.table,
      category: 'compute-optimizer',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
