import {
  type CaseDetails,
  DescribeCasesCommand,
  type DescribeCasesCommandInput,
  type DescribeCasesCommandOutput,
  SupportClient,
} from '@aws-sdk/client-support';
import { z } from 'zod';
import { DataContractError } from '../platform/errors.ts';
import { addDays, type Window } from '../platform/period.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import { defineCollector } from './types.ts';

const timestamp = z.iso.datetime();

const caseSchema = z.object({
  case_id: z.string().min(1),
  /** The number the Support Center shows. */
  display_id: z.string().min(1),
  subject: z.string(),
  /** opened, unassigned, work-in-progress, pending-customer-action, customer-action-completed, reopened, resolved. */
  status: z.string().min(1),
  /** low, normal, high, urgent or critical. */
  severity_code: z.string().min(1),
  service_code: z.string().nullable(),
  category_code: z.string().nullable(),
  time_created: timestamp,
  submitted_by: z.string().nullable(),
  language: z.string().nullable(),
  /** The latest of the case's recent communications. */
  last_communication_time: timestamp.nullable(),
});
export type SupportCase = z.infer<typeof caseSchema>;

export const supportCasesPayloadSchema = z
  .object({
    /** First day of the cases looked at, resolved included (cases still open are reported whatever their age). */
    date_from: z.iso.date(),
    /** The window's end, exclusive. */
    date_to: z.iso.date(),
    cases: z.array(caseSchema),
  })
  .refine((payload) => payload.date_from <= payload.date_to, { message: 'date_from is after date_to' });
export type SupportCasesPayload = z.infer<typeof supportCasesPayloadSchema>;

/** DescribeCases takes maxResults 10 to 100. */
const PAGE_SIZE = 100;
/** Cases handled in English; the seed asked for the same. */
const LANGUAGE = 'en';
/**
 * Resolved cases are reported for this many days, so a case resolved since the last run is seen resolved and a
 * backfill sees the cases of its time; older resolved cases are history the table already holds.
 */
export const RECENT_DAYS = 90;

async function describeCasesAllPages(
  client: SupportClient,
  input: Omit<DescribeCasesCommandInput, 'nextToken'>,
): Promise<CaseDetails[]> {
  const cases: CaseDetails[] = [];
  let token: string | undefined;
  do {
    const page: DescribeCasesCommandOutput = await client.send(
      new DescribeCasesCommand({ ...input, ...(token ? { nextToken: token } : {}) }),
    );
    cases.push(...required(page.cases, 'DescribeCases cases'));
    token = page.nextToken;
  } while (token);
  return cases;
}

/** Support API times are strings (ISO 8601, e.g. `2026-11-20T09:12:44.512Z`), not the SDK's Dates. */
function isoTimestamp(value: string, path: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new DataContractError(`response ${path} is not a timestamp: "${value}"`);
  }
  return date.toISOString();
}

/**
 * Maps one case. The reference marks no CaseDetails member required, but a case without its id, number,
 * status, severity or creation time cannot be reported, so those are read with `required()`.
 */
export function caseOf(details: CaseDetails, path: string): SupportCase {
  const communications = details.recentCommunications?.communications ?? [];
  const communicated = communications
    .flatMap((c, i) =>
      c.timeCreated === undefined
        ? []
        : [isoTimestamp(c.timeCreated, `${path}.recentCommunications.communications[${i}].timeCreated`)],
    )
    .sort();
  return {
    case_id: required(details.caseId, `${path}.caseId`),
    display_id: required(details.displayId, `${path}.displayId`),
    subject: details.subject ?? '',
    status: required(details.status, `${path}.status`),
    severity_code: required(details.severityCode, `${path}.severityCode`),
    service_code: details.serviceCode ?? null,
    category_code: details.categoryCode ?? null,
    time_created: isoTimestamp(required(details.timeCreated, `${path}.timeCreated`), `${path}.timeCreated`),
    submitted_by: details.submittedBy ?? null,
    language: details.language ?? null,
    last_communication_time: communicated.at(-1) ?? null,
  };
}

/** The open cases (any age) and every case of the recent days, resolved included. */
export function caseQueries(window: Window) {
  const dateFrom = addDays(window.end, -RECENT_DAYS);
  return {
    dateFrom,
    open: { includeResolvedCases: false, language: LANGUAGE, maxResults: PAGE_SIZE },
    recent: {
      includeResolvedCases: true,
      afterTime: `${dateFrom}T00:00:00.000Z`,
      beforeTime: `${window.end}T00:00:00.000Z`,
      language: LANGUAGE,
      maxResults: PAGE_SIZE,
    },
  } as const;
}

export const supportCasesCollector = defineCollector({
  id: 'support-cases',
  title: 'Support cases: open cases and the cases of the last 90 days, resolved included',
  scope: 'global',
  actions: ['support:DescribeCases'],
  tables: ['support_tickets'],
  schema: supportCasesPayloadSchema,
  history: 'window',
  async collect(ctx) {
    // Support is global: the SDK sends every Region's client to its us-east-1 endpoint.
    const client = ctx.clients.client(SupportClient, ctx.homeRegion);
    const queries = caseQueries(ctx.window);
    try {
      const [open, recent] = await Promise.all([
        describeCasesAllPages(client, queries.open),
        describeCasesAllPages(client, queries.recent),
      ]);
      const byId = new Map<string, SupportCase>();
      for (const item of [
        ...open.map((c, i) => caseOf(c, `DescribeCases (open) cases[${i}]`)),
        ...recent.map((c, i) => caseOf(c, `DescribeCases (recent) cases[${i}]`)),
      ]) {
        const seen = byId.get(item.case_id);
        // The same case in both answers: keep the one updated later (it may have changed between the queries).
        if (!seen || (item.last_communication_time ?? '') > (seen.last_communication_time ?? '')) {
          byId.set(item.case_id, item);
        }
      }
      const cases = [...byId.values()].sort(
        (a, b) => b.time_created.localeCompare(a.time_created) || a.case_id.localeCompare(b.case_id),
      );
      return {
        payload: { date_from: queries.dateFrom, date_to: ctx.window.end, cases },
        rows: cases.length,
      };
    } catch (error) {
      // No Business, Enterprise On-Ramp or Enterprise Support plan: SubscriptionRequiredException, SKIPPED.
      throw classifyAwsError(error);
    }
  },
});
