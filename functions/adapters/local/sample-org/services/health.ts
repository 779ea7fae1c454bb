import { isRegionEnabled, type SampleAccount } from '../accounts.ts';
import { type RegionInventory, regionInventory } from '../inventory.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { subscriptionRequired, supportPlan } from './support.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Health keeps an event for 90 days after it closed. */
const RETENTION_DAYS = 90;
/** DescribeEvents and DescribeAffectedEntities take maxResults up to 100; the server answers fewer. */
const EVENTS_PAGE_SIZE = 8;
const ENTITIES_PAGE_SIZE = 10;
const MAX_EVENT_ARNS = 10;
const MAX_DATE_RANGES = 10;

type Status = 'open' | 'upcoming' | 'closed';
type Scope = 'PUBLIC' | 'ACCOUNT_SPECIFIC';

interface SampleEvent {
  readonly arn: string;
  readonly service: string;
  readonly eventTypeCode: string;
  readonly eventTypeCategory: 'issue' | 'scheduledChange' | 'accountNotification';
  readonly region: string;
  readonly availabilityZone: string | null;
  readonly scope: Scope;
  readonly actionability: 'ACTION_REQUIRED' | 'ACTION_MAY_BE_REQUIRED' | 'INFORMATIONAL';
  /** When the event appears in the account's Health. */
  readonly postedAt: Date;
  readonly startTime: Date;
  /** The scheduled end of a scheduled change; an issue's end is known once it closed. */
  readonly scheduledEnd: Date | null;
  /** Upcoming before, open from then on. */
  readonly opensAt: Date;
  /** Closed from then on; null for a notice that stays open. */
  readonly closesAt: Date | null;
  /** Every update, in order (the first is the posting). */
  readonly updates: readonly Date[];
  readonly entities: ReadonlyArray<{ readonly value: string; readonly arn: string }>;
}

function statusAt(event: SampleEvent, now: Date): Status {
  if (now < event.opensAt) return 'upcoming';
  return event.closesAt !== null && now >= event.closesAt ? 'closed' : 'open';
}

function lastUpdateAt(event: SampleEvent, now: Date): Date {
  return event.updates.filter((u) => u <= now).at(-1) ?? event.postedAt;
}

function visibleAt(event: SampleEvent, now: Date): boolean {
  return (
    event.postedAt <= now &&
    (event.closesAt === null || now.getTime() - event.closesAt.getTime() < RETENTION_DAYS * DAY_MS)
  );
}

/** Updates every `every` ms between two instants, both included. */
function updatesBetween(from: number, to: number, every: number): Date[] {
  const updates: Date[] = [];
  for (let at = from; at < to; at += every) updates.push(new Date(at));
  updates.push(new Date(to));
  return updates;
}

/**
 * Occurrences of a recurring event (one chance per period, at a random day of it) whose day falls in
 * [fromDay, toDay], as absolute days; the same occurrence is found whatever day the question is asked.
 */
function occurrences(
  seed: ReadonlyArray<string | number>,
  fromDay: number,
  toDay: number,
  periodDays: readonly [number, number],
  chance: number,
): Array<{ day: number; random: Random }> {
  const shape = new Random(...seed, 'shape');
  const period = shape.int(periodDays[0], periodDays[1]);
  const phase = shape.int(0, period - 1);
  const found: Array<{ day: number; random: Random }> = [];
  for (let g = Math.floor((fromDay + phase) / period); g <= Math.floor((toDay + phase) / period); g++) {
    const random = new Random(...seed, g);
    if (!random.chance(chance)) continue;
    const day = g * period - phase + random.int(0, period - 1);
    if (day >= fromDay && day <= toDay) found.push({ day, random });
  }
  return found;
}

const code = (random: Random) => random.hex(10).toUpperCase();
const eventArn = (region: string, service: string, type: string, id: string) =>
  `arn:aws:health:${region}::event/${service}/${type}/${type}_${id}`;
const entityArn = (account: SampleAccount, region: string, random: Random) =>
  `arn:aws:health:${region}:${account.id}:entity/${random.hex(20)}`;

const REGIONAL_SERVICES = ['EC2', 'LAMBDA', 'S3', 'RDS', 'ELASTICLOADBALANCING', 'DYNAMODB', 'APIGATEWAY'];
const GLOBAL_SERVICES = ['CLOUDFRONT', 'IAM'];

/**
 * AWS service incidents: public events, the same ARN for every account that sees them (one that uses the
 * service in an enabled Region). An EC2 incident in one Availability Zone lists the account's instances there.
 */
