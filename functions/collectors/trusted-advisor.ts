import {
  type CheckSummary,
  GetRecommendationCommand,
  ListChecksCommand,
  ListRecommendationsCommand,
  type Recommendation,
  type RecommendationSummary,
  TrustedAdvisorClient,
} from '@aws-sdk/client-trustedadvisor';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { DataContractError } from '../platform/errors.ts';
import { classifyAwsError, type NotEnabledMatcher, required } from './aws-errors.ts';
import { defineCollector } from './types.ts';

export const STATUSES = ['ok', 'warning', 'error'] as const;
export const TYPES = ['standard', 'priority'] as const;

/** ListChecks and ListRecommendations accept a maxResults of 1 to 200. */
const MAX_RESULTS = 200;
/** GetRecommendation calls in flight at once: the Trusted Advisor API's rate limits are low. */
const DETAIL_CONCURRENCY = 3;

const count = z.number().int().nonnegative();
const timestamp = z.iso.datetime().nullable();

const recommendationSchema = z.object({
  recommendation_id: z.string().min(1),
  recommendation_arn: z.string().min(1),
  /** The check the recommendation is the result of; null for a Priority recommendation of no check. */
  check_id: z.string().min(1).nullable(),
  check_arn: z.string().min(1).nullable(),
  /** The recommendation's name (a check's result carries the check's name). */
  check_name: z.string().min(1),
  /** The first pillar, e.g. cost_optimizing, security, fault_tolerance, performance, service_limits. */
  category: z.string().min(1).nullable(),
  pillars: z.array(z.string().min(1)),
  /** The status: ok, warning or error. */
  severity: z.enum(STATUSES),
  /** The description (HTML for checks). */
  recommendation: z.string(),
  type: z.enum(TYPES),
  /** ta_check, security_hub, compute_optimizer, manual... */
  source: z.string().min(1),
  aws_services: z.array(z.string().min(1)),
  /** Trusted Advisor Priority's stage: pending_response, in_progress, dismissed, resolved. */
  lifecycle_stage: z.string().min(1).nullable(),
  /** Resources flagged warning or error. */
  affected_resources_count: count,
  ok_count: count,
  warning_count: count,
  error_count: count,
  excluded_count: count.nullable(),
  /** Estimated monthly savings of a cost optimizing recommendation. */
  potential_savings: z.number().finite().nullable(),
  potential_savings_percentage: z.number().finite().nullable(),
  /** When Trusted Advisor last updated the recommendation. */
  timestamp,
  recommendation_created_at: timestamp,
  resolved_at: timestamp,
});

export const trustedAdvisorPayloadSchema = z.object({
  recommendations: z.array(recommendationSchema),
});
export type TrustedAdvisorPayload = z.infer<typeof trustedAdvisorPayloadSchema>;
export type TrustedAdvisorRecommendation = TrustedAdvisorPayload['recommendations'][number];

/**
 * The Trusted Advisor API needs a Business, Enterprise On-Ramp or Enterprise Support plan; without one it
 * answers AccessDeniedException "Access denied due to support level".
 */
export const isWithoutSupportPlan: NotEnabledMatcher = ({ name, message }) =>
  name === 'AccessDeniedException' && /support level/i.test(message);

/** Every check, with its description, to the last nextToken. */
async function listChecks(client: TrustedAdvisorClient): Promise<CheckSummary[]> {
  const checks: CheckSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListChecksCommand({
        language: 'en',
        maxResults: MAX_RESULTS,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    checks.push(...required(page.checkSummaries, 'ListChecks checkSummaries'));
    token = page.nextToken || undefined;
  } while (token);
  return checks;
}

/** Every recommendation of the account, whatever its status, to the last nextToken. */
async function listRecommendations(client: TrustedAdvisorClient): Promise<RecommendationSummary[]> {
  const summaries: RecommendationSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListRecommendationsCommand({ maxResults: MAX_RESULTS, ...(token ? { nextToken: token } : {}) }),
    );
    summaries.push(...required(page.recommendationSummaries, 'ListRecommendations recommendationSummaries'));
    token = page.nextToken || undefined;
  } while (token);
  return summaries;
}

async function getRecommendation(client: TrustedAdvisorClient, arn: string): Promise<Recommendation> {
  const response = await client.send(new GetRecommendationCommand({ recommendationIdentifier: arn }));
  return required(response.recommendation, `GetRecommendation(${arn}) recommendation`);
}

function oneOf<T extends string>(values: readonly T[], value: string, path: string): T {
  if (!(values as readonly string[]).includes(value)) {
    throw new DataContractError(`response ${path} is not one of ${values.join(', ')}: "${value}"`);
  }
  return value as T;
}

const checkIdOf = (checkArn: string) => checkArn.slice(checkArn.lastIndexOf('/') + 1);

