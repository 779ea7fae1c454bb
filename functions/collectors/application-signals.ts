import {
  ApplicationSignalsClient,
  ListServiceLevelObjectivesCommand,
  type ListServiceLevelObjectivesCommandOutput,
  ListServicesCommand,
  type ListServicesCommandOutput,
  type ServiceLevelObjectiveSummary,
  type ServiceSummary,
} from '@aws-sdk/client-application-signals';
import { z } from 'zod';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

const stringMap = z.record(z.string(), z.string());

const metricReferenceSchema = z.object({
  namespace: z.string().min(1),
  /** LATENCY, ERROR, FAULT... */
  metric_type: z.string().min(1),
  metric_name: z.string().min(1),
  dimensions: z.array(z.object({ name: z.string().min(1), value: z.string() })),
});

const serviceSchema = z.object({
  region: z.string().min(1),
  /** `KeyAttributes.Name`. */
  service_name: z.string().min(1),
  /** `KeyAttributes.Environment`: where the service runs, e.g. `eks:checkout-prod/default`, `lambda:default`. */
  environment: z.string().min(1),
  /** `KeyAttributes.Type`: Service, AWS::Service... */
  type: z.string().min(1),
  /** The CloudWatch namespace of the service's metrics (`ApplicationSignals`), null without metrics. */
  namespace: z.string().nullable(),
  key_attributes: stringMap,
  /** `AttributeMaps` as AWS returns them: one map per group of platform, application and telemetry attributes. */
  attribute_map: z.array(stringMap),
  /** `PlatformType` from the attribute maps (AWS::EKS, AWS::ECS, AWS::EC2, AWS::Lambda, Generic...). */
  platform_type: z.string().nullable(),
  metric_references: z.array(metricReferenceSchema),
  /** Names of the service level objectives set on the service (or on one of its operations). */
  service_level_objectives: z.array(z.string().min(1)),
});
export type ApplicationSignalsService = z.infer<typeof serviceSchema>;

export const applicationSignalsPayloadSchema = z.object({
  /** The services that reported telemetry in the 23 hours before the collection, per region. */
  services: z.array(serviceSchema),
});
export type ApplicationSignalsPayload = z.infer<typeof applicationSignalsPayloadSchema>;

/** ListServices takes MaxResults 1 to 100; ListServiceLevelObjectives 1 to 50. */
const SERVICES_PAGE = 100;
const SLO_PAGE = 50;
const HOUR_MS = 3_600_000;
/**
 * How far back ListServices looks. The API rounds both ends to the nearest hour; 23 hours keeps the rounded
 * range within a day, as the seed did. Current state: the range ends at the collection, whatever the window.
 */
export const DISCOVERY_HOURS = 23;

async function listServicesAllPages(client: ApplicationSignalsClient, start: Date, end: Date) {
  const services: ServiceSummary[] = [];
  let token: string | undefined;
  do {
    const page: ListServicesCommandOutput = await client.send(
      new ListServicesCommand({
        StartTime: start,
        EndTime: end,
        MaxResults: SERVICES_PAGE,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    services.push(...required(page.ServiceSummaries, 'ListServices ServiceSummaries'));
    token = page.NextToken;
  } while (token);
  return services;
}

async function listSlosAllPages(client: ApplicationSignalsClient) {
  const slos: ServiceLevelObjectiveSummary[] = [];
  let token: string | undefined;
  do {
    const page: ListServiceLevelObjectivesCommandOutput = await client.send(
      new ListServiceLevelObjectivesCommand({ MaxResults: SLO_PAGE, ...(token ? { NextToken: token } : {}) }),
    );
    slos.push(...(page.SloSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return slos;
}

const serviceKey = (name: string, environment: string) => JSON.stringify([name, environment]);

/** SLO names per service (by the Name and Environment of the SLO's key attributes). */
function slosByService(slos: readonly ServiceLevelObjectiveSummary[]): Map<string, string[]> {
  const byService = new Map<string, string[]>();
  slos.forEach((slo, i) => {
    const name = required(slo.Name, `ListServiceLevelObjectives SloSummaries[${i}].Name`);
    const service = slo.KeyAttributes?.Name;
    const environment = slo.KeyAttributes?.Environment;
    // An SLO on a metric of its own, not on a discovered service, belongs to no service.
    if (service === undefined || environment === undefined) return;
    const key = serviceKey(service, environment);
    byService.set(key, [...(byService.get(key) ?? []), name]);
  });
  return byService;
}

export function serviceOf(
  summary: ServiceSummary,
  region: string,
  slos: ReadonlyMap<string, readonly string[]>,
  path: string,
): ApplicationSignalsService {
  const keyAttributes = required(summary.KeyAttributes, `${path}.KeyAttributes`);
  const name = required(keyAttributes.Name, `${path}.KeyAttributes.Name`);
  const environment = required(keyAttributes.Environment, `${path}.KeyAttributes.Environment`);
  const attributeMaps = (summary.AttributeMaps ?? []).map((map) => ({ ...map }));
  const metrics = required(summary.MetricReferences, `${path}.MetricReferences`).map((metric, i) => {
    const at = `${path}.MetricReferences[${i}]`;
    return {
      namespace: required(metric.Namespace, `${at}.Namespace`),
      metric_type: required(metric.MetricType, `${at}.MetricType`),
      metric_name: required(metric.MetricName, `${at}.MetricName`),
      dimensions: (metric.Dimensions ?? []).map((d, j) => ({
        name: required(d.Name, `${at}.Dimensions[${j}].Name`),
        value: required(d.Value, `${at}.Dimensions[${j}].Value`),
      })),
    };
  });
  return {
    region,
    service_name: name,
    environment,
    type: required(keyAttributes.Type, `${path}.KeyAttributes.Type`),
    namespace: metrics[0]?.namespace ?? null,
    key_attributes: { ...keyAttributes },
    attribute_map: attributeMaps,
    platform_type: attributeMaps.find((map) => map.PlatformType !== undefined)?.PlatformType ?? null,
    metric_references: metrics,
    service_level_objectives: [...(slos.get(serviceKey(name, environment)) ?? [])].sort(),
  };
}

async function collectRegion(client: ApplicationSignalsClient, region: string, now: Date) {
  const [summaries, slos] = await Promise.all([
    listServicesAllPages(client, new Date(now.getTime() - DISCOVERY_HOURS * HOUR_MS), now),
    listSlosAllPages(client),
  ]);
  const bySlo = slosByService(slos);
  const services = new Map<string, ApplicationSignalsService>();
  summaries.forEach((summary, i) => {
    const service = serviceOf(summary, region, bySlo, `ListServices (${region}) ServiceSummaries[${i}]`);
    services.set(serviceKey(service.service_name, service.environment), service);
  });
  return [...services.values()];
}

export const applicationSignalsCollector = defineCollector({
  id: 'application-signals',
  title: 'Application Signals: the services discovered in each region, their metrics and SLOs',
  scope: 'regional',
  actions: ['application-signals:ListServices', 'application-signals:ListServiceLevelObjectives'],
  tables: ['application_signals'],
  schema: applicationSignalsPayloadSchema,
  async collect(ctx) {
    // An account that never enabled Application Signals lists no services: zero services, not an error.
    const collected = await collectEachRegion(ctx, (region) =>
      collectRegion(ctx.clients.client(ApplicationSignalsClient, region), region, ctx.now),
    );
    const services = collected.results.flatMap((r) => r.value);
    return {
      payload: { services },
      rows: services.length,
      regions: collected.regions,
      ...(collected.skippedReason === undefined ? {} : { skippedReason: collected.skippedReason }),
    };
  },
});