function publicIncidents(account: SampleAccount, regions: readonly string[], today: number): SampleEvent[] {
  const places = [
    ...regions.flatMap((region) => REGIONAL_SERVICES.map((service) => ({ region, service }))),
    ...GLOBAL_SERVICES.map((service) => ({ region: 'global', service })),
  ];
  return places.flatMap(({ region, service }) => {
    if (region !== 'global' && !isRegionEnabled(account, region)) return [];
    if (account.environment === 'sandbox' && region !== 'global' && region !== regions[0]) return [];
    const seed = ['health-public', region, service];
    return occurrences(seed, today - RETENTION_DAYS - 2, today, [20, 60], 0.85).flatMap(({ day, random }) => {
      const type = `AWS_${service}_OPERATIONAL_ISSUE`;
      const arn = eventArn(region, service, type, `${code(random)}_${day}`);
      if (!new Random(account.id, arn).chance(0.85)) return [];
      const start = day * DAY_MS + random.int(0, 86_399) * 1000;
      const end = start + random.int(35, 420) * MINUTE_MS;
      const posted = start + random.int(5, 25) * MINUTE_MS;
      const zone =
        service === 'EC2' && random.chance(0.5) ? `${region}${random.pick(['a', 'b', 'c'])}` : null;
      const entities =
        zone === null
          ? []
          : regionInventory(account, region, regions, new Date(start))
              .instances.filter((i) => i.availabilityZone === zone && i.createdAt.getTime() <= start)
              .map((i) => ({ value: i.id, arn: entityArn(account, region, new Random(arn, i.id)) }));
      return [
        {
          arn,
          service,
          eventTypeCode: type,
          eventTypeCategory: 'issue',
          region,
          availabilityZone: zone,
          scope: 'PUBLIC',
          actionability: 'INFORMATIONAL',
          postedAt: new Date(posted),
          startTime: new Date(start),
          scheduledEnd: null,
          opensAt: new Date(start),
          closesAt: new Date(end),
          updates: updatesBetween(posted, end, random.int(30, 75) * MINUTE_MS),
          entities,
        } satisfies SampleEvent,
      ];
    });
  });
}

