import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CATEGORY_IDS, getCategory } from '../../functions/collectors/registry.ts';
import { metricsSink } from '../../functions/platform/observability.ts';
import { placeholdersOf } from '../../functions/platform/state-machines.ts';
import { stagingKey } from '../../functions/snapshot/snapshot.ts';
import { buildApp } from '../../infra/app.ts';
import { InfraConfigError, parseConfig } from '../../infra/config.ts';
import { memberRoleActions } from '../../infra/member-role-stack.ts';

const HUB = '111111111111';
const SENDER = '222222222222';
const OTHER = '333333333333';
const config = {
  hubAccount: HUB,
  regions: ['us-east-1', 'eu-west-1'],
  senders: [SENDER],
  externalId: 'a360-test-external-id',
  organizationId: 'o-abcdef1234',
};

function synth() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], a360: config } });
  const stacks = buildApp(app);
  return { app, ...stacks };
}

const { app, hub, memberRole, sender } = synth();
const hubTemplate = Template.fromStack(hub);
const hubJson = hubTemplate.toJSON() as {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
};
const resources = Object.entries(hubJson.Resources);

/** Resolves the CloudFormation intrinsics our templates use, with fixed names for this stack's resources. */
function resolve(value: unknown, refs: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs));
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if ('Ref' in object) return refs[object.Ref as string] ?? `<${String(object.Ref)}>`;
    if ('Fn::GetAtt' in object) {
      const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
      return refs[`${logicalId}.${attribute}`] ?? `<${logicalId}.${attribute}>`;
    }
    if ('Fn::Join' in object) {
      const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolve(p, refs)).join(separator);
    }
    return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v, refs)]));
  }
  return value;
}

function logicalIdOf(type: string, predicate: (properties: Record<string, unknown>) => boolean): string {
  const found = resources.find(([, r]) => r.Type === type && predicate(r.Properties ?? {}));
  if (!found) throw new Error(`no ${type} matching`);
  return found[0];
}

describe('configuration', () => {
  it('rejects bad settings naming each one', () => {
    expect(() =>
      parseConfig({ regions: ['moon-1'], accounts: { source: 'list', ids: ['12'] }, categories: ['costs'] }),
    ).toThrow(InfraConfigError);
    try {
      parseConfig({ regions: ['moon-1'], accounts: { source: 'list', ids: ['12'] }, categories: ['costs'] });
    } catch (error) {
      expect((error as Error).message).toMatch(/a360\.regions\.0: must be an AWS region name/);
      expect((error as Error).message).toMatch(/a360\.accounts\.ids\.0: must be a 12-digit AWS account id/);
      expect((error as Error).message).toMatch(/a360\.categories: unknown categories costs/);
    }
  });

  it('defaults to every category, the organization as account source and a pausing database', () => {
    const parsed = parseConfig({});
    expect(parsed.enabledCategories).toEqual(CATEGORY_IDS);
    expect(parsed.accounts).toEqual({
      source: 'organization',
      organizationalUnits: [],
      include: [],
      exclude: [],
    });
    expect(parsed.database.minCapacity).toBe(0);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
      ),
    ).toEqual([]);
  });
});

