import { CostExplorerClient, GetCostForecastCommand } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { addDays, addMonths, isoDay, previousWindow, type Window } from '../platform/period.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import {
  amountOf,
  type CostAndUsageQuery,
  getCostAndUsageAllPages,
  isCostExplorerNotEnabled,
  linkedAccountFilter,
} from './cost-explorer.ts';
import { type CollectContext, defineCollector } from './types.ts';

const money = z.number().finite();

export const costPayloadSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/),
  currency: z.string().min(1),
  current_period_cost: money,
  previous_period_cost: money,
  cost_difference: money,
  /** Percent change against the previous period; 0 when the previous period cost nothing. */
  cost_difference_percentage: money,
  period: z.object({
    start: z.string(),
    /** Exclusive, as Cost Explorer reads it. */
    end: z.string(),
    granularity: z.enum(['DAILY', 'MONTHLY']),
  }),
  /** Whether Cost Explorer still marks the period's figures as estimated. */
  estimated: z.boolean(),
  services_count: z.number().int().nonnegative(),
  top_services: z.array(z.object({ service: z.string().min(1), cost: money })),
  forecast: z.array(
    z.object({
      period: z.object({ start: z.string(), end: z.string() }),
      amount: money,
      lower_bound: money.nullable(),
      upper_bound: money.nullable(),
    }),
  ),
  /** Why there is no forecast (a window in the past, too little history), or null. */
  forecast_note: z.string().nullable(),
});
export type CostPayload = z.infer<typeof costPayloadSchema>;

const TOP_SERVICES = 5;
const FORECAST_PREDICTION_INTERVAL = 80;

/** The window's cost by service, and the previous window's total: the requests `collect` sends. */
function costQueries(accountId: string, window: Window): [CostAndUsageQuery, CostAndUsageQuery] {
  const previous = previousWindow(window);
  return [
    {
      TimePeriod: { Start: window.start, End: window.end },
      Granularity: window.period,
      Metrics: ['UnblendedCost'],
      GroupBy: [{ Type: 'DIMENSION', Key: 'SERVICE' }],
      Filter: linkedAccountFilter(accountId),
    },
    {
      TimePeriod: { Start: previous.start, End: previous.end },
      Granularity: previous.period,
      Metrics: ['UnblendedCost'],
      Filter: linkedAccountFilter(accountId),
    },
  ];
}

async function periodTotal(client: CostExplorerClient, query: CostAndUsageQuery) {
  const results = await getCostAndUsageAllPages(client, query);
  let total = 0;
  let unit: string | undefined;
  results.forEach((result, i) => {
    required(result.TimePeriod, `GetCostAndUsage ResultsByTime[${i}].TimePeriod`);
    const metric = result.Total?.UnblendedCost;
    total += amountOf(metric, `GetCostAndUsage ResultsByTime[${i}].Total.UnblendedCost.Amount`);
    unit ??= metric?.Unit;
  });
  return { total, unit };
}

async function servicesOfPeriod(client: CostExplorerClient, query: CostAndUsageQuery) {
  const results = await getCostAndUsageAllPages(client, query);
  const byService = new Map<string, number>();
  let unit: string | undefined;
  let estimated = false;
  results.forEach((result, i) => {
    required(result.TimePeriod, `GetCostAndUsage ResultsByTime[${i}].TimePeriod`);
    estimated ||= result.Estimated === true;
    (result.Groups ?? []).forEach((group, j) => {
      const service = required(group.Keys?.[0], `GetCostAndUsage ResultsByTime[${i}].Groups[${j}].Keys[0]`);
      const metric = group.Metrics?.UnblendedCost;
      const cost = amountOf(
        metric,
        `GetCostAndUsage ResultsByTime[${i}].Groups[${j}].Metrics.UnblendedCost.Amount`,
      );
      unit ??= metric?.Unit;
      byService.set(service, (byService.get(service) ?? 0) + cost);
    });
  });
  return { byService, unit, estimated };
}

