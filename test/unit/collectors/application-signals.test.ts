import {
  ApplicationSignalsClient,
  ListServiceLevelObjectivesCommand,
  ListServicesCommand,
  type ServiceSummary,
} from '@aws-sdk/client-application-signals';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { applicationSignalsCollector } from '../../../functions/collectors/application-signals.ts';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { SourceAccessError, SourceRequestError, TransientError } from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const signals = mockClient(ApplicationSignalsClient);
afterEach(() => signals.reset());
afterAll(() => signals.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const now = new Date('2026-11-26T06:00:00Z');

const metrics = (name: string, environment: string) =>
  (['LATENCY', 'ERROR', 'FAULT'] as const).map((type) => ({
    Namespace: 'ApplicationSignals',
    MetricType: type,
    MetricName: type === 'LATENCY' ? 'Latency' : type === 'ERROR' ? 'Error' : 'Fault',
    Dimensions: [
      { Name: 'Environment', Value: environment },
      { Name: 'Service', Value: name },
    ],
  }));

const checkout: ServiceSummary = {
  KeyAttributes: { Type: 'Service', Name: 'checkout-api', Environment: 'eks:checkout-prod/checkout' },
  AttributeMaps: [
    { PlatformType: 'AWS::EKS', 'EKS.Cluster': 'checkout-prod', 'K8s.Namespace': 'checkout' },
    { 'Telemetry.SDK': 'opentelemetry,1.33.0,java,Auto', 'Telemetry.Source': 'ServerSpan' },
  ],
  MetricReferences: metrics('checkout-api', 'eks:checkout-prod/checkout'),
};
const payments: ServiceSummary = {
  KeyAttributes: { Type: 'Service', Name: 'payments-worker', Environment: 'ecs:payments-prod' },
  AttributeMaps: [{ PlatformType: 'AWS::ECS', 'ECS.Cluster': 'payments-prod' }],
  MetricReferences: metrics('payments-worker', 'ecs:payments-prod'),
};
const lambda: ServiceSummary = {
  KeyAttributes: { Type: 'Service', Name: 'checkout-ingest-fn-1', Environment: 'lambda:default' },
  MetricReferences: [],
};

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/** us-east-1: three services over two pages and two pages of SLOs (one on no service); eu-west-1: nothing. */
function account360(override: Partial<Record<string, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  signals.on(ListServicesCommand).callsFake(
    answer('ListServices', ({ region, input }) => {
      const times = {
        StartTime: new Date('2026-11-25T07:00:00Z'),
        EndTime: new Date('2026-11-26T06:00:00Z'),
      };
      if (region !== 'us-east-1') return { ...times, ServiceSummaries: [] };
      return input.NextToken === undefined
        ? { ...times, ServiceSummaries: [checkout, payments], NextToken: 'services-2' }
        : { ...times, ServiceSummaries: [lambda, checkout] };
    }),
  );
  signals.on(ListServiceLevelObjectivesCommand).callsFake(
    answer('ListServiceLevelObjectives', ({ region, input }) => {
      if (region !== 'us-east-1') return {};
      return input.NextToken === undefined
        ? {
            SloSummaries: [
              {
                Arn: 'arn:aws:application-signals:us-east-1:123456789012:slo/checkout-api-latency-p99',
                Name: 'checkout-api-latency-p99',
                KeyAttributes: checkout.KeyAttributes,
                OperationName: 'POST /v1/checkout',
              },
              {
                Arn: 'arn:aws:application-signals:us-east-1:123456789012:slo/orders-queue-backlog',
                Name: 'orders-queue-backlog',
              },
            ],
            NextToken: 'slos-2',
          }
        : {
            SloSummaries: [
              {
                Arn: 'arn:aws:application-signals:us-east-1:123456789012:slo/checkout-api-availability',
                Name: 'checkout-api-availability',
                KeyAttributes: checkout.KeyAttributes,
              },
            ],
          };
    }),
  );
  return calls;
}

const of = (calls: Call[], operation: string) => calls.filter((c) => c.operation === operation);

describe('application-signals collector', () => {
  it('lists every region’s services over the 23 hours before the collection, page by page, with their SLOs', async () => {
    const calls = account360();

    const result = await applicationSignalsCollector.collect(collectContext({ window, now }));

    const since = new Date('2026-11-25T07:00:00Z');
    expect(of(calls, 'ListServices').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { StartTime: since, EndTime: now, MaxResults: 100 }],
      ['eu-west-1', { StartTime: since, EndTime: now, MaxResults: 100 }],
      ['us-east-1', { StartTime: since, EndTime: now, MaxResults: 100, NextToken: 'services-2' }],
    ]);
    expect(of(calls, 'ListServiceLevelObjectives').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { MaxResults: 50 }],
      ['eu-west-1', { MaxResults: 50 }],
      ['us-east-1', { MaxResults: 50, NextToken: 'slos-2' }],
    ]);
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.payload.services).toEqual([
      {
        region: 'us-east-1',
        service_name: 'checkout-api',
        environment: 'eks:checkout-prod/checkout',
        type: 'Service',
        namespace: 'ApplicationSignals',
        key_attributes: { Type: 'Service', Name: 'checkout-api', Environment: 'eks:checkout-prod/checkout' },
        attribute_map: [
          { PlatformType: 'AWS::EKS', 'EKS.Cluster': 'checkout-prod', 'K8s.Namespace': 'checkout' },
          { 'Telemetry.SDK': 'opentelemetry,1.33.0,java,Auto', 'Telemetry.Source': 'ServerSpan' },
        ],
        platform_type: 'AWS::EKS',
        metric_references: [
          {
            namespace: 'ApplicationSignals',
            metric_type: 'LATENCY',
            metric_name: 'Latency',
            dimensions: [
              { name: 'Environment', value: 'eks:checkout-prod/checkout' },
              { name: 'Service', value: 'checkout-api' },
            ],
          },
          {
            namespace: 'ApplicationSignals',
            metric_type: 'ERROR',
            metric_name: 'Error',
            dimensions: [
              { name: 'Environment', value: 'eks:checkout-prod/checkout' },
              { name: 'Service', value: 'checkout-api' },
            ],
          },
          {
            namespace: 'ApplicationSignals',
            metric_type: 'FAULT',
            metric_name: 'Fault',
            dimensions: [
              { name: 'Environment', value: 'eks:checkout-prod/checkout' },
              { name: 'Service', value: 'checkout-api' },
            ],
          },
        ],
        service_level_objectives: ['checkout-api-availability', 'checkout-api-latency-p99'],
      },
      expect.objectContaining({
        region: 'us-east-1',
        service_name: 'payments-worker',
        environment: 'ecs:payments-prod',
        platform_type: 'AWS::ECS',
        service_level_objectives: [],
      }),
      {
        region: 'us-east-1',
        service_name: 'checkout-ingest-fn-1',
        environment: 'lambda:default',
        type: 'Service',
        namespace: null,
        key_attributes: { Type: 'Service', Name: 'checkout-ingest-fn-1', Environment: 'lambda:default' },
        attribute_map: [],
        platform_type: null,
        metric_references: [],
        service_level_objectives: [],
      },
    ]);
    expect(result.rows).toBe(3);
    expect(applicationSignalsCollector.schema.safeParse(result.payload).success).toBe(true);
    const sent = [...new Set(calls.map((c) => c.operation))].map((operation) =>
      iamActionFor('@aws-sdk/client-application-signals', operation),
    );
    expect(sent.sort()).toEqual([...applicationSignalsCollector.actions].sort());
  });

  it('gives an account that never enabled Application Signals zero services, not a skip', async () => {
    account360({
      ListServices: () => ({ StartTime: now, EndTime: now, ServiceSummaries: [] }),
      ListServiceLevelObjectives: () => ({ SloSummaries: [] }),
    });
    const result = await applicationSignalsCollector.collect(collectContext({ window, now }));
    expect(result.payload).toEqual({ services: [] });
    expect(result.skippedReason).toBeUndefined();
    expect(Object.values(result.regions ?? {}).every((r) => r.status === 'SUCCEEDED')).toBe(true);
  });

  it('records a failed region and keeps the others (PARTIAL)', async () => {
    account360({
      ListServices: ({ region, input }) => {
        if (region === 'eu-west-1') throw serviceError('ThrottlingException', 'Rate exceeded', 429);
        return {
          StartTime: input.StartTime,
          EndTime: input.EndTime,
          ServiceSummaries: input.NextToken === undefined ? [payments] : [],
        };
      },
    });
    const result = await applicationSignalsCollector.collect(collectContext({ window, now }));
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': {
        status: 'FAILED',
        error: { name: 'TransientError', message: 'ThrottlingException: Rate exceeded' },
      },
    });
    expect(result.payload.services.map((s) => s.service_name)).toEqual(['payments-worker']);
  });

  it('skips an opt-in region that rejects credentials which work elsewhere', async () => {
    account360({
      ListServiceLevelObjectives: ({ region }) => {
        if (region === 'eu-west-1') {
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        }
        return {};
      },
    });
    const result = await applicationSignalsCollector.collect(collectContext({ window, now }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: application-signals:ListServices',
      403,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 429, TransientError],
    ['ValidationException', 'StartTime must be before EndTime', 400, SourceRequestError],
  ])('fails with %s when every region fails', async (name, message, status, type) => {
    account360({
      ListServices: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(applicationSignalsCollector.collect(collectContext({ window, now }))).rejects.toBeInstanceOf(
      type,
    );
  });

  it.each([
    [
      'a service without KeyAttributes',
      { ...payments, KeyAttributes: undefined },
      'ServiceSummaries[0].KeyAttributes',
    ],
    [
      'a service without its environment',
      { ...payments, KeyAttributes: { Type: 'Service', Name: 'payments-worker' } },
      'ServiceSummaries[0].KeyAttributes.Environment',
    ],
    ['a service without MetricReferences', { ...payments, MetricReferences: undefined }, 'MetricReferences'],
  ])('records %s as a contract failure, naming the field', async (_what, summary, field) => {
    account360({
      ListServices: ({ region, input }) => ({
        StartTime: input.StartTime,
        EndTime: input.EndTime,
        ServiceSummaries: region === 'us-east-1' && input.NextToken === undefined ? [summary] : [],
      }),
    });
    const result = await applicationSignalsCollector.collect(collectContext({ window, now }));
    expect(result.regions?.['us-east-1']?.status).toBe('FAILED');
    expect(result.regions?.['us-east-1']?.error?.name).toBe('DataContractError');
    expect(result.regions?.['us-east-1']?.error?.message).toContain(field);
    expect(result.regions?.['eu-west-1']).toEqual({ status: 'SUCCEEDED' });
  });
});