describe('hub stack', () => {
  it('fills every placeholder of every state machine file', () => {
    const machines = resources.filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
    expect(machines).toHaveLength(3);
    for (const [id, machine] of machines) {
      const definition = machine.Properties.DefinitionString as string;
      const substitutions = Object.keys(
        (machine.Properties.DefinitionSubstitutions as Record<string, unknown>) ?? {},
      );
      expect(placeholdersOf(definition).sort(), id).toEqual(substitutions.sort());
    }
  });

  it('gives each category a Lambda whose role holds exactly its declared actions', () => {
    for (const id of CATEGORY_IDS) {
      const { collector } = getCategory(id);
      const roleId = logicalIdOf('AWS::IAM::Role', (p) => p.RoleName === `a360-collect-${id}`);
      const policies = resources.filter(
        ([, r]) =>
          r.Type === 'AWS::IAM::Policy' &&
          (r.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId),
      );
      const statements = policies.flatMap(
        ([, p]) => (p.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
      );
      const read = statements.find((s) => s.Sid === 'ReadTheSource');
      const actions = [read?.Action].flat().sort();
      expect(actions, id).toEqual([...collector.actions, ...(collector.dependentActions ?? [])].sort());
      hubTemplate.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `a360-collect-${id}`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
    }
  });

  it('lets each state machine invoke every Lambda its Tasks name', () => {
    const functionArnRefs: Record<string, string> = {};
    for (const [id, r] of resources) {
      if (r.Type === 'AWS::Lambda::Function')
        functionArnRefs[`${id}.Arn`] = `arn:aws:lambda:fn:${r.Properties.FunctionName as string}`;
    }
    for (const [id, machine] of resources.filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine')) {
      const roleRef = (machine.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const invokable = resources
        .filter(
          ([, r]) =>
            r.Type === 'AWS::IAM::Policy' &&
            (r.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleRef),
        )
        .flatMap(
          ([, p]) =>
            (
              resolve(p.Properties.PolicyDocument, functionArnRefs) as {
                Statement: Array<{ Action: unknown; Resource: unknown }>;
              }
            ).Statement,
        )
        .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .flatMap((s) => [s.Resource].flat() as string[]);
      const substitutions = resolve(machine.Properties.DefinitionSubstitutions, functionArnRefs) as Record<
        string,
        string
      >;
      const named = Object.entries(substitutions)
        .filter(([key]) => key.endsWith('FunctionArn'))
        .map(([, arn]) => arn);
      for (const arn of named) expect(invokable, `${id} invokes ${arn}`).toContain(arn);
      if ((machine.Properties.StateMachineName as string) === 'a360-collect') {
        // CollectCategory invokes the Lambda the plan names for each category.
        for (const category of CATEGORY_IDS)
          expect(invokable).toContain(`arn:aws:lambda:fn:a360-collect-${category}`);
      }
    }
  });

  it('lets a sender write only under its own account prefix (bucket policy evaluated)', () => {
    const bucketId = logicalIdOf('AWS::S3::Bucket', (p) => Boolean(p.VersioningConfiguration));
    const refs = { 'AWS::Partition': 'aws', [`${bucketId}.Arn`]: 'arn:aws:s3:::hub-data' };
    const policyId = logicalIdOf(
      'AWS::S3::BucketPolicy',
      (p) => (p.Bucket as { Ref: string }).Ref === bucketId,
    );
    const statements = (
      resolve(hubJson.Resources[policyId]?.Properties.PolicyDocument, refs) as {
        Statement: Array<{
          Effect: string;
          Principal?: { AWS?: string | string[] };
          Action: string | string[];
          Resource: string | string[];
        }>;
      }
    ).Statement;
    const matches = (pattern: string, value: string) =>
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(value);
    const allowed = (account: string, key: string, action = 's3:PutObject') =>
      statements.some(
        (s) =>
          s.Effect === 'Allow' &&
          [s.Principal?.AWS ?? []].flat().includes(`arn:aws:iam::${account}:root`) &&
          [s.Action].flat().some((a) => matches(a, action)) &&
          [s.Resource].flat().some((r) => matches(r, `arn:aws:s3:::hub-data/${key}`)),
      );
    const ownPart = stagingKey('r-1', SENDER, 'cost');
    expect(allowed(SENDER, `data/${SENDER}/2026-11-25_DAILY.json`)).toBe(true);
    expect(allowed(SENDER, ownPart)).toBe(true);
    expect(allowed(SENDER, ownPart, 's3:GetObject')).toBe(true);
    expect(allowed(SENDER, ownPart, 's3:DeleteObject')).toBe(true);
    expect(allowed(SENDER, `data/${OTHER}/2026-11-25_DAILY.json`)).toBe(false);
    expect(allowed(SENDER, stagingKey('r-1', OTHER, 'cost'))).toBe(false);
    expect(allowed(SENDER, `data/${OTHER}/2026-11-25_DAILY.json`, 's3:GetObject')).toBe(false);
    expect(allowed(SENDER, 'loaded/x.json')).toBe(false);
    expect(allowed(SENDER, `loaded/${SENDER}/2026-11-25_DAILY.json`, 's3:GetObject')).toBe(false);
    expect(allowed(SENDER, 'data/', 's3:ListBucket')).toBe(false);
    expect(allowed(OTHER, `data/${OTHER}/2026-11-25_DAILY.json`)).toBe(false);
  });

  it('runs Aurora Serverless v2 with the Data API, pausing at 0 ACU, encrypted, protected and backed up', () => {
    hubTemplate.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      EnableHttpEndpoint: true,
      ManageMasterUserPassword: true,
      DeletionProtection: true,
      StorageEncrypted: true,
      BackupRetentionPeriod: 7,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 4 },
    });
    hubTemplate.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const [, fn] of resources.filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      expect(fn.Properties.VpcConfig).toBeUndefined();
    }
  });

  it('schedules orchestrate daily and monthly, and loads sender snapshots on their S3 event', () => {
    hubTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
    hubTemplate.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 4 2 * ? *)' });
    hubTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: { requester: [SENDER] },
      },
    });
  });
});

