import type { KmsPayload } from '../collectors/kms.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const keys: UpsertSpec = {
  table: 'kms_keys',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'key_id', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'key_usage', type: 'text' },
    { name: 'key_state', type: 'text' },
    { name: 'creation_date', type: 'timestamptz' },
    { name: 'enabled', type: 'boolean' },
    { name: 'key_rotation_enabled', type: 'boolean' },
    { name: 'key_manager', type: 'text' },
    { name: 'key_spec', type: 'text' },
    { name: 'origin', type: 'text' },
    { name: 'multi_region', type: 'boolean' },
    { name: 'multi_region_key_type', type: 'text' },
    { name: 'deletion_date', type: 'timestamptz' },
    { name: 'pending_deletion_window_days', type: 'integer' },
    { name: 'aliases', type: 'jsonb' },
    { name: 'rotation_supported', type: 'boolean' },
    { name: 'rotation_period_days', type: 'integer' },
    { name: 'next_rotation_date', type: 'timestamptz' },
    { name: 'rotation_note', type: 'text' },
    { name: 'describe_error', type: 'text' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `kms_keys` for one payload (pure). */
export function kmsRows(payload: KmsPayload, accountId: string) {
  return payload.kms.map((key) => ({ account_id: accountId, ...key }));
}

export const kmsLoader: CategoryLoader<KmsPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, keys, kmsRows(payload, ctx.accountId), ctx.seenAt);
    await markUnseenRemoved(tx, {
      table: keys.table,
      category: 'kms',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
