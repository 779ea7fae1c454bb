import { ENDED_STATE, type Reservation, type ReservationsPayload } from '../collectors/reservations.ts';
import { addDays } from '../platform/period.ts';
import { sqlJson } from '../ports.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const TERMS = [
  { name: 'offering_id', type: 'text' },
  { name: 'savings_plan_arn', type: 'text' },
  { name: 'savings_plan_type', type: 'text' },
  { name: 'instance_family', type: 'text' },
  { name: 'instance_tenancy', type: 'text' },
  { name: 'offering_class', type: 'text' },
  { name: 'offering_type', type: 'text' },
  { name: 'product_types', type: 'text' },
  { name: 'commitment', type: 'numeric' },
  { name: 'upfront_cost', type: 'numeric' },
  { name: 'recurring_cost', type: 'numeric' },
  { name: 'recurring_frequency', type: 'text' },
  { name: 'usage_price', type: 'numeric' },
  { name: 'start_date', type: 'timestamptz' },
  { name: 'end_date', type: 'timestamptz' },
  { name: 'returnable_until', type: 'timestamptz' },
  { name: 'duration_seconds', type: 'integer' },
  { name: 'state', type: 'text' },
  { name: 'description', type: 'text' },
] as const;

const reservations: UpsertSpec = {
  table: 'ri_sp_reservations',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'reservation_type', type: 'text' },
    { name: 'subscription_id', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'reservation_arn', type: 'text' },
    { name: 'savings_plan_region', type: 'text' },
    { name: 'instance_type', type: 'text' },
    { name: 'instance_count', type: 'integer' },
    { name: 'scope', type: 'text' },
    { name: 'availability_zone', type: 'text' },
    { name: 'multi_az', type: 'boolean' },
    { name: 'currency', type: 'text' },
    ...TERMS,
  ],
  key: ['account_id', 'reservation_type', 'subscription_id'],
  tracking: 'current-state',
  updatedAt: true,
};

const dailySavings: UpsertSpec = {
  table: 'ri_sp_daily_savings',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'date', type: 'date' },
    { name: 'date_from', type: 'date' },
    { name: 'date_to', type: 'date' },
    { name: 'reservation_type', type: 'text' },
    { name: 'subscription_id', type: 'text' },
    { name: 'service', type: 'text' },
    { name: 'instance_type', type: 'text' },
    { name: 'instance_count', type: 'integer' },
    { name: 'region', type: 'text' },
    { name: 'utilization_percentage', type: 'numeric' },
    { name: 'on_demand_cost', type: 'numeric' },
    { name: 'reservation_cost', type: 'numeric' },
    { name: 'net_savings', type: 'numeric' },
    { name: 'unused_cost', type: 'numeric' },
    { name: 'purchased_hours', type: 'numeric' },
    { name: 'used_hours', type: 'numeric' },
    { name: 'currency', type: 'text' },
    ...TERMS,
  ],
  computed: {
    reservation_id: `(SELECT x.id FROM ri_sp_reservations x WHERE x.account_id = r.account_id
      AND x.reservation_type = r.reservation_type AND x.subscription_id = r.subscription_id)`,
  },
  key: ['account_id', 'subscription_id', 'reservation_type', 'date_from', 'date_to'],
  updatedAt: true,
};

function termsOf(reservation: Reservation | undefined) {
  return Object.fromEntries(TERMS.map(({ name }) => [name, reservation?.[name] ?? null]));
}

/** Rows of both tables for one payload (pure): each day's figures carry the reservation's terms. */
export function reservationsRows(payload: ReservationsPayload, accountId: string) {
  const byKey = new Map(payload.reservations.map((r) => [`${r.reservation_type}|${r.subscription_id}`, r]));
  return {
    reservations: payload.reservations.map((r) => ({ account_id: accountId, ...r })),
    daily: payload.utilization.map((u) => {
      const reservation = byKey.get(`${u.reservation_type}|${u.subscription_id}`);
      return {
        account_id: accountId,
        ...termsOf(reservation),
        date: u.date,
        date_from: u.date,
        date_to: addDays(u.date, 1),
        reservation_type: u.reservation_type,
        subscription_id: u.subscription_id,
        service: u.service,
        instance_type: u.instance_type,
        instance_count: u.instance_count,
        region: u.region,
        utilization_percentage: u.utilization_percentage,
        on_demand_cost: u.on_demand_cost,
        reservation_cost: u.reservation_cost,
        net_savings: u.net_savings,
        unused_cost: u.unused_cost,
        purchased_hours: u.purchased_hours,
        used_hours: u.used_hours,
        currency: reservation?.currency ?? 'USD',
      };
    }),
  };
}

/**
 * A reservation seen ended is removed as of its end (never later than the collection). The upsert has just
 * cleared removed_at on every row it wrote, so this runs on exactly the rows seen now.
 */
const MARK_ENDED_REMOVED = `UPDATE ri_sp_reservations
  SET removed_at = LEAST(end_date, CAST(:seen_at AS timestamptz))
  WHERE account_id = :account_id AND removed_at IS NULL AND last_seen = CAST(:seen_at AS timestamptz)
    AND state = :ended`;

/** The days Cost Explorer answered in full are replaced: a reservation it no longer reports for them goes. */
const DELETE_STALE_DAYS = `DELETE FROM ri_sp_daily_savings
  WHERE account_id = :account_id AND date IN (SELECT CAST(d AS date) FROM jsonb_array_elements_text(CAST(:days AS jsonb)) AS d)
    AND (reservation_type || '|' || subscription_id || '|' || date::text)
      NOT IN (SELECT jsonb_array_elements_text(CAST(:keep AS jsonb)))`;

export const reservationsLoader: CategoryLoader<ReservationsPayload> = {
  async load(tx, payload, ctx) {
    const rows = reservationsRows(payload, ctx.accountId);
    let written = await upsertRows(tx, reservations, rows.reservations, ctx.seenAt);
    await tx.execute(MARK_ENDED_REMOVED, {
      account_id: ctx.accountId,
      seen_at: ctx.seenAt,
      ended: ENDED_STATE,
    });
    await markUnseenRemoved(tx, {
      table: reservations.table,
      category: 'reservations',
      accountId: ctx.accountId,
      seenAt: ctx.seenAt,
      regions: ctx.completeRegions,
    });
    written += await upsertRows(tx, dailySavings, rows.daily);
    if (payload.utilization_days.length > 0) {
      await tx.execute(DELETE_STALE_DAYS, {
        account_id: ctx.accountId,
        days: sqlJson(payload.utilization_days),
        keep: sqlJson(rows.daily.map((d) => `${d.reservation_type}|${d.subscription_id}|${d.date}`)),
      });
    }
    return written;
  },
};