type TemplateJson = {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown }>;
};

interface MetricLine {
  widget: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  stat: string | undefined;
}

/** What the dashboard and the alarms of a synthesized hub read, intrinsics resolved to `<logicalId>` names. */
function observabilityOf(template: TemplateJson) {
  const entries = Object.entries(template.Resources);
  const ofType = (type: string) => entries.filter(([, r]) => r.Type === type);
  const dashboards = ofType('AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const [dashboardId, dashboard] = dashboards[0] as [string, { Properties: Record<string, unknown> }];
  const body = JSON.parse(resolve(dashboard.Properties.DashboardBody, {}) as string) as {
    widgets: Array<{
      type: string;
      properties: { title?: string; metrics?: unknown[][]; alarms?: string[] };
    }>;
  };
  const lines: MetricLine[] = body.widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((line) => {
      const options = (typeof line.at(-1) === 'object' ? line.at(-1) : {}) as { stat?: string };
      const [namespace, metricName, ...rest] = line.filter((part) => typeof part === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < rest.length; i += 2) dimensions[rest[i] as string] = rest[i + 1] as string;
      return {
        widget: widget.properties.title ?? '',
        namespace: namespace ?? '',
        metricName: metricName ?? '',
        dimensions,
        stat: options.stat,
      };
    }),
  );
  const alarms = ofType('AWS::CloudWatch::Alarm').map(([id, r]) => ({ id, ...r.Properties }));
  const composites = ofType('AWS::CloudWatch::CompositeAlarm').map(([id, r]) => ({ id, ...r.Properties }));
  const logicalIdOfName = (type: string, key: string, name: string) => {
    const found = ofType(type).find(([, r]) => r.Properties[key] === name);
    if (!found) throw new Error(`no ${type} named ${name}`);
    return found[0];
  };
  return { dashboardId, dashboard: dashboard.Properties, body, lines, alarms, composites, logicalIdOfName };
}

/** The `<prefix>-categories-failed` alarm, checked to read FinalizeLoad's per-load count of failed categories. */
function categoriesFailedAlarm(template: TemplateJson, prefix: string) {
  const { alarms, composites } = observabilityOf(template);
  expect(composites).toEqual([]);
  const alarm = alarms.find((a) => a.AlarmName === `${prefix}-categories-failed`);
  if (!alarm) throw new Error(`no alarm ${prefix}-categories-failed`);
  expect(alarm).toMatchObject({
    Namespace: 'a360',
    MetricName: 'CategoriesFailed',
    Statistic: 'Sum',
    Period: 3600,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    TreatMissingData: 'notBreaching',
  });
  const dimensions = Object.fromEntries(
    (alarm.Dimensions as Array<{ Name: string; Value: string }>).map((d) => [d.Name, d.Value]),
  );
  return { alarm, dimensions };
}

