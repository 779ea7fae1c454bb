import type { SupportCasesPayload } from '../collectors/support-cases.ts';
import type { CategoryLoader } from './types.ts';
import { markRemovedByLaterCollections, type UpsertSpec, upsertRows } from './upsert.ts';

const tickets: UpsertSpec = {
  table: 'support_tickets',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'case_id', type: 'text' },
    { name: 'display_id', type: 'text' },
    { name: 'subject', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'severity_code', type: 'text' },
    { name: 'service_code', type: 'text' },
    { name: 'category_code', type: 'text' },
    { name: 'time_created', type: 'timestamptz' },
    { name: 'submitted_by', type: 'text' },
    { name: 'language', type: 'text' },
    { name: 'last_communication_time', type: 'timestamptz' },
    { name: 'date_from', type: 'date' },
    { name: 'date_to', type: 'date' },
  ],
  key: ['account_id', 'case_id'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of `support_tickets` for one payload (pure). */
export function supportCasesRows(payload: SupportCasesPayload, accountId: string) {
  return payload.cases.map((item) => ({
    account_id: accountId,
    ...item,
    date_from: payload.date_from,
    date_to: payload.date_to,
  }));
}

/**
 * A collection lists the open cases and the cases created in its 90 days, so a case it does not list is reported
 * no more only if it was created before those days ended: one created later (known from a later window's load,
 * when an older window is backfilled) is outside this collection, not gone.
 */
const MARK_UNSEEN_REMOVED = `UPDATE support_tickets SET removed_at = CAST(:seen_at AS timestamptz)
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen < CAST(:seen_at AS timestamptz)
    AND time_created < CAST(:date_to AS timestamptz)`;

export const supportCasesLoader: CategoryLoader<SupportCasesPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, tickets, supportCasesRows(payload, ctx.accountId), ctx.seenAt);
    // A global category is loaded only when its one collection succeeded: completeRegions is then `all`.
    if (ctx.completeRegions === 'all') {
      await tx.execute(MARK_UNSEEN_REMOVED, {
        account_id: ctx.accountId,
        seen_at: ctx.seenAt,
        date_to: new Date(`${payload.date_to}T00:00:00Z`),
      });
      await markRemovedByLaterCollections(tx, {
        table: 'support_tickets',
        category: 'support-cases',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
      });
    }
    return written;
  },
};
