import {
  type AffectedEntity,
  DescribeAffectedEntitiesCommand,
  type DescribeAffectedEntitiesCommandOutput,
  DescribeEventsCommand,
  type DescribeEventsCommandOutput,
  type Event,
  type EventFilter,
  HealthClient,
} from '@aws-sdk/client-health';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { DataContractError } from '../platform/errors.ts';
import { addDays, type Window } from '../platform/period.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import { defineCollector } from './types.ts';

/** `Event.statusCode`: an event is upcoming (scheduled), open (in progress) or closed. */
export const EVENT_STATUS_CODES = ['open', 'upcoming', 'closed'] as const;
/** The statuses of an event that still needs attention. */
export const ACTIVE_STATUS_CODES = ['open', 'upcoming'] as const;

const timestamp = z.iso.datetime();
const count = z.number().int().nonnegative();

const entitySchema = z.object({
  /** The entity's id: an instance id, a DB identifier, a function ARN... */
  entity_value: z.string().min(1),
  entity_arn: z.string().nullable(),
  /** IMPAIRED, UNIMPAIRED, UNKNOWN, PENDING or RESOLVED. */
  status_code: z.string().nullable(),
  last_updated_time: timestamp.nullable(),
});

const eventSchema = z
  .object({
    arn: z.string().min(1),
    /** EC2, RDS, LAMBDA... */
    service: z.string().min(1),
    event_type_code: z.string().min(1),
    /** issue, accountNotification, scheduledChange or investigation. */
    event_type_category: z.string().min(1),
    /** The event's Region, or `global` for global services. */
    region: z.string().min(1),
    availability_zone: z.string().nullable(),
    start_time: timestamp,
    end_time: timestamp.nullable(),
    last_updated_time: timestamp,
    status_code: z.enum(EVENT_STATUS_CODES),
    /** PUBLIC (an AWS service event) or ACCOUNT_SPECIFIC. */
    event_scope_code: z.string().nullable(),
    affected_entities_count: count,
    /** The account's resources the event affects, as DescribeAffectedEntities lists them. */
    affected_entities: z.array(entitySchema),
  })
  .refine((event) => event.affected_entities_count === event.affected_entities.length, {
    message: 'affected_entities_count differs from the number of affected entities',
  });
export type HealthEvent = z.infer<typeof eventSchema>;

export const healthPayloadSchema = z.object({
  /** Events open or upcoming now, and events updated during the window; most recently updated first. */
  events: z.array(eventSchema),
});
export type HealthPayload = z.infer<typeof healthPayloadSchema>;

/** DescribeEvents and DescribeAffectedEntities take a maxResults of at most 100. */
const PAGE_SIZE = 100;
/** DescribeAffectedEntities accepts at most 10 event ARNs per request. */
const ENTITY_BATCH = 10;
const ENTITY_CONCURRENCY = 2;
/** English is the only locale Health supports. */
const LOCALE = 'en';