/** The Region's inventory every 7 days back over the retention: every instance or database of the period. */
function inventoriesSince(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  today: number,
): RegionInventory[] {
  const inventories: RegionInventory[] = [];
  for (let day = today; day >= today - RETENTION_DAYS - 7; day -= 7) {
    inventories.push(regionInventory(account, region, regions, new Date(day * DAY_MS)));
  }
  return inventories;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

/** A scheduled change: announced ahead, upcoming, open during its window, then closed. */
function scheduledChange(options: {
  readonly arn: string;
  readonly service: string;
  readonly type: string;
  readonly region: string;
  readonly zone: string | null;
  readonly actionability: SampleEvent['actionability'];
  readonly noticeDays: number;
  readonly start: number;
  readonly end: number;
  readonly notBefore: number;
  readonly entities: SampleEvent['entities'];
}): SampleEvent {
  const posted = Math.max(options.start - options.noticeDays * DAY_MS, options.notBefore);
  const reminder = options.start - 2 * DAY_MS;
  return {
    arn: options.arn,
    service: options.service,
    eventTypeCode: options.type,
    eventTypeCategory: 'scheduledChange',
    region: options.region,
    availabilityZone: options.zone,
    scope: 'ACCOUNT_SPECIFIC',
    actionability: options.actionability,
    postedAt: new Date(posted),
    startTime: new Date(options.start),
    scheduledEnd: new Date(options.end),
    opensAt: new Date(options.start),
    closesAt: new Date(options.end),
    updates: [posted, ...(reminder > posted ? [reminder] : []), options.start, options.end].map(
      (t) => new Date(t),
    ),
    entities: options.entities,
  };
}

/**
 * Changes scheduled on the account's own resources: the retirement of an instance (the inventory replaces it
 * then), system reboot maintenance of instances and maintenance of RDS databases.
 */
function scheduledChanges(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  today: number,
): SampleEvent[] {
  const inventories = inventoriesSince(account, region, regions, today);
  const instances = uniqueBy(
    inventories.flatMap((inventory) => inventory.instances),
    (i) => i.id,
  );
  const databases = uniqueBy(
    inventories.flatMap((inventory) => inventory.databases),
    (d) => d.identifier,
  );
  const retirements = instances.flatMap((instance) => {
    const random = new Random(instance.id, 'retirement');
    if (!random.chance(0.3)) return [];
    const end = instance.removedAt.getTime();
    const type = 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED';
    return [
      scheduledChange({
        arn: eventArn(region, 'EC2', type, code(random)),
        service: 'EC2',
        type,
        region,
        zone: instance.availabilityZone,
        actionability: 'ACTION_REQUIRED',
        noticeDays: 14,
        start: end - 4 * HOUR_MS,
        end,
        notBefore: instance.createdAt.getTime() + HOUR_MS,
        entities: [{ value: instance.id, arn: entityArn(account, region, random) }],
      }),
    ];
  });
  const reboots = instances.flatMap((instance) =>
    occurrences([instance.id, 'reboot'], today - RETENTION_DAYS - 2, today + 14, [45, 120], 0.3).flatMap(
      ({ day, random }) => {
        const start = day * DAY_MS + random.int(1, 5) * HOUR_MS;
        if (start < instance.createdAt.getTime() || start >= instance.removedAt.getTime()) return [];
        const type = 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED';
        return [
          scheduledChange({
            arn: eventArn(region, 'EC2', type, code(random)),
            service: 'EC2',
            type,
            region,
            zone: instance.availabilityZone,
            actionability: 'ACTION_MAY_BE_REQUIRED',
            noticeDays: 10,
            start,
            end: start + 2 * HOUR_MS,
            notBefore: instance.createdAt.getTime() + HOUR_MS,
            entities: [{ value: instance.id, arn: entityArn(account, region, random) }],
          }),
        ];
      },
    ),
  );
  const maintenance = databases.flatMap((db) =>
    occurrences([db.arn, 'maintenance'], today - RETENTION_DAYS - 2, today + 21, [60, 120], 0.7).flatMap(
      ({ day, random }) => {
        const start = day * DAY_MS + (3 * 60 + random.int(0, 90)) * MINUTE_MS;
        if (start < db.createdAt.getTime() || start >= db.removedAt.getTime()) return [];
        const type = 'AWS_RDS_MAINTENANCE_SCHEDULED';
        return [
          scheduledChange({
            arn: eventArn(region, 'RDS', type, code(random)),
            service: 'RDS',
            type,
            region,
            zone: null,
            actionability: 'ACTION_MAY_BE_REQUIRED',
            noticeDays: 21,
            start,
            end: start + 30 * MINUTE_MS,
            notBefore: db.createdAt.getTime() + HOUR_MS,
            entities: [{ value: db.identifier, arn: entityArn(account, region, random) }],
          }),
        ];
      },
    ),
  );
  return [...retirements, ...reboots, ...maintenance];
}

/** Lambda runtimes at or near their deprecation, with the date AWS deprecates them. */
const RUNTIME_DEPRECATIONS: ReadonlyArray<{ runtime: string; deprecatedOn: string }> = [
  { runtime: 'nodejs18.x', deprecatedOn: '2025-09-01' },
  { runtime: 'nodejs20.x', deprecatedOn: '2026-04-30' },
];

/**
 * Lambda runtime deprecation notices: one per Region and runtime, listing the functions that still use it,
 * upcoming until the deprecation date and open after it while any function is left; reminders go out before
 * and every 30 days after.
 */
function runtimeNotices(
  account: SampleAccount,
  region: string,
  regions: readonly string[],
  now: Date,
): SampleEvent[] {
  const functions = regionInventory(account, region, regions, now).functions;
  return RUNTIME_DEPRECATIONS.flatMap(({ runtime, deprecatedOn }) => {
    const affected = functions.filter((f) => f.runtime === runtime);
    if (affected.length === 0) return [];
    const random = new Random(account.id, region, 'lambda-lifecycle', runtime);
    const deprecation = Date.parse(`${deprecatedOn}T07:00:00Z`);
    const posted = deprecation - 180 * DAY_MS + random.int(0, 86_399) * 1000;
    const reminders = [-60, -30, -7, 0].map((d) => deprecation + d * DAY_MS);
    for (let at = deprecation + 30 * DAY_MS; at <= now.getTime(); at += 30 * DAY_MS) reminders.push(at);
    const type = 'AWS_LAMBDA_PLANNED_LIFECYCLE_EVENT';
    return [
      {
        arn: eventArn(region, 'LAMBDA', type, code(random)),
        service: 'LAMBDA',
        eventTypeCode: type,
        eventTypeCategory: 'accountNotification',
        region,
        availabilityZone: null,
        scope: 'ACCOUNT_SPECIFIC',
        actionability: 'ACTION_REQUIRED',
        postedAt: new Date(posted),
        startTime: new Date(deprecation),
        scheduledEnd: null,
        opensAt: new Date(deprecation),
        closesAt: null,
        updates: [posted, ...reminders].map((t) => new Date(t)),
        entities: affected.map((f) => ({ value: f.arn, arn: entityArn(account, region, new Random(f.arn)) })),
      } satisfies SampleEvent,
    ];
  });
}

const recentCatalogues = new Map<string, SampleEvent[]>();
const RECENT_CATALOGUES = 32;

/** Every event the account's Health shows at `now` (public ones and its own), built once per account and day. */
export function sampleHealthEvents(
  account: SampleAccount,
  regions: readonly string[],
  now: Date,
): SampleEvent[] {
  const today = Math.floor(now.getTime() / DAY_MS);
  const key = `${account.id}|${account.environment}|${account.scale}|${regions.join(',')}|${today}`;
  let catalogue = recentCatalogues.get(key);
  if (!catalogue) {
    const enabled = regions.filter((region) => isRegionEnabled(account, region));
    catalogue = [
      ...publicIncidents(account, regions, today),
      ...enabled.flatMap((region) => scheduledChanges(account, region, regions, today)),
    ];
    const oldest = recentCatalogues.keys().next().value;
    if (oldest !== undefined && recentCatalogues.size >= RECENT_CATALOGUES) recentCatalogues.delete(oldest);
    recentCatalogues.set(key, catalogue);
  }
  const notices = regions
    .filter((region) => isRegionEnabled(account, region))
    .flatMap((region) => runtimeNotices(account, region, regions, now));
  return [...catalogue, ...notices].filter((event) => visibleAt(event, now));
}

/** The Event shape DescribeEvents returns (the SDK's: Dates). */
function eventShape(event: SampleEvent, now: Date) {
  const status = statusAt(event, now);
  const end = event.scheduledEnd ?? (status === 'closed' ? event.closesAt : null);
  return {
    arn: event.arn,
    service: event.service,
    eventTypeCode: event.eventTypeCode,
    eventTypeCategory: event.eventTypeCategory,
    region: event.region,
    ...(event.availabilityZone ? { availabilityZone: event.availabilityZone } : {}),
    startTime: event.startTime,
    ...(end ? { endTime: end } : {}),
    lastUpdatedTime: lastUpdateAt(event, now),
    statusCode: status,
    eventScopeCode: event.scope,
    actionability: event.actionability,
    personas: ['OPERATIONS'],
  };
}

function validation(message: string): Error {
  return awsError('ValidationException', message);
}

/** What every Health operation checks first: the support plan, the page size and the locale. */
function checkRequest(call: SampleCall): void {
  if (supportPlan(call.account) === 'basic') throw subscriptionRequired();
  const { maxResults, locale } = call.input;
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100)) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  if (locale !== undefined && locale !== 'en') {
    throw awsError('UnsupportedLocale', `The specified locale (${locale}) is not supported.`);
  }
}

