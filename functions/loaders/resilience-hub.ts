import type { ResilienceHubPayload } from '../collectors/resilience-hub.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const apps: UpsertSpec = {
  table: 'resilience_hub_apps',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'app_arn', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'creation_time', type: 'timestamptz' },
    { name: 'status', type: 'text' },
    { name: 'compliance_status', type: 'text' },
    { name: 'resiliency_score', type: 'numeric' },
    { name: 'drift_status', type: 'text' },
    { name: 'assessment_schedule', type: 'text' },
    { name: 'last_assessment_time', type: 'timestamptz' },
    { name: 'policy_arn', type: 'text' },
    { name: 'policy_name', type: 'text' },
    { name: 'policy_tier', type: 'text' },
    { name: 'rto', type: 'integer' },
    { name: 'rpo', type: 'integer' },
    { name: 'policy_objectives', type: 'jsonb' },
    { name: 'assessment_arn', type: 'text' },
    { name: 'assessment_compliance', type: 'jsonb' },
    { name: 'cost', type: 'numeric' },
    { name: 'cost_currency', type: 'text' },
    { name: 'cost_frequency', type: 'text' },
    { name: 'last_drill', type: 'timestamptz' },
  ],
  key: ['account_id', 'app_arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `resilience_hub_apps` for one payload (pure). */
export function resilienceHubRows(payload: ResilienceHubPayload, accountId: string) {
  return payload.apps.map((app) => ({ account_id: accountId, ...app }));
}

export const resilienceHubLoader: CategoryLoader<ResilienceHubPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, apps, resilienceHubRows(payload, ctx.accountId), ctx.seenAt);
    await markUnseenRemoved(tx, {
      table: apps.table,
      category: 'resilience-hub',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
