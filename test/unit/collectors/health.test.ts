import {
  DescribeAffectedEntitiesCommand,
  DescribeEventsCommand,
  type DescribeEventsCommandInput,
  type Event,
  HealthClient,
} from '@aws-sdk/client-health';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { healthCollector } from '../../../functions/collectors/health.ts';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import {
  DataContractError,
  ServiceNotEnabledError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const health = mockClient(HealthClient);
afterEach(() => health.reset());
afterAll(() => health.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const at = (iso: string) => new Date(iso);
const arn = (service: string, type: string, id: string) =>
  `arn:aws:health:us-east-1::event/${service}/${type}/${type}_${id}`;

const RETIREMENT = arn('EC2', 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED', 'A1');
const LAMBDA = arn('LAMBDA', 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT', 'B2');
const OUTAGE = arn('EC2', 'AWS_EC2_OPERATIONAL_ISSUE', 'C3');
const RDS = arn('RDS', 'AWS_RDS_MAINTENANCE_SCHEDULED', 'D4');

const retirement: Event = {
  arn: RETIREMENT,
  service: 'EC2',
  eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
  eventTypeCategory: 'scheduledChange',
  region: 'us-east-1',
  availabilityZone: 'us-east-1b',
  startTime: at('2026-12-03T20:00:00Z'),
  endTime: at('2026-12-04T00:00:00Z'),
  lastUpdatedTime: at('2026-11-19T00:00:00Z'),
  statusCode: 'upcoming',
  eventScopeCode: 'ACCOUNT_SPECIFIC',
};
const lambda: Event = {
  arn: LAMBDA,
  service: 'LAMBDA',
  eventTypeCode: 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT',
  eventTypeCategory: 'accountNotification',
  region: 'us-east-1',
  startTime: at('2026-04-30T07:00:00Z'),
  lastUpdatedTime: at('2026-11-20T07:00:00Z'),
  statusCode: 'open',
  eventScopeCode: 'ACCOUNT_SPECIFIC',
};
const outage: Event = {
  arn: OUTAGE,
  service: 'EC2',
  eventTypeCode: 'AWS_EC2_OPERATIONAL_ISSUE',
  eventTypeCategory: 'issue',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  startTime: at('2026-11-25T10:00:00Z'),
  endTime: at('2026-11-25T12:30:00Z'),
  lastUpdatedTime: at('2026-11-25T12:30:00Z'),
  statusCode: 'closed',
  eventScopeCode: 'PUBLIC',
};
const rdsWhenOpen: Event = {
  arn: RDS,
  service: 'RDS',
  eventTypeCode: 'AWS_RDS_MAINTENANCE_SCHEDULED',
  eventTypeCategory: 'scheduledChange',
  region: 'us-east-1',
  startTime: at('2026-11-26T03:00:00Z'),
  endTime: at('2026-11-26T03:30:00Z'),
  lastUpdatedTime: at('2026-11-25T03:00:00Z'),
  statusCode: 'upcoming',
  eventScopeCode: 'ACCOUNT_SPECIFIC',
};
/** The same event in the other answer, one update later. */
const rdsUpdated: Event = { ...rdsWhenOpen, lastUpdatedTime: at('2026-11-25T23:00:00Z'), statusCode: 'open' };

const isActiveQuery = (input: DescribeEventsCommandInput) => input.filter?.eventStatusCodes !== undefined;

/** Two pages of active events, one page of updated ones, and the entities of three events over two pages. */
function account360() {
  health.on(DescribeEventsCommand).callsFake((input: DescribeEventsCommandInput) => {
    if (isActiveQuery(input)) {
      return input.nextToken === undefined
        ? { events: [retirement, rdsWhenOpen], nextToken: 'active-2' }
        : { events: [lambda] };
    }
    return { events: [rdsUpdated, outage] };
  });
  health.on(DescribeAffectedEntitiesCommand).callsFake((input) =>
    input.nextToken === undefined
      ? {
          entities: [
            {
              entityArn: `arn:aws:health:us-east-1:${account}:entity/e1`,
              eventArn: RETIREMENT,
              entityValue: 'i-0123456789abcdef0',
              awsAccountId: account,
              lastUpdatedTime: at('2026-11-19T00:00:00Z'),
              statusCode: 'PENDING',
            },
            {
              eventArn: LAMBDA,
              entityValue: `arn:aws:lambda:us-east-1:${account}:function:checkout-api`,
              statusCode: 'IMPAIRED',
            },
          ],
          nextToken: 'entities-2',
        }
      : {
          entities: [
            {
              eventArn: LAMBDA,
              entityValue: `arn:aws:lambda:us-east-1:${account}:function:checkout-worker`,
            },
          ],
        },
  );
}

const sentActions = () =>
  [...new Set(health.calls().map((c) => (c.args[0] as object).constructor.name.replace(/Command$/, '')))]
    .map((operation) => iamActionFor('@aws-sdk/client-health', operation))
    .sort();

describe('health collector', () => {
  it('reads the active events and those updated in the window, page by page, with their entities', async () => {
    account360();

    const result = await healthCollector.collect(collectContext({ window }));

    const events = health.commandCalls(DescribeEventsCommand).map((c) => c.args[0].input);
    expect(events).toEqual([
      { filter: { eventStatusCodes: ['open', 'upcoming'] }, maxResults: 100, locale: 'en' },
      {
        filter: {
          lastUpdatedTimes: [{ from: at('2026-11-25T00:00:00.000Z'), to: at('2026-11-25T23:59:59.999Z') }],
        },
        maxResults: 100,
        locale: 'en',
      },
      {
        filter: { eventStatusCodes: ['open', 'upcoming'] },
        maxResults: 100,
        locale: 'en',
        nextToken: 'active-2',
      },
    ]);
    const entityCalls = health.commandCalls(DescribeAffectedEntitiesCommand).map((c) => c.args[0].input);
    expect(entityCalls).toEqual([
      { filter: { eventArns: [RETIREMENT, RDS, LAMBDA, OUTAGE] }, maxResults: 100, locale: 'en' },
      {
        filter: { eventArns: [RETIREMENT, RDS, LAMBDA, OUTAGE] },
        maxResults: 100,
        locale: 'en',
        nextToken: 'entities-2',
      },
    ]);
    expect(result.payload.events).toEqual([
      {
        arn: RDS,
        service: 'RDS',
        event_type_code: 'AWS_RDS_MAINTENANCE_SCHEDULED',
        event_type_category: 'scheduledChange',
        region: 'us-east-1',
        availability_zone: null,
        start_time: '2026-11-26T03:00:00.000Z',
        end_time: '2026-11-26T03:30:00.000Z',
        last_updated_time: '2026-11-25T23:00:00.000Z',
        status_code: 'open',
        event_scope_code: 'ACCOUNT_SPECIFIC',
        affected_entities_count: 0,
        affected_entities: [],
      },
      {
        arn: OUTAGE,
        service: 'EC2',
        event_type_code: 'AWS_EC2_OPERATIONAL_ISSUE',
        event_type_category: 'issue',
        region: 'us-east-1',
        availability_zone: 'us-east-1a',
        start_time: '2026-11-25T10:00:00.000Z',
        end_time: '2026-11-25T12:30:00.000Z',
        last_updated_time: '2026-11-25T12:30:00.000Z',
        status_code: 'closed',
        event_scope_code: 'PUBLIC',
        affected_entities_count: 0,
        affected_entities: [],
      },
      {
        arn: LAMBDA,
        service: 'LAMBDA',
        event_type_code: 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT',
        event_type_category: 'accountNotification',
        region: 'us-east-1',
        availability_zone: null,
        start_time: '2026-04-30T07:00:00.000Z',
        end_time: null,
        last_updated_time: '2026-11-20T07:00:00.000Z',
        status_code: 'open',
        event_scope_code: 'ACCOUNT_SPECIFIC',
        affected_entities_count: 2,
        affected_entities: [
          {
            entity_value: `arn:aws:lambda:us-east-1:${account}:function:checkout-api`,
            entity_arn: null,
            status_code: 'IMPAIRED',
            last_updated_time: null,
          },
          {
            entity_value: `arn:aws:lambda:us-east-1:${account}:function:checkout-worker`,
            entity_arn: null,
            status_code: null,
            last_updated_time: null,
          },
        ],
      },
      {
        arn: RETIREMENT,
        service: 'EC2',
        event_type_code: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
        event_type_category: 'scheduledChange',
        region: 'us-east-1',
        availability_zone: 'us-east-1b',
        start_time: '2026-12-03T20:00:00.000Z',
        end_time: '2026-12-04T00:00:00.000Z',
        last_updated_time: '2026-11-19T00:00:00.000Z',
        status_code: 'upcoming',
        event_scope_code: 'ACCOUNT_SPECIFIC',
        affected_entities_count: 1,
        affected_entities: [
          {
            entity_value: 'i-0123456789abcdef0',
            entity_arn: `arn:aws:health:us-east-1:${account}:entity/e1`,
            status_code: 'PENDING',
            last_updated_time: '2026-11-19T00:00:00.000Z',
          },
        ],
      },
    ]);
    expect(result.rows).toBe(4);
    expect(healthCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(sentActions()).toEqual([...healthCollector.actions].sort());
  });

  it('asks for the entities of at most 10 events at a time', async () => {
    const many = Array.from({ length: 23 }, (_, i) => ({
      ...lambda,
      arn: arn('LAMBDA', 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT', `N${String(i).padStart(2, '0')}`),
    }));
    health.on(DescribeEventsCommand).callsFake((input) => ({ events: isActiveQuery(input) ? many : [] }));
    health.on(DescribeAffectedEntitiesCommand).resolves({ entities: [] });

    const result = await healthCollector.collect(collectContext({ window }));

    const batches = health
      .commandCalls(DescribeAffectedEntitiesCommand)
      .map((c) => c.args[0].input.filter?.eventArns ?? []);
    expect(batches.map((b) => b.length).sort()).toEqual([10, 10, 3]);
    expect(new Set(batches.flat())).toEqual(new Set(many.map((e) => e.arn)));
    expect(result.payload.events).toHaveLength(23);
  });

  it('asks for no entities when there are no events, and reports none', async () => {
    health.on(DescribeEventsCommand).resolves({ events: [] });
    const result = await healthCollector.collect(collectContext({ window }));
    expect(health.commandCalls(DescribeAffectedEntitiesCommand)).toHaveLength(0);
    expect(result).toEqual({ payload: { events: [] }, rows: 0 });
  });

  it('covers a monthly window with one inclusive range', async () => {
    health.on(DescribeEventsCommand).resolves({ events: [] });
    await healthCollector.collect(
      collectContext({ window: { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' } }),
    );
    expect(health.commandCalls(DescribeEventsCommand)[1]?.args[0].input.filter).toEqual({
      lastUpdatedTimes: [{ from: at('2026-10-01T00:00:00.000Z'), to: at('2026-10-31T23:59:59.999Z') }],
    });
  });

  it.each([
    [
      'SubscriptionRequiredException',
      'Amazon Web Services Premium Support Subscription is required to use this service.',
      400,
      ServiceNotEnabledError,
    ],
    ['AccessDeniedException', 'not authorized to perform: health:DescribeEvents', 403, SourceAccessError],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalFailure', 'internal error', 500, TransientError],
    ['InvalidPaginationToken', 'Invalid pagination token.', 400, SourceRequestError],
  ])('classifies %s', async (name, message, status, type) => {
    health.on(DescribeEventsCommand).rejects(serviceError(name, message, status));
    await expect(healthCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('classifies a failure of DescribeAffectedEntities too', async () => {
    health.on(DescribeEventsCommand).resolves({ events: [lambda] });
    health
      .on(DescribeAffectedEntitiesCommand)
      .rejects(
        serviceError(
          'AccessDeniedException',
          'not authorized to perform: health:DescribeAffectedEntities',
          403,
        ),
      );
    await expect(healthCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(
      SourceAccessError,
    );
  });

  it.each([
    ['an event without its ARN', { events: [{ ...lambda, arn: undefined }] }, 'events[0].arn'],
    ['an event without its status', { events: [{ ...lambda, statusCode: undefined }] }, 'statusCode'],
    ['a response without events', {}, 'DescribeEvents events'],
  ])('rejects %s, naming the field', async (_what, response, field) => {
    health.on(DescribeEventsCommand).resolves(response);
    health.on(DescribeAffectedEntitiesCommand).resolves({ entities: [] });
    const error = await healthCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(field);
  });

  it('rejects an entity without its value and a status it does not know', async () => {
    health.on(DescribeEventsCommand).resolves({ events: [lambda] });
    health.on(DescribeAffectedEntitiesCommand).resolves({ entities: [{ eventArn: LAMBDA }] });
    const error = await healthCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `response is missing DescribeAffectedEntities(${LAMBDA}) entities[0].entityValue`,
    );

    health.reset();
    health.on(DescribeEventsCommand).resolves({ events: [{ ...lambda, statusCode: 'paused' as never }] });
    health.on(DescribeAffectedEntitiesCommand).resolves({ entities: [] });
    const unknown = await healthCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(DataContractError);
    expect((unknown as Error).message).toMatch(/statusCode is not a known event status: "paused"/);
  });
});
