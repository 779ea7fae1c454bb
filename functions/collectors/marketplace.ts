import { CostExplorerClient, type Expression, type ResultByTime } from '@aws-sdk/client-cost-explorer';
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

/** The BILLING_ENTITY dimension value of AWS Marketplace charges (the other is "AWS"). */
export const MARKETPLACE_BILLING_ENTITY = 'AWS Marketplace';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const productUsageSchema = z.object({
  /**
   * Cost Explorer has no Marketplace product code (nor any other read-only API of the clients a360 uses), so
   * this is the product's name as billed, the SERVICE dimension value (the seed's key column).
   */
  product_code: z.string().min(1),
  product_name: z.string().min(1),
  /** Unblended cost of the period; credits and refunds make it negative. */
  cost_consumed: z.number().finite(),
  currency: z.string().min(1),
  period_start: day,
  /** Exclusive, as Cost Explorer reads it. */
  period_end: day,
  /** ESTIMATED while Cost Explorer still marks the period's figures as estimated, then FINAL. */
  status: z.enum(['ESTIMATED', 'FINAL']),
});

export const marketplacePayloadSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/),
  /** The window collected: the loader replaces exactly this window's rows. */
  period: z.object({ start: day, end: day, granularity: z.enum(['DAILY', 'MONTHLY']) }),
  products: z.array(productUsageSchema),
});
export type MarketplacePayload = z.infer<typeof marketplacePayloadSchema>;
type ProductUsage = MarketplacePayload['products'][number];

/** The account's AWS Marketplace charges, as Cost Explorer bills them. */
export function marketplaceFilter(accountId: string): Expression {
  return {
    And: [
      linkedAccountFilter(accountId),
      { Dimensions: { Key: 'BILLING_ENTITY', Values: [MARKETPLACE_BILLING_ENTITY] } },
    ],
  };
}

/**
 * The products of one ResultsByTime entry. A period's groups may be split across pages, each page repeating the
 * period with its share of the groups, so entries are read independently.
 */
function productsOf(result: ResultByTime, i: number): ProductUsage[] {
  const at = `GetCostAndUsage ResultsByTime[${i}]`;
  const period = required(result.TimePeriod, `${at}.TimePeriod`);
  const start = required(period.Start, `${at}.TimePeriod.Start`);
  const end = required(period.End, `${at}.TimePeriod.End`);
  return (result.Groups ?? []).map((group, j) => {
    const where = `${at}.Groups[${j}]`;
    const product = required(group.Keys?.[0], `${where}.Keys[0]`);
    const cost = group.Metrics?.UnblendedCost;
    return {
      product_code: product,
      product_name: product,
      cost_consumed: amountOf(cost, `${where}.Metrics.UnblendedCost.Amount`),
      currency: cost?.Unit || 'USD',
      period_start: start,
      period_end: end,
      status: result.Estimated === true ? 'ESTIMATED' : 'FINAL',
    };
  });
}

/** Marketplace spend by product: the one request `collect` sends (all pages). */
function marketplaceQuery(accountId: string, window: Window): CostAndUsageQuery {
  return {
    TimePeriod: { Start: window.start, End: window.end },
    Granularity: window.period,
    Metrics: ['UnblendedCost'],
    GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
    Filter: marketplaceFilter(accountId),
  };
}

export const marketplaceCollector = defineCollector({
  id: 'marketplace',
  title: 'Marketplace: AWS Marketplace spend per product (Cost Explorer)',
  scope: 'global',
  actions: ['ce:GetCostAndUsage'],
  tables: ['marketplace_usage'],
  schema: marketplacePayloadSchema,
  history: 'window',
  costAndUsageQueries: (accountId, window) => [marketplaceQuery(accountId, window)],
  async collect(ctx) {
    const client = ctx.clients.client(CostExplorerClient, ctx.homeRegion);
    let results: ResultByTime[];
    try {
      results = await getCostAndUsageAllPages(client, marketplaceQuery(ctx.accountId, ctx.window));
    } catch (error) {
      throw classifyAwsError(error, isCostExplorerNotEnabled);
    }
    const products = results
      .flatMap(productsOf)
      .sort(
        (a, b) =>
          a.period_start.localeCompare(b.period_start) ||
          b.cost_consumed - a.cost_consumed ||
          a.product_code.localeCompare(b.product_code),
      );
    const payload: MarketplacePayload = {
      account_id: ctx.accountId,
      period: { start: ctx.window.start, end: ctx.window.end, granularity: ctx.window.period },
      products,
    };
    return { payload, rows: products.length };
  },
});
