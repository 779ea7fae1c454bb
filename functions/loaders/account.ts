import type { AccountPayload } from '../collectors/account.ts';
import { type Sql, sqlJson } from '../ports.ts';
import type { CategoryLoader, LoadContext } from './types.ts';
import { type UpsertSpec, upsertRows } from './upsert.ts';

/** The columns of `accounts` this category learns; a null (unknown) value never replaces a known one. */
const ACCOUNT_COLUMNS = [
  { name: 'account_name', type: 'text' },
  { name: 'account_email', type: 'text' },
  { name: 'account_status', type: 'text' },
  { name: 'account_arn', type: 'text' },
  { name: 'joined_method', type: 'text' },
  { name: 'joined_timestamp', type: 'timestamptz' },
  { name: 'account_created_at', type: 'timestamptz' },
] as const;

type AccountColumn = (typeof ACCOUNT_COLUMNS)[number]['name'];

const learned = (c: (typeof ACCOUNT_COLUMNS)[number]) =>
  `COALESCE(CAST(:${c.name} AS ${c.type}), a.${c.name})`;

/** updated_at moves only when a value changed, so loading the same payload again changes nothing. */
const UPDATE_ACCOUNT = `
  UPDATE accounts AS a SET
    ${ACCOUNT_COLUMNS.map((c) => `${c.name} = ${learned(c)}`).join(',\n    ')},
    last_seen = CAST(:seen_at AS timestamptz),
    updated_at = CASE
      WHEN (${ACCOUNT_COLUMNS.map((c) => `a.${c.name}`).join(', ')})
        IS DISTINCT FROM (${ACCOUNT_COLUMNS.map(learned).join(', ')})
      THEN now() ELSE a.updated_at END
  WHERE a.id = :account_id`;

const contactInfo: UpsertSpec = {
  table: 'contact_info',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'full_name', type: 'text' },
    { name: 'address_line1', type: 'text' },
    { name: 'address_line2', type: 'text' },
    { name: 'address_line3', type: 'text' },
    { name: 'city', type: 'text' },
    { name: 'state_or_region', type: 'text' },
    { name: 'district_or_county', type: 'text' },
    { name: 'postal_code', type: 'text' },
    { name: 'country_code', type: 'text' },
    { name: 'phone_number', type: 'text' },
    { name: 'company_name', type: 'text' },
    { name: 'website_url', type: 'text' },
  ],
  key: ['account_id'],
  updatedAt: true,
};

const alternateContacts: UpsertSpec = {
  table: 'alternate_contacts',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'contact_type', type: 'text' },
    { name: 'full_name', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'email', type: 'text' },
    { name: 'phone_number', type: 'text' },
  ],
  key: ['account_id', 'contact_type'],
  updatedAt: true,
};

/** Rows of the account's tables for one payload (pure). */
export function accountRows(payload: AccountPayload, accountId: string) {
  const account: Record<AccountColumn, string | null> = {
    account_name: payload.account_name,
    account_email: payload.account_email,
    account_status: payload.account_status,
    account_arn: payload.account_arn,
    joined_method: payload.joined_method,
    joined_timestamp: payload.joined_timestamp,
    account_created_at: payload.account_created_at,
  };
  const contact = payload.contact_info && { account_id: accountId, ...payload.contact_info };
  const alternates = (['billing', 'operations', 'security'] as const).flatMap((type) => {
    const c = payload.alternate_contacts[type];
    return c
      ? [
          {
            account_id: accountId,
            contact_type: type,
            full_name: c.name,
            title: c.title,
            email: c.email,
            phone_number: c.phone,
          },
        ]
      : [];
  });
  return { account, contact, alternates };
}

/**
 * Whether a newer collection of this account is already loaded: then this (older) payload must not roll the
 * account's name, state or contacts back. Reloading the same collection is not older.
 */
async function newerLoaded(tx: Sql, ctx: LoadContext): Promise<boolean> {
  const rows = await tx.query(
    `SELECT 1 AS newer FROM accounts WHERE id = :account_id AND last_seen > CAST(:seen_at AS timestamptz)`,
    { account_id: ctx.accountId, seen_at: ctx.seenAt },
  );
  return rows.length > 0;
}

export const accountLoader: CategoryLoader<AccountPayload> = {
  async load(tx, payload, ctx) {
    if (await newerLoaded(tx, ctx)) return 0;
    const rows = accountRows(payload, ctx.accountId);
    let written = await tx.execute(UPDATE_ACCOUNT, {
      ...rows.account,
      account_id: ctx.accountId,
      seen_at: ctx.seenAt,
    });
    if (rows.contact) {
      written += await upsertRows(tx, contactInfo, [rows.contact]);
    } else {
      await tx.execute(`DELETE FROM contact_info WHERE account_id = :account_id`, {
        account_id: ctx.accountId,
      });
    }
    written += await upsertRows(tx, alternateContacts, rows.alternates);
    // A global category is loaded only when it succeeded; the check keeps a partial one from deleting.
    if (ctx.completeRegions === 'all') {
      await tx.execute(
        `DELETE FROM alternate_contacts WHERE account_id = :account_id
           AND contact_type NOT IN (SELECT jsonb_array_elements_text(CAST(:keep AS jsonb)))`,
        { account_id: ctx.accountId, keep: sqlJson(rows.alternates.map((r) => r.contact_type)) },
      );
    }
    return written;
  },
};