describe('hub dashboard and alarms', () => {
  const template = hubJson as TemplateJson;
  const enabled = parseConfig(config).enabledCategories;
  const observed = observabilityOf(template);
  const PIPELINE_METRICS = [
    'CollectDurationMs',
    'RowsCollected',
    'ApiCalls',
    'Throttles',
    'LoadDurationMs',
    'RowsLoaded',
    'CategoryFailed',
  ];

  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** What the collect, load and finalize Lambdas' metrics sink writes, under a deployed function's environment. */
  function emitted(category: string, values: Record<string, number>) {
    const loadFunction = Object.values(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === 'a360-load-category',
    );
    if (!loadFunction) throw new Error('no a360-load-category function');
    const variables = (loadFunction.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;
    for (const name of ['POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']) {
      expect(typeof variables[name], name).toBe('string');
      vi.stubEnv(name, variables[name] as string);
    }
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    metricsSink.record(category, values);
    const written = log.mock.calls.map((call) => String(call[0]));
    log.mockRestore();
    vi.unstubAllEnvs();
    expect(written).toHaveLength(1);
    const document = JSON.parse(written[0] as string) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> };
    };
    const [directive] = document._aws.CloudWatchMetrics;
    expect(directive?.Dimensions).toHaveLength(1);
    const dimensions = Object.fromEntries(
      (directive?.Dimensions[0] ?? []).map((name) => [name, String(document[name])]),
    );
    return { namespace: directive?.Namespace, dimensions };
  }

  it('reads the pipeline metrics with exactly the namespace and dimensions the Lambdas emit', () => {
    const emission = emitted('cost', Object.fromEntries(PIPELINE_METRICS.map((name) => [name, 1])));
    expect(emission.dimensions.Category).toBe('cost');
    for (const metricName of PIPELINE_METRICS) {
      const lines = observed.lines.filter(
        (l) => l.metricName === metricName && l.dimensions.Category === 'cost',
      );
      expect(lines.length, metricName).toBeGreaterThan(0);
      for (const line of lines) {
        expect(line.namespace).toBe(emission.namespace);
        expect(line.dimensions).toEqual(emission.dimensions);
      }
    }
    // FinalizeLoad's per-load totals (Category "all").
    const totals = emitted('all', { CategoriesFailed: 1, CategoriesLoaded: 2 });
    for (const metricName of ['CategoriesFailed', 'CategoriesLoaded']) {
      const line = observed.lines.find((l) => l.metricName === metricName);
      expect(line?.namespace).toBe(totals.namespace);
      expect(line?.dimensions).toEqual(totals.dimensions);
    }
    const { dimensions } = categoriesFailedAlarm(template, 'a360');
    expect(dimensions).toEqual(totals.dimensions);
  });

  it('graphs every pipeline metric for exactly the enabled categories, durations at p50 and max', () => {
    expect(observed.dashboard.DashboardName).toBe('a360');
    const expectations: Array<[string, string]> = [
      ['CategoryFailed', 'Sum'],
      ['RowsCollected', 'Sum'],
      ['RowsLoaded', 'Sum'],
      ['ApiCalls', 'Sum'],
      ['Throttles', 'Sum'],
      ['CollectDurationMs', 'p50'],
      ['CollectDurationMs', 'Maximum'],
      ['LoadDurationMs', 'p50'],
      ['LoadDurationMs', 'Maximum'],
    ];
    for (const [metricName, stat] of expectations) {
      const lines = observed.lines.filter((l) => l.metricName === metricName && l.stat === stat);
      const widgets = new Set(lines.map((l) => l.widget));
      expect(widgets.size, `${metricName} ${stat}`).toBe(1);
      expect(lines.map((l) => l.dimensions.Category).sort(), `${metricName} ${stat}`).toEqual(
        [...enabled].sort(),
      );
      for (const line of lines) expect(line.namespace).toBe('a360');
    }
  });

  it('graphs the DLQ, the three state machines and Aurora capacity', () => {
    const dlq = observed.logicalIdOfName('AWS::SQS::Queue', 'QueueName', 'a360-dead-letters');
    for (const metricName of ['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']) {
      expect(observed.lines).toContainEqual(
        expect.objectContaining({
          namespace: 'AWS/SQS',
          metricName,
          dimensions: { QueueName: `<${dlq}.QueueName>` },
        }),
      );
    }
    for (const name of ['a360-collect', 'a360-load', 'a360-orchestrate']) {
      const machine = observed.logicalIdOfName('AWS::StepFunctions::StateMachine', 'StateMachineName', name);
      for (const metricName of ['ExecutionsFailed', 'ExecutionsSucceeded', 'ExecutionsTimedOut']) {
        expect(observed.lines, `${name} ${metricName}`).toContainEqual(
          expect.objectContaining({
            namespace: 'AWS/States',
            metricName,
            dimensions: { StateMachineArn: `<${machine}>` },
          }),
        );
      }
    }
    const cluster = Object.entries(template.Resources).find(([, r]) => r.Type === 'AWS::RDS::DBCluster')?.[0];
    expect(observed.lines).toContainEqual(
      expect.objectContaining({
        namespace: 'AWS/RDS',
        metricName: 'ServerlessDatabaseCapacity',
        dimensions: { DBClusterIdentifier: `<${cluster}>` },
      }),
    );
    const alarmWidget = observed.body.widgets.find((w) => w.type === 'alarm');
    const failed = observed.logicalIdOfName('AWS::CloudWatch::Alarm', 'AlarmName', 'a360-categories-failed');
    const waiting = observed.logicalIdOfName(
      'AWS::CloudWatch::Alarm',
      'AlarmName',
      'a360-dead-letters-waiting',
    );
    expect(alarmWidget?.properties.alarms).toEqual([`<${failed}.Arn>`, `<${waiting}.Arn>`]);
  });

  it('alarms when a load ended with failed categories in an hour, after retries', () => {
    const { alarm } = categoriesFailedAlarm(template, 'a360');
    expect(template.Outputs.CategoriesFailedAlarmArn?.Value).toEqual({ 'Fn::GetAtt': [alarm.id, 'Arn'] });
    expect(template.Outputs.DashboardName?.Value).toEqual({ Ref: observed.dashboardId });
    expect(resolve(template.Outputs.DashboardUrl?.Value, {})).toBe(
      `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=<${observed.dashboardId}>`,
    );
  });

  it('follows the configured prefix and categories', () => {
    const categories = ['cost', 'security-hub', 'waf'];
    const other = new App({
      context: { 'aws:cdk:bundling-stacks': [], a360: { ...config, prefix: 'obs', categories } },
    });
    const otherJson = Template.fromStack(buildApp(other).hub).toJSON() as TemplateJson;
    categoriesFailedAlarm(otherJson, 'obs');
    const { dashboard, lines } = observabilityOf(otherJson);
    expect(dashboard.DashboardName).toBe('obs');
    const graphed = new Set(lines.filter((l) => l.namespace === 'a360').map((l) => l.dimensions.Category));
    expect([...graphed].sort()).toEqual(['all', ...categories].sort());
  });
});

