import {
  ListSecretsCommand,
  type ListSecretsCommandInput,
  type SecretListEntry,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { secretsManagerCollector } from '../../../functions/collectors/secrets-manager.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const sm = mockClient(SecretsManagerClient);
/** Every command the collector sent in this file, for the IAM declaration check. */
const sent = new Set<string>();
afterEach(() => {
  for (const call of sm.calls()) {
    sent.add(
      iamActionFor('@aws-sdk/client-secrets-manager', call.args[0].constructor.name.replace(/Command$/, '')),
    );
  }
  sm.reset();
});
afterAll(() => sm.restore());

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const secretArn = (region: string, name: string) =>
  `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbC123`;
const ROTATOR = `arn:aws:lambda:us-east-1:${account}:function:payments-rotate-db`;
const KEY = `arn:aws:kms:us-east-1:${account}:key/22222222-2222-4222-8222-222222222222`;
const DB = `arn:aws:rds:us-east-1:${account}:db:payments-db-1`;

const database: SecretListEntry = {
  ARN: secretArn('us-east-1', 'prod/payments-db-1/app-user'),
  Name: 'prod/payments-db-1/app-user',
  Description: 'Credentials of the application user of postgres database payments-db-1',
  KmsKeyId: KEY,
  RotationEnabled: true,
  RotationLambdaARN: ROTATOR,
  RotationRules: { AutomaticallyAfterDays: 30 },
  LastRotatedDate: new Date('2026-11-02T10:03:34Z'),
  LastChangedDate: new Date('2026-11-02T10:03:34Z'),
  LastAccessedDate: new Date('2026-11-26T00:00:00Z'),
  NextRotationDate: new Date('2026-12-02T10:03:34Z'),
  Tags: [
    { Key: 'Environment', Value: 'prod' },
    { Key: 'Application', Value: 'payments' },
  ],
  SecretVersionsToStages: { 'a1b2c3d4-0000-4000-8000-000000000001': ['AWSCURRENT'] },
  CreatedDate: new Date('2025-11-07T10:03:34Z'),
};
const managed: SecretListEntry = {
  ARN: secretArn('us-east-1', 'rds!db-0f1e2d3c'),
  Name: 'rds!db-0f1e2d3c',
  Description: `Secret associated with primary RDS DB instance: ${DB}`,
  RotationEnabled: true,
  RotationRules: { AutomaticallyAfterDays: 7 },
  LastChangedDate: new Date('2026-11-25T02:16:55Z'),
  NextRotationDate: new Date('2026-12-02T02:16:55Z'),
  Tags: [
    { Key: 'aws:rds:primaryDBInstanceArn', Value: DB },
    { Key: 'aws:secretsmanager:owningService', Value: 'rds' },
  ],
  OwningService: 'rds',
  CreatedDate: new Date('2026-02-04T02:16:55Z'),
};
const apiKey: SecretListEntry = {
  ARN: secretArn('us-east-1', 'prod/payments/stripe-api-key'),
  Name: 'prod/payments/stripe-api-key',
  LastChangedDate: new Date('2026-01-15T08:00:00Z'),
  CreatedDate: new Date('2026-01-15T08:00:00Z'),
  PrimaryRegion: 'us-east-1',
};
const abandoned: SecretListEntry = {
  ARN: secretArn('us-east-1', 'prod/payments/sendgrid-api-key'),
  Name: 'prod/payments/sendgrid-api-key',
  Description: '',
  RotationEnabled: false,
  RotationLambdaARN: `arn:aws:lambda:us-east-1:${account}:function:payments-rotate-sendgrid`,
  RotationRules: { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' },
  LastChangedDate: new Date('2026-03-01T00:00:00Z'),
  LastAccessedDate: new Date('2026-05-01T00:00:00Z'),
  Tags: [],
  CreatedDate: new Date('2026-03-01T00:00:00Z'),
};
const replica: SecretListEntry = {
  ...apiKey,
  ARN: secretArn('eu-west-1', 'prod/payments/stripe-api-key'),
  CreatedDate: new Date('2026-01-15T08:10:00Z'),
};

/** Scripted pages per region and token (`first` = no token). */
type Script = Record<string, Record<string, { SecretList?: SecretListEntry[]; NextToken?: string }>>;

function serve(script: Script, errors: Record<string, Error> = {}) {
  sm.on(ListSecretsCommand).callsFake(async (input: ListSecretsCommandInput, getClient) => {
    const region = await getClient().config.region();
    const error = errors[region];
    if (error) throw error;
    const page = script[region]?.[input.NextToken ?? 'first'];
    if (!page) throw new Error(`no scripted page for ${region} ${input.NextToken}`);
    return page;
  });
}

async function callsByRegion() {
  const calls: Array<{ region: string; input: ListSecretsCommandInput }> = [];
  for (const call of sm.commandCalls(ListSecretsCommand)) {
    calls.push({
      region: await (call.thisValue as SecretsManagerClient).config.region(),
      input: call.args[0].input,
    });
  }
  return calls;
}

const twoRegions: Script = {
  'us-east-1': {
    first: { SecretList: [database, managed], NextToken: 'page-2' },
    'page-2': { SecretList: [apiKey], NextToken: 'page-3' },
    'page-3': { SecretList: [abandoned] },
  },
  'eu-west-1': { first: { SecretList: [replica] } },
};

describe('secrets-manager collector', () => {
  it('pages through the secrets of every region, without those scheduled for deletion', async () => {
    serve(twoRegions);

    const result = await secretsManagerCollector.collect(collectContext({ window }));

    expect((await callsByRegion()).map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        ['us-east-1', { MaxResults: 100, IncludePlannedDeletion: false }],
        ['us-east-1', { MaxResults: 100, IncludePlannedDeletion: false, NextToken: 'page-2' }],
        ['us-east-1', { MaxResults: 100, IncludePlannedDeletion: false, NextToken: 'page-3' }],
        ['eu-west-1', { MaxResults: 100, IncludePlannedDeletion: false }],
      ]),
    );
    expect(sm.commandCalls(ListSecretsCommand)).toHaveLength(4);
    expect(result.regions).toEqual({
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.rows).toBe(5);
    const secrets = result.payload.secrets_manager;
    expect(secrets.map((s) => [s.region, s.name])).toEqual([
      ['us-east-1', 'prod/payments-db-1/app-user'],
      ['us-east-1', 'rds!db-0f1e2d3c'],
      ['us-east-1', 'prod/payments/stripe-api-key'],
      ['us-east-1', 'prod/payments/sendgrid-api-key'],
      ['eu-west-1', 'prod/payments/stripe-api-key'],
    ]);
    expect(secrets[0]).toEqual({
      name: 'prod/payments-db-1/app-user',
      arn: secretArn('us-east-1', 'prod/payments-db-1/app-user'),
      region: 'us-east-1',
      description: 'Credentials of the application user of postgres database payments-db-1',
      created_date: '2025-11-07T10:03:34.000Z',
      last_changed_date: '2026-11-02T10:03:34.000Z',
      last_accessed_date: '2026-11-26T00:00:00.000Z',
      last_rotated_date: '2026-11-02T10:03:34.000Z',
      rotation_enabled: true,
      rotation_lambda_arn: ROTATOR,
      rotation_rules: { automatically_after_days: 30, schedule_expression: null, duration: null },
      next_rotation_date: '2026-12-02T10:03:34.000Z',
      kms_key_id: KEY,
      tags: { Environment: 'prod', Application: 'payments' },
      owning_service: null,
      primary_region: null,
    });
    expect(secrets[1]).toMatchObject({
      rotation_enabled: true,
      rotation_lambda_arn: null,
      owning_service: 'rds',
      kms_key_id: null,
      last_accessed_date: null,
      tags: { 'aws:rds:primaryDBInstanceArn': DB, 'aws:secretsmanager:owningService': 'rds' },
    });
    // Never configured: RotationEnabled is absent and means off.
    expect(secrets[2]).toMatchObject({
      description: null,
      rotation_enabled: false,
      rotation_rules: null,
      last_rotated_date: null,
      next_rotation_date: null,
      tags: {},
      primary_region: 'us-east-1',
    });
    expect(secrets[3]).toMatchObject({
      description: null,
      rotation_enabled: false,
      rotation_lambda_arn: `arn:aws:lambda:us-east-1:${account}:function:payments-rotate-sendgrid`,
      rotation_rules: {
        automatically_after_days: null,
        schedule_expression: 'cron(0 4 ? * SUN *)',
        duration: '3h',
      },
      last_accessed_date: '2026-05-01T00:00:00.000Z',
    });
    expect(secrets[4]).toMatchObject({
      arn: secretArn('eu-west-1', 'prod/payments/stripe-api-key'),
      region: 'eu-west-1',
      primary_region: 'us-east-1',
    });
    expect(secretsManagerCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('records a failing region as FAILED and keeps the others (a PARTIAL category)', async () => {
    serve(twoRegions, {
      'eu-west-1': serviceError(
        'AccessDeniedException',
        'not authorized to perform: secretsmanager:ListSecrets',
      ),
    });
    const result = await secretsManagerCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.payload.secrets_manager).toHaveLength(4);
  });

  it('skips an opt-in region whose endpoint does not know the credentials that work elsewhere', async () => {
    serve(twoRegions, {
      'eu-west-1': serviceError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      ),
    });
    const result = await secretsManagerCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']).toMatchObject({
      status: 'SKIPPED',
      error: { name: 'ServiceNotEnabledError' },
    });
    expect(result.skippedReason).toBeUndefined();
  });

  it.each([
    [
      'AccessDeniedException',
      'not authorized to perform: secretsmanager:ListSecrets',
      400,
      SourceAccessError,
    ],
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    ['InternalServiceError', 'An error occurred on the server side.', 500, TransientError],
    ['InvalidNextTokenException', 'The NextToken value is invalid.', 400, SourceRequestError],
    ['InvalidParameterException', 'Invalid parameter', 400, SourceRequestError],
  ])('classifies %s in every region as %s', async (name, message, status, type) => {
    const error = serviceError(name, message, status);
    serve({}, { 'us-east-1': error, 'eu-west-1': error });
    await expect(secretsManagerCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it.each([
    ['SecretList', {}, 'SecretList'],
    ['ARN', { SecretList: [{ ...apiKey, ARN: undefined }] }, 'SecretList[0].ARN'],
    ['Name', { SecretList: [{ ...apiKey, Name: undefined }] }, 'SecretList[0].Name'],
    ['a tag Key', { SecretList: [{ ...apiKey, Tags: [{ Value: 'x' }] }] }, 'SecretList[0].Tags[0].Key'],
  ])('rejects a response without %s, naming the field', async (_field, page, path) => {
    serve({ 'us-east-1': { first: page }, 'eu-west-1': { first: page } });
    const error = await secretsManagerCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toContain(path);
  });

  it('returns no secrets, and is not SKIPPED, for regions without secrets', async () => {
    serve({ 'us-east-1': { first: { SecretList: [] } }, 'eu-west-1': { first: { SecretList: [] } } });
    const result = await secretsManagerCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ secrets_manager: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
  });

  it('declares exactly the IAM actions of the commands it sent', () => {
    expect([...secretsManagerCollector.actions].sort()).toEqual([...sent].sort());
    expect(secretsManagerCollector.scope).toBe('regional');
    expect(secretsManagerCollector.tables).toEqual(['secrets_manager_secrets']);
  });
});
