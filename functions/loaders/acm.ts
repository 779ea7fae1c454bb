import type { AcmPayload } from '../collectors/acm.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const certificates: UpsertSpec = {
  table: 'certificates',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'domain_name', type: 'text' },
    { name: 'subject_alternative_names', type: 'jsonb' },
    { name: 'status', type: 'text' },
    { name: 'type', type: 'text' },
    { name: 'key_algorithm', type: 'text' },
    { name: 'signature_algorithm', type: 'text' },
    { name: 'issuer', type: 'text' },
    { name: 'certificate_created_at', type: 'timestamptz' },
    { name: 'issued_at', type: 'timestamptz' },
    { name: 'imported_at', type: 'timestamptz' },
    { name: 'not_before', type: 'timestamptz' },
    { name: 'not_after', type: 'timestamptz' },
    { name: 'revoked_at', type: 'timestamptz' },
    { name: 'renewal_eligibility', type: 'text' },
    { name: 'renewal_status', type: 'text' },
    { name: 'renewal_status_reason', type: 'text' },
    { name: 'failure_reason', type: 'text' },
    { name: 'key_usages', type: 'jsonb' },
    { name: 'extended_key_usages', type: 'jsonb' },
    { name: 'in_use_by', type: 'jsonb' },
    { name: 'managed_by', type: 'text' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `certificates` for one payload (pure): the certificate's `created_at` is `certificate_created_at`. */
export function acmRows(payload: AcmPayload, accountId: string) {
  return payload.certificate_manager.map(({ created_at, ...certificate }) => ({
    account_id: accountId,
    ...certificate,
    certificate_created_at: created_at,
  }));
}

export const acmLoader: CategoryLoader<AcmPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, certificates, acmRows(payload, ctx.accountId), ctx.seenAt);
    await markUnseenRemoved(tx, {
      table: certificates.table,
      category: 'acm',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
