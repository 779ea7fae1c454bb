import {
  type CaseDetails,
  DescribeCasesCommand,
  type DescribeCasesCommandInput,
  SupportClient,
} from '@aws-sdk/client-support';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { supportCasesCollector } from '../../../functions/collectors/support-cases.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const support = mockClient(SupportClient);
afterEach(() => support.reset());
afterAll(() => support.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const caseId = (n: string) => `case-${account}-muen-2026-${n.padStart(16, '0')}`;

const communication = (timeCreated: string, by = 'Amazon Web Services') => ({
  caseId: 'ignored',
  body: 'Hello, this is AWS Support.',
  submittedBy: by,
  timeCreated,
});

/** Open for months, waiting on the customer; its newest communication first, as AWS lists them. */
const quota: CaseDetails = {
  caseId: caseId('1'),
  displayId: '1742859263',
  subject: 'Raise the On-Demand Standard instances vCPU quota in us-east-1 to 512',
  status: 'pending-customer-action',
  serviceCode: 'service-limit-increase',
  categoryCode: 'ec2-instances',
  severityCode: 'normal',
  submittedBy: 'aws+checkout-prod@example.com',
  timeCreated: '2026-06-02T08:15:30.120Z',
  language: 'en',
  recentCommunications: {
    communications: [
      communication('2026-11-24T10:00:00.000Z'),
      communication('2026-11-20T09:00:00.000Z', 'aws+checkout-prod@example.com'),
    ],
  },
};
/** Resolved yesterday. */
const outage: CaseDetails = {
  caseId: caseId('2'),
  displayId: '1225557574',
  subject: 'Instance i-0123456789abcdef0 fails system status checks after host maintenance',
  status: 'resolved',
  serviceCode: 'amazon-elastic-compute-cloud-linux',
  categoryCode: 'instance-issue',
  severityCode: 'urgent',
  submittedBy: 'aws+checkout-prod@example.com',
  timeCreated: '2026-11-23T22:41:05.000Z',
  language: 'en',
  recentCommunications: { communications: [communication('2026-11-25T07:30:00.000Z')] },
};
const billing: CaseDetails = {
  caseId: caseId('3'),
  displayId: '1553791079',
  subject: 'Unexpected NAT gateway data processing charges on the 2026-10 invoice',
  status: 'work-in-progress',
  severityCode: 'low',
  timeCreated: '2026-11-25T12:00:00Z',
};

const isOpenQuery = (input: DescribeCasesCommandInput) => input.includeResolvedCases === false;

/** Open cases over two pages; the recent ones (resolved included) over two pages; one case in both. */
function account360() {
  support.on(DescribeCasesCommand).callsFake((input: DescribeCasesCommandInput) => {
    if (isOpenQuery(input)) {
      return input.nextToken === undefined ? { cases: [quota], nextToken: 'open-2' } : { cases: [billing] };
    }
    return input.nextToken === undefined ? { cases: [outage], nextToken: 'recent-2' } : { cases: [billing] };
  });
}

describe('support-cases collector', () => {
  it('reads the open cases and the last 90 days resolved included, page by page, once each', async () => {
    account360();

    const result = await supportCasesCollector.collect(collectContext({ window }));

    expect(support.commandCalls(DescribeCasesCommand).map((c) => c.args[0].input)).toEqual([
      { includeResolvedCases: false, language: 'en', maxResults: 100 },
      {
        includeResolvedCases: true,
        afterTime: '2026-08-28T00:00:00.000Z',
        beforeTime: '2026-11-26T00:00:00.000Z',
        language: 'en',
        maxResults: 100,
      },
      { includeResolvedCases: false, language: 'en', maxResults: 100, nextToken: 'open-2' },
      {
        includeResolvedCases: true,
        afterTime: '2026-08-28T00:00:00.000Z',
        beforeTime: '2026-11-26T00:00:00.000Z',
        language: 'en',
        maxResults: 100,
        nextToken: 'recent-2',
      },
    ]);
    expect(result.payload).toEqual({
      date_from: '2026-08-28',
      date_to: '2026-11-26',
      cases: [
        {
          case_id: caseId('3'),
          display_id: '1553791079',
          subject: 'Unexpected NAT gateway data processing charges on the 2026-10 invoice',
          status: 'work-in-progress',
          severity_code: 'low',
          service_code: null,
          category_code: null,
          time_created: '2026-11-25T12:00:00.000Z',
          submitted_by: null,
          language: null,
          last_communication_time: null,
        },
        {
          case_id: caseId('2'),
          display_id: '1225557574',
          subject: 'Instance i-0123456789abcdef0 fails system status checks after host maintenance',
          status: 'resolved',
          severity_code: 'urgent',
          service_code: 'amazon-elastic-compute-cloud-linux',
          category_code: 'instance-issue',
          time_created: '2026-11-23T22:41:05.000Z',
          submitted_by: 'aws+checkout-prod@example.com',
          language: 'en',
          last_communication_time: '2026-11-25T07:30:00.000Z',
        },
        {
          case_id: caseId('1'),
          display_id: '1742859263',
          subject: 'Raise the On-Demand Standard instances vCPU quota in us-east-1 to 512',
          status: 'pending-customer-action',
          severity_code: 'normal',
          service_code: 'service-limit-increase',
          category_code: 'ec2-instances',
          time_created: '2026-06-02T08:15:30.120Z',
          submitted_by: 'aws+checkout-prod@example.com',
          language: 'en',
          last_communication_time: '2026-11-24T10:00:00.000Z',
        },
      ],
    });
    expect(result.rows).toBe(3);
    expect(supportCasesCollector.schema.safeParse(result.payload).success).toBe(true);
    const sent = [
      ...new Set(support.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, ''))),
    ].map((operation) => iamActionFor('@aws-sdk/client-support', operation));
    expect(sent.sort()).toEqual([...supportCasesCollector.actions].sort());
  });

  it('looks back 90 days from the end of a monthly window', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [] });
    const result = await supportCasesCollector.collect(
      collectContext({ window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' } }),
    );
    expect(support.commandCalls(DescribeCasesCommand)[1]?.args[0].input).toMatchObject({
      afterTime: '2026-08-03T00:00:00.000Z',
      beforeTime: '2026-11-01T00:00:00.000Z',
    });
    expect(result.payload).toEqual({ date_from: '2026-08-03', date_to: '2026-11-01', cases: [] });
  });

  it.each([
    [
      'SubscriptionRequiredException',
      'Amazon Web Services Premium Support Subscription is required to use this service.',
      400,
      ServiceNotEnabledError,
    ],
    ['AccessDeniedException', 'not authorized to perform: support:DescribeCases', 403, SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServerError', 'We encountered an internal error.', 500, TransientError],
  ])('classifies %s', async (name, message, status, type) => {
    support.on(DescribeCasesCommand).rejects(serviceError(name, message, status));
    await expect(supportCasesCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['a case without its id', { ...quota, caseId: undefined }, 'cases[0].caseId'],
    ['a case without its creation time', { ...quota, timeCreated: undefined }, 'cases[0].timeCreated'],
    [
      'a creation time that is no time',
      { ...quota, timeCreated: 'yesterday' },
      'is not a timestamp: "yesterday"',
    ],
  ])('rejects %s, naming the field', async (_what, details, expected) => {
    support.on(DescribeCasesCommand).resolves({ cases: [details] });
    const error = await supportCasesCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(expected);
  });
});
