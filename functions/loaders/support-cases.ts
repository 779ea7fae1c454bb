import type { SupportCasesPayload } from '../collectors/support-cases.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

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

export const supportCasesLoader: CategoryLoader<SupportCasesPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, tickets, supportCasesRows(payload, ctx.accountId), ctx.seenAt);
    // A global category is loaded only when its one collection succeeded: completeRegions is then `all`.
    await markUnseenRemoved(tx, {
      table: tickets.table,
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    return written;
  },
};