describe('member-role stack', () => {
  const template = Template.fromStack(memberRole).toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    Rules?: unknown;
  };

  it('holds exactly the read-only actions of the enabled categories and trusts only the hub collector roles', () => {
    const role = Object.values(template.Resources).find((r) => r.Type === 'AWS::IAM::Role');
    if (!role) throw new Error('the member-role stack has no IAM role');
    const policy = (
      role.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string[] }> } }>
    )[0];
    expect([policy?.PolicyDocument.Statement[0]?.Action].flat().sort()).toEqual(
      memberRoleActions(parseConfig(config)),
    );
    const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('a360-collect-*');
    expect(trust).toContain('"sts:ExternalId":"a360-test-external-id"');
    expect(trust).toContain('"aws:PrincipalOrgID":"o-abcdef1234"');
  });

  it('deploys as a StackSet: no assets and no bootstrap check', () => {
    expect(template.Rules).toBeUndefined();
    expect(JSON.stringify(template)).not.toContain('BootstrapVersion');
  });
});

describe('sender stack', () => {
  it('collects its own account on a schedule and can write only its own prefix of the hub bucket', () => {
    const template = Template.fromStack(sender);
    template.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    const statements = Object.values(
      template.toJSON().Resources as Record<
        string,
        {
          Type: string;
          Properties: { PolicyDocument?: { Statement: Array<{ Action: unknown; Resource: unknown }> } };
        }
      >,
    )
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument?.Statement ?? []);
    expect(statements.some((s) => [s.Action].flat().includes('sts:AssumeRole'))).toBe(false);
    const writable = statements
      .filter((s) => [s.Action].flat().includes('s3:PutObject'))
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r));
    expect(writable.length).toBeGreaterThan(0);
    for (const resource of writable) {
      const ownPrefix = resource.includes('"/data/",{"Ref":"AWS::AccountId"},"/*"');
      const ownStaging = resource.includes('"/staging/",{"Ref":"AWS::AccountId"},"/*"');
      expect(ownStaging || ownPrefix, resource).toBe(true);
    }
  });
});
