import { CostExplorerClient, type ResultByTime } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import type { Window } from '../platform/period.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import {
  amountOf,
  type CostAndUsageQuery,
  getCostAndUsageAllPages,
  isCostExplorerNotEnabled,
  linkedAccountFilter,
} from './cost-explorer.ts';
import { defineCollector } from './types.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const serviceUsageItemSchema = z.object({
  service: z.string().min(1),
  /** One usage type (the seed's column name is plural; it held the constant "Aggregated"). */
  usage_types: z.string().min(1),
  date_from: day,
  /** Exclusive, as Cost Explorer reads it. */
  date_to: day,
  /** Unblended cost; credits and refunds make it negative. */
  cost: z.number().finite(),
  currency: z.string().min(1),
  /** Usage quantity of this usage type, in `utilization_unit`. */
  utilization: z.number().finite(),
  utilization_unit: z.string().min(1).nullable(),
});

export const serviceUsagePayloadSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/),
  /** The window collected: the loader replaces exactly this window's rows. */
  period: z.object({ start: day, end: day, granularity: z.enum(['DAILY', 'MONTHLY']) }),
  services: z.array(serviceUsageItemSchema),
});
export type ServiceUsagePayload = z.infer<typeof serviceUsagePayloadSchema>;
type ServiceUsageItem = ServiceUsagePayload['services'][number];

/**
 * The (service, usage type) groups of one ResultsByTime entry. A period's groups may be split across pages, each
 * page repeating the period with its share of the groups, so entries are read independently.
 */
function itemsOf(result: ResultByTime, i: number): ServiceUsageItem[] {
  const at = `GetCostAndUsage ResultsByTime[${i}]`;
  const period = required(result.TimePeriod, `${at}.TimePeriod`);
  const dateFrom = required(period.Start, `${at}.TimePeriod.Start`);
  const dateTo = required(period.End, `${at}.TimePeriod.End`);
  return (result.Groups ?? []).map((group, j) => {
    const where = `${at}.Groups[${j}]`;
    const cost = group.Metrics?.UnblendedCost;
    const usage = group.Metrics?.UsageQuantity;
    return {
      service: required(group.Keys?.[0], `${where}.Keys[0]`),
      usage_types: required(group.Keys?.[1], `${where}.Keys[1]`),
      date_from: dateFrom,
      date_to: dateTo,
      cost: amountOf(cost, `${where}.Metrics.UnblendedCost.Amount`),
      currency: cost?.Unit || 'USD',
      utilization: amountOf(usage, `${where}.Metrics.UsageQuantity.Amount`),
      utilization_unit: usage?.Unit || null,
    };
  });
}

/** Cost and usage quantity by service and usage type: the one request `collect` sends (all pages). */
function serviceUsageQuery(accountId: string, window: Window): CostAndUsageQuery {
  return {
    TimePeriod: { Start: window.start, End: window.end },
    Granularity: window.period,
    Metrics: ['UnblendedCost', 'UsageQuantity'],
    GroupBy: [
      { Type: 'DIMENSION', Key: 'SERVICE' },
      { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
    ],
    Filter: linkedAccountFilter(accountId),
  };
}

export const serviceUsageCollector = defineCollector({
  id: 'service-usage',
  title: 'Service usage: cost and usage quantity by service and usage type',
  scope: 'global',
  actions: ['ce:GetCostAndUsage'],
  tables: ['services'],
  schema: serviceUsagePayloadSchema,
  history: 'window',
  costAndUsageQueries: (accountId, window) => [serviceUsageQuery(accountId, window)],
  async collect(ctx) {
    const client = ctx.clients.client(CostExplorerClient, ctx.homeRegion);
    let results: ResultByTime[];
    try {
      results = await getCostAndUsageAllPages(client, serviceUsageQuery(ctx.accountId, ctx.window));
    } catch (error) {
      throw classifyAwsError(error, isCostExplorerNotEnabled);
    }
    const services = results.flatMap(itemsOf);
    services.sort(
      (a, b) =>
        a.date_from.localeCompare(b.date_from) ||
        b.cost - a.cost ||
        a.service.localeCompare(b.service) ||
        a.usage_types.localeCompare(b.usage_types),
    );
    const payload: ServiceUsagePayload = {
      account_id: ctx.accountId,
      period: { start: ctx.window.start, end: ctx.window.end, granularity: ctx.window.period },
      services,
    };
    return { payload, rows: services.length };
  },
});