/**
 * The forecast from today to the end of next month. Cost Explorer only forecasts from today on, so a window
 * that ended before this month (a backfill) gets no forecast rather than a misleading one. In organization
 * mode a forecast is the one request per account left, so only MONTHLY runs ask for it.
 */
async function forecast(ctx: CollectContext, client: CostExplorerClient) {
  const today = isoDay(ctx.now);
  const monthStart = `${today.slice(0, 7)}-01`;
  if (ctx.window.end < monthStart) {
    return { items: [], note: `window ends before ${monthStart}: Cost Explorer forecasts only from today` };
  }
  if (ctx.costExplorer === 'organization' && ctx.window.period === 'DAILY') {
    return { items: [], note: 'organization mode: the MONTHLY run collects the forecast' };
  }
  const end = addMonths(monthStart, 2);
  try {
    const response = await client.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: today, End: end === today ? addDays(today, 1) : end },
        Metric: 'UNBLENDED_COST',
        Granularity: 'MONTHLY',
        Filter: linkedAccountFilter(ctx.accountId),
        PredictionIntervalLevel: FORECAST_PREDICTION_INTERVAL,
      }),
    );
    const results = required(response.ForecastResultsByTime, 'GetCostForecast ForecastResultsByTime');
    const items = results.map((r, i) => {
      const period = required(r.TimePeriod, `GetCostForecast ForecastResultsByTime[${i}].TimePeriod`);
      const bound = (value: string | undefined) => (value === undefined ? null : Number(value));
      return {
        period: {
          start: required(period.Start, `ForecastResultsByTime[${i}].TimePeriod.Start`),
          end: required(period.End, `ForecastResultsByTime[${i}].TimePeriod.End`),
        },
        amount: Number(required(r.MeanValue, `GetCostForecast ForecastResultsByTime[${i}].MeanValue`)),
        lower_bound: bound(r.PredictionIntervalLowerBound),
        upper_bound: bound(r.PredictionIntervalUpperBound),
      };
    });
    return { items, note: null };
  } catch (error) {
    // A young account has too little history to forecast: that is a fact to record, not a failure.
    if ((error as { name?: string }).name === 'DataUnavailableException') {
      return { items: [], note: `no forecast: ${(error as Error).message}` };
    }
    throw error;
  }
}

function round(value: number, digits = 10): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const costCollector = defineCollector({
  id: 'cost',
  title: 'Cost: period totals, previous period, top services, forecast',
  scope: 'global',
  actions: ['ce:GetCostAndUsage', 'ce:GetCostForecast'],
  tables: ['cost_reports', 'service_costs', 'cost_forecasts'],
  schema: costPayloadSchema,
  history: 'window',
  costAndUsageQueries: costQueries,
  async collect(ctx) {
    const client = ctx.clients.client(CostExplorerClient, ctx.homeRegion);
    const [servicesQuery, previousQuery] = costQueries(ctx.accountId, ctx.window);
    try {
      const [current, previous, predicted] = await Promise.all([
        servicesOfPeriod(client, servicesQuery),
        periodTotal(client, previousQuery),
        forecast(ctx, client),
      ]);
      const currentCost = [...current.byService.values()].reduce((a, b) => a + b, 0);
      const difference = currentCost - previous.total;
      const topServices = [...current.byService.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, TOP_SERVICES)
        .map(([service, cost]) => ({ service, cost: round(cost) }));
      const payload: CostPayload = {
        account_id: ctx.accountId,
        currency: current.unit ?? previous.unit ?? 'USD',
        current_period_cost: round(currentCost),
        previous_period_cost: round(previous.total),
        cost_difference: round(difference),
        cost_difference_percentage: previous.total === 0 ? 0 : round((difference / previous.total) * 100, 4),
        period: { start: ctx.window.start, end: ctx.window.end, granularity: ctx.window.period },
        estimated: current.estimated,
        services_count: current.byService.size,
        top_services: topServices,
        forecast: predicted.items,
        forecast_note: predicted.note,
      };
      return { payload, rows: 1 + topServices.length + predicted.items.length };
    } catch (error) {
      throw classifyAwsError(error, isCostExplorerNotEnabled);
    }
  },
});