type Shape = ReturnType<typeof eventShape>;

function inRanges(value: Date | undefined, ranges: unknown, field: string): boolean {
  if (!Array.isArray(ranges) || ranges.length === 0 || ranges.length > MAX_DATE_RANGES) {
    throw validation(`filter.${field} must list 1 to ${MAX_DATE_RANGES} date ranges`);
  }
  if (value === undefined) return false;
  return ranges.some((range: { from?: unknown; to?: unknown }) => {
    if (range.from !== undefined && !(range.from instanceof Date)) throw validation(`filter.${field}.from`);
    if (range.to !== undefined && !(range.to instanceof Date)) throw validation(`filter.${field}.to`);
    return (range.from === undefined || value >= range.from) && (range.to === undefined || value <= range.to);
  });
}

const LIST_FILTERS: Record<
  string,
  (event: Shape, entities: readonly string[]) => readonly (string | undefined)[]
> = {
  eventArns: (e) => [e.arn],
  eventTypeCodes: (e) => [e.eventTypeCode],
  services: (e) => [e.service],
  regions: (e) => [e.region],
  availabilityZones: (e) => [e.availabilityZone],
  eventTypeCategories: (e) => [e.eventTypeCategory],
  eventStatusCodes: (e) => [e.statusCode],
  entityValues: (_e, entities) => entities,
};
const DATE_FILTERS: Record<string, (event: Shape) => Date | undefined> = {
  startTimes: (e) => e.startTime,
  endTimes: (e) => e.endTime,
  lastUpdatedTimes: (e) => e.lastUpdatedTime,
};