/** Every page of a DescribeEvents query, to the last nextToken. */
async function describeEventsAllPages(client: HealthClient, filter: EventFilter): Promise<Event[]> {
  const events: Event[] = [];
  let token: string | undefined;
  do {
    const page: DescribeEventsCommandOutput = await client.send(
      new DescribeEventsCommand({
        filter,
        maxResults: PAGE_SIZE,
        locale: LOCALE,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    events.push(...required(page.events, 'DescribeEvents events'));
    token = page.nextToken;
  } while (token);
  return events;
}

/** The events updated during the window. Health date ranges are inclusive: the exclusive end is its last ms. */
export function updatedInWindowFilter(window: Window): EventFilter {
  return {
    lastUpdatedTimes: [
      {
        from: new Date(`${window.start}T00:00:00.000Z`),
        to: new Date(`${addDays(window.end, -1)}T23:59:59.999Z`),
      },
    ],
  };
}

/** The affected entities of the events, per event ARN. */
async function affectedEntities(
  client: HealthClient,
  eventArns: readonly string[],
): Promise<Map<string, AffectedEntity[]>> {
  const batches: string[][] = [];
  for (let i = 0; i < eventArns.length; i += ENTITY_BATCH) batches.push(eventArns.slice(i, i + ENTITY_BATCH));
  const pages = await mapLimit(batches, ENTITY_CONCURRENCY, async (batch) => {
    const entities: AffectedEntity[] = [];
    let token: string | undefined;
    do {
      const page: DescribeAffectedEntitiesCommandOutput = await client.send(
        new DescribeAffectedEntitiesCommand({
          filter: { eventArns: batch },
          maxResults: PAGE_SIZE,
          locale: LOCALE,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      entities.push(...required(page.entities, 'DescribeAffectedEntities entities'));
      token = page.nextToken;
    } while (token);
    return entities;
  });
  const byEvent = new Map<string, AffectedEntity[]>();
  pages.flat().forEach((entity, i) => {
    const arn = required(entity.eventArn, `DescribeAffectedEntities entities[${i}].eventArn`);
    byEvent.set(arn, [...(byEvent.get(arn) ?? []), entity]);
  });
  return byEvent;
}

function statusOf(value: string, path: string): HealthEvent['status_code'] {
  if (!(EVENT_STATUS_CODES as readonly string[]).includes(value)) {
    throw new DataContractError(`response ${path} is not a known event status: "${value}"`);
  }
  return value as HealthEvent['status_code'];
}

/** Maps one event, reading with `required()` what every Health event carries. */
export function eventOf(event: Event, entities: readonly AffectedEntity[], path: string): HealthEvent {
  const arn = required(event.arn, `${path}.arn`);
  const affected = entities.map((entity, i) => ({
    entity_value: required(entity.entityValue, `DescribeAffectedEntities(${arn}) entities[${i}].entityValue`),
    entity_arn: entity.entityArn ?? null,
    status_code: entity.statusCode ?? null,
    last_updated_time: entity.lastUpdatedTime?.toISOString() ?? null,
  }));
  return {
    arn,
    service: required(event.service, `${path}.service`),
    event_type_code: required(event.eventTypeCode, `${path}.eventTypeCode`),
    event_type_category: required(event.eventTypeCategory, `${path}.eventTypeCategory`),
    region: required(event.region, `${path}.region`),
    availability_zone: event.availabilityZone ?? null,
    start_time: required(event.startTime, `${path}.startTime`).toISOString(),
    end_time: event.endTime?.toISOString() ?? null,
    last_updated_time: required(event.lastUpdatedTime, `${path}.lastUpdatedTime`).toISOString(),
    status_code: statusOf(required(event.statusCode, `${path}.statusCode`), `${path}.statusCode`),
    event_scope_code: event.eventScopeCode ?? null,
    affected_entities_count: affected.length,
    affected_entities: affected,
  };
}

export const healthCollector = defineCollector({
  id: 'health',
  title: 'Health: events open or upcoming now and events updated in the window, with affected entities',
  scope: 'global',
  actions: ['health:DescribeEvents', 'health:DescribeAffectedEntities'],
  tables: ['health_events'],
  schema: healthPayloadSchema,
  history: 'window',
  async collect(ctx) {
    // Health is global: the SDK sends every Region's client to the global endpoint, so one call covers all.
    const client = ctx.clients.client(HealthClient, ctx.homeRegion);
    try {
      // A filter's fields combine with AND, so "open now OR updated in the window" takes two queries.
      const [active, updated] = await Promise.all([
        describeEventsAllPages(client, { eventStatusCodes: [...ACTIVE_STATUS_CODES] }),
        describeEventsAllPages(client, updatedInWindowFilter(ctx.window)),
      ]);
      const byArn = new Map<string, { event: Event; path: string }>();
      const tagged = [
        ...active.map((event, i) => ({ event, path: `DescribeEvents (active) events[${i}]` })),
        ...updated.map((event, i) => ({ event, path: `DescribeEvents (updated) events[${i}]` })),
      ];
      for (const item of tagged) {
        const arn = required(item.event.arn, `${item.path}.arn`);
        const seen = byArn.get(arn);
        // The same event in both answers: keep the later update (it may have changed between the queries).
        const later =
          !seen ||
          (item.event.lastUpdatedTime?.getTime() ?? 0) > (seen.event.lastUpdatedTime?.getTime() ?? 0);
        if (later) byArn.set(arn, item);
      }
      const entities = await affectedEntities(client, [...byArn.keys()]);
      const events = [...byArn.entries()]
        .map(([arn, { event, path }]) => eventOf(event, entities.get(arn) ?? [], path))
        .sort((a, b) => b.last_updated_time.localeCompare(a.last_updated_time) || a.arn.localeCompare(b.arn));
      return { payload: { events }, rows: events.length };
    } catch (error) {
      throw classifyAwsError(error);
    }
  },
});
