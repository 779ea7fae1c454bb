import type { SecretsManagerPayload } from '../collectors/secrets-manager.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const secrets: UpsertSpec = {
  table: 'secrets_manager_secrets',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'created_date', type: 'timestamptz' },
    { name: 'last_changed_date', type: 'timestamptz' },
    { name: 'last_accessed_date', type: 'timestamptz' },
    { name: 'last_rotated_date', type: 'timestamptz' },
    { name: 'rotation_enabled', type: 'boolean' },
    { name: 'rotation_lambda_arn', type: 'text' },
    { name: 'rotation_rules', type: 'jsonb' },
    { name: 'next_rotation_date', type: 'timestamptz' },
    { name: 'kms_key_id', type: 'text' },
    { name: 'tags', type: 'jsonb' },
    { name: 'owning_service', type: 'text' },
    { name: 'primary_region', type: 'text' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `secrets_manager_secrets` for one payload (pure). */
export function secretsManagerRows(payload: SecretsManagerPayload, accountId: string) {
  return payload.secrets_manager.map((secret) => ({ account_id: accountId, ...secret }));
}

export const secretsManagerLoader: CategoryLoader<SecretsManagerPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, secrets, secretsManagerRows(payload, ctx.accountId), ctx.seenAt);
    await markUnseenRemoved(tx, {
      table: secrets.table,
      category: 'secrets-manager',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