/** Health's filter semantics: values of one field combine with OR, fields with AND, date ranges inclusive. */
// biome-ignore lint/suspicious/noExplicitAny: the request's filter is the SDK's own EventFilter shape
function matches(filter: any, event: Shape, entities: readonly string[]): boolean {
  for (const [field, value] of Object.entries(filter ?? {})) {
    if (value === undefined) continue;
    const list = LIST_FILTERS[field];
    const date = DATE_FILTERS[field];
    if (list) {
      if (!Array.isArray(value) || value.length === 0) throw validation(`filter.${field} must not be empty`);
      if (!list(event, entities).some((v) => v !== undefined && value.includes(v))) return false;
    } else if (date) {
      if (!inRanges(date(event), value, field)) return false;
    } else {
      throw new Error(`the sample organization does not filter Health events on ${field}`);
    }
  }
  return true;
}

function describeEvents(call: SampleCall): object {
  checkRequest(call);
  const { filter, nextToken } = call.input;
  const events = sampleHealthEvents(call.account, call.regions, call.now)
    .map((event) => ({ shape: eventShape(event, call.now), entities: event.entities.map((e) => e.value) }))
    .filter(({ shape, entities }) => matches(filter, shape, entities))
    .map(({ shape }) => shape)
    // Most recently updated first, as Health sorts them.
    .sort((a, b) => b.lastUpdatedTime.getTime() - a.lastUpdatedTime.getTime() || a.arn.localeCompare(b.arn));
  const { page, nextToken: next } = paginate(events, {
    token: nextToken,
    pageSize: Math.min(call.input.maxResults ?? 100, EVENTS_PAGE_SIZE),
    request: { filter },
    invalidToken: () => awsError('InvalidPaginationToken', 'Invalid pagination token.'),
  });
  return { events: page, ...(next ? { nextToken: next } : {}) };
}

function describeAffectedEntities(call: SampleCall): object {
  checkRequest(call);
  const { filter, nextToken } = call.input;
  const arns: unknown = filter?.eventArns;
  if (!Array.isArray(arns) || arns.length === 0 || arns.length > MAX_EVENT_ARNS) {
    throw validation(
      `1 validation error detected: Value at 'filter.eventArns' failed to satisfy constraint: Member must have length between 1 and ${MAX_EVENT_ARNS}`,
    );
  }
  const wanted = new Set(arns as string[]);
  const entities = sampleHealthEvents(call.account, call.regions, call.now)
    .filter((event) => wanted.has(event.arn))
    .flatMap((event) => {
      const status = statusAt(event, call.now);
      const entityStatus = status === 'upcoming' ? 'PENDING' : status === 'open' ? 'IMPAIRED' : 'RESOLVED';
      return event.entities.map((entity) => ({
        entityArn: entity.arn,
        eventArn: event.arn,
        entityValue: entity.value,
        awsAccountId: call.account.id,
        lastUpdatedTime: lastUpdateAt(event, call.now),
        statusCode: entityStatus,
        tags: {},
      }));
    })
    .sort((a, b) => a.eventArn.localeCompare(b.eventArn) || a.entityValue.localeCompare(b.entityValue));
  const { page, nextToken: next } = paginate(entities, {
    token: nextToken,
    pageSize: Math.min(call.input.maxResults ?? 100, ENTITIES_PAGE_SIZE),
    request: { filter },
    invalidToken: () => awsError('InvalidPaginationToken', 'Invalid pagination token.'),
  });
  return { entities: page, ...(next ? { nextToken: next } : {}) };
}

export const healthSimulator: ServiceSimulator = {
  service: 'Health',
  operations: { DescribeEvents: describeEvents, DescribeAffectedEntities: describeAffectedEntities },
  notEnabled: () => subscriptionRequired(),
  // The reference marks no Event or AffectedEntity member required, but an event without its ARN or an entity
  // without its value cannot be reported, so readers require them.
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, Array<Record<string, unknown>> | undefined>;
    const list = operation === 'DescribeEvents' ? 'events' : 'entities';
    const first = copy[list]?.[0];
    if (first) delete first[operation === 'DescribeEvents' ? 'arn' : 'entityValue'];
    else delete copy[list];
    return copy;
  },
};