/**
 * One recommendation, reading with `required()` what the API reference marks as always present. The
 * description comes from the recommendation's check, or from GetRecommendation (`detail`) when there is no
 * known check; GetRecommendation also gives a Priority recommendation's resolution time.
 */
export function recommendationOf(
  summary: RecommendationSummary,
  check: CheckSummary | undefined,
  detail: Recommendation | undefined,
  at: string,
): TrustedAdvisorRecommendation {
  const aggregates = required(summary.resourcesAggregates, `${at}.resourcesAggregates`);
  const warnings = required(aggregates.warningCount, `${at}.resourcesAggregates.warningCount`);
  const errors = required(aggregates.errorCount, `${at}.resourcesAggregates.errorCount`);
  const costOptimizing = summary.pillarSpecificAggregates?.costOptimizing;
  const pillars = required(summary.pillars, `${at}.pillars`);
  const description = detail
    ? required(detail.description, `GetRecommendation(${summary.arn}) recommendation.description`)
    : required(check?.description, `ListChecks checkSummaries(${summary.checkArn}).description`);
  return {
    recommendation_id: required(summary.id, `${at}.id`),
    recommendation_arn: required(summary.arn, `${at}.arn`),
    check_id: summary.checkArn ? (check?.id ?? checkIdOf(summary.checkArn)) : null,
    check_arn: summary.checkArn ?? null,
    check_name: required(summary.name, `${at}.name`),
    category: pillars[0] ?? null,
    pillars,
    severity: oneOf(STATUSES, required(summary.status, `${at}.status`), `${at}.status`),
    recommendation: description,
    type: oneOf(TYPES, required(summary.type, `${at}.type`), `${at}.type`),
    source: required(summary.source, `${at}.source`),
    aws_services: summary.awsServices ?? check?.awsServices ?? [],
    lifecycle_stage: detail?.lifecycleStage ?? summary.lifecycleStage ?? null,
    affected_resources_count: warnings + errors,
    ok_count: required(aggregates.okCount, `${at}.resourcesAggregates.okCount`),
    warning_count: warnings,
    error_count: errors,
    excluded_count: aggregates.excludedCount ?? null,
    potential_savings: costOptimizing
      ? required(
          costOptimizing.estimatedMonthlySavings,
          `${at}.pillarSpecificAggregates.costOptimizing.estimatedMonthlySavings`,
        )
      : null,
    potential_savings_percentage: costOptimizing
      ? required(
          costOptimizing.estimatedPercentMonthlySavings,
          `${at}.pillarSpecificAggregates.costOptimizing.estimatedPercentMonthlySavings`,
        )
      : null,
    timestamp: summary.lastUpdatedAt?.toISOString() ?? null,
    recommendation_created_at: summary.createdAt?.toISOString() ?? null,
    resolved_at: detail?.resolvedAt?.toISOString() ?? null,
  };
}

export const trustedAdvisorCollector = defineCollector({
  id: 'trusted-advisor',
  title:
    'Trusted Advisor: the account’s recommendations across cost, security, fault tolerance, performance and limits',
  scope: 'global',
  actions: [
    'trustedadvisor:ListChecks',
    'trustedadvisor:ListRecommendations',
    'trustedadvisor:GetRecommendation',
  ],
  tables: ['trusted_advisor_checks'],
  schema: trustedAdvisorPayloadSchema,
  async collect(ctx) {
    // A global service with its endpoint in us-east-1 (the home region): collected once per account.
    const client = ctx.clients.client(TrustedAdvisorClient, ctx.homeRegion);
    try {
      const [checks, summaries] = await Promise.all([listChecks(client), listRecommendations(client)]);
      const byArn = new Map(
        checks.map((c, i) => [required(c.arn, `ListChecks checkSummaries[${i}].arn`), c]),
      );
      // Priority recommendations (their lifecycle and resolution) and those of no known check need their detail.
      const needDetail = summaries.filter(
        (s) => s.type === 'priority' || s.checkArn === undefined || !byArn.has(s.checkArn),
      );
      const details = new Map(
        await mapLimit(needDetail, DETAIL_CONCURRENCY, async (s, i) => {
          const arn = required(s.arn, `ListRecommendations recommendationSummaries(detail ${i}).arn`);
          return [arn, await getRecommendation(client, arn)] as const;
        }),
      );
      const recommendations = summaries
        .map((s, i) =>
          recommendationOf(
            s,
            s.checkArn === undefined ? undefined : byArn.get(s.checkArn),
            s.arn === undefined ? undefined : details.get(s.arn),
            `ListRecommendations recommendationSummaries[${i}]`,
          ),
        )
        .sort(
          (a, b) =>
            (a.category ?? '').localeCompare(b.category ?? '') ||
            a.check_name.localeCompare(b.check_name) ||
            a.recommendation_id.localeCompare(b.recommendation_id),
        );
      return { payload: { recommendations }, rows: recommendations.length };
    } catch (error) {
      throw classifyAwsError(error, isWithoutSupportPlan);
    }
  },
});
