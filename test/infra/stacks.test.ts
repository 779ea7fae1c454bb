import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CATEGORY_IDS, getCategory } from '../../functions/collectors/registry.ts';
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
