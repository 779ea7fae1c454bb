import {
  ListSecretsCommand,
  type ListSecretsCommandOutput,
  type SecretListEntry,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector } from './types.ts';

const timestamp = z.iso.datetime();

const secretSchema = z.object({
  name: z.string().min(1),
  arn: z.string().min(1),
  region: z.string().min(1),
  description: z.string().nullable(),
  created_date: timestamp.nullable(),
  last_changed_date: timestamp.nullable(),
  /** Secrets Manager keeps only the day of the last access (the time is midnight UTC). */
  last_accessed_date: timestamp.nullable(),
  last_rotated_date: timestamp.nullable(),
  rotation_enabled: z.boolean(),
  rotation_lambda_arn: z.string().nullable(),
  /** `RotationRules` as AWS returns them: the interval in days, or a schedule expression, and a window. */
  rotation_rules: z
    .object({
      automatically_after_days: z.number().int().positive().nullable(),
      schedule_expression: z.string().nullable(),
      duration: z.string().nullable(),
    })
    .nullable(),
  next_rotation_date: timestamp.nullable(),
  /** The key that encrypts the secret; null means the AWS managed key `aws/secretsmanager`. */
  kms_key_id: z.string().nullable(),
  tags: z.record(z.string(), z.string()),
  /** The service that manages the secret, e.g. `rds` for a database's managed master user password. */
  owning_service: z.string().nullable(),
  /** For a replica, the Region of its primary secret. */
  primary_region: z.string().nullable(),
});

export const secretsManagerPayloadSchema = z.object({
  secrets_manager: z.array(secretSchema),
});
export type SecretsManagerPayload = z.infer<typeof secretsManagerPayloadSchema>;
export type Secret = SecretsManagerPayload['secrets_manager'][number];

/** ListSecrets accepts MaxResults of 1 to 100. */
const MAX_RESULTS = 100;

const iso = (date: Date | undefined) => (date === undefined ? null : date.toISOString());

function secretOf(entry: SecretListEntry, region: string, at: string): Secret {
  const rules = entry.RotationRules;
  return {
    name: required(entry.Name, `${at}.Name`),
    arn: required(entry.ARN, `${at}.ARN`),
    region,
    description: entry.Description || null,
    created_date: iso(entry.CreatedDate),
    last_changed_date: iso(entry.LastChangedDate),
    last_accessed_date: iso(entry.LastAccessedDate),
    last_rotated_date: iso(entry.LastRotatedDate),
    // Secrets Manager leaves RotationEnabled out for a secret whose rotation was never configured.
    rotation_enabled: entry.RotationEnabled === true,
    rotation_lambda_arn: entry.RotationLambdaARN || null,
    rotation_rules: rules
      ? {
          automatically_after_days: rules.AutomaticallyAfterDays ?? null,
          schedule_expression: rules.ScheduleExpression ?? null,
          duration: rules.Duration ?? null,
        }
      : null,
    next_rotation_date: iso(entry.NextRotationDate),
    kms_key_id: entry.KmsKeyId || null,
    tags: Object.fromEntries(
      (entry.Tags ?? []).map((tag, i) => [required(tag.Key, `${at}.Tags[${i}].Key`), tag.Value ?? '']),
    ),
    owning_service: entry.OwningService ?? null,
    primary_region: entry.PrimaryRegion ?? null,
  };
}

/** Every secret of a region, not those scheduled for deletion (they are gone for the inventory). */
async function collectRegion(ctx: CollectContext, region: string): Promise<Secret[]> {
  const client = ctx.clients.client(SecretsManagerClient, region);
  const secrets: Secret[] = [];
  let token: string | undefined;
  let page = 0;
  do {
    const response: ListSecretsCommandOutput = await client.send(
      new ListSecretsCommand({
        MaxResults: MAX_RESULTS,
        IncludePlannedDeletion: false,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    const list = required(response.SecretList, `ListSecrets(${region}, page ${page + 1}) SecretList`);
    list.forEach((entry, i) => {
      secrets.push(secretOf(entry, region, `ListSecrets(${region}, page ${page + 1}) SecretList[${i}]`));
    });
    token = response.NextToken;
    page += 1;
  } while (token);
  return secrets;
}

export const secretsManagerCollector = defineCollector({
  id: 'secrets-manager',
  title: 'Secrets Manager: secrets with their rotation, encryption key and use',
  scope: 'regional',
  actions: ['secretsmanager:ListSecrets'],
  tables: ['secrets_manager_secrets'],
  schema: secretsManagerPayloadSchema,
  async collect(ctx) {
    const collection = await collectEachRegion(ctx, (region) => collectRegion(ctx, region));
    const payload: SecretsManagerPayload = {
      secrets_manager: collection.results.flatMap((r) => r.value),
    };
    return {
      payload,
      rows: payload.secrets_manager.length,
      regions: collection.regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
