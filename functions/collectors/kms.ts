import {
  DescribeKeyCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  KMSClient,
  ListAliasesCommand,
  type ListAliasesCommandOutput,
  ListKeysCommand,
  type ListKeysCommandOutput,
} from '@aws-sdk/client-kms';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector } from './types.ts';

const timestamp = z.iso.datetime();

const keySchema = z
  .object({
    key_id: z.string().min(1),
    arn: z.string().min(1),
    region: z.string().min(1),
    description: z.string().nullable(),
    /** `KeyUsage`: ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT. */
    key_usage: z.string().min(1).nullable(),
    /** `KeyState`: Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, ... */
    key_state: z.string().min(1).nullable(),
    creation_date: timestamp.nullable(),
    enabled: z.boolean().nullable(),
    key_manager: z.enum(['AWS', 'CUSTOMER']).nullable(),
    /** `KeySpec`: SYMMETRIC_DEFAULT, RSA_2048, ECC_NIST_P256, HMAC_256, ... */
    key_spec: z.string().min(1).nullable(),
    /** Where the key material comes from: AWS_KMS, EXTERNAL (imported), AWS_CLOUDHSM, EXTERNAL_KEY_STORE. */
    origin: z.string().min(1).nullable(),
    multi_region: z.boolean().nullable(),
    multi_region_key_type: z.enum(['PRIMARY', 'REPLICA']).nullable(),
    /** When a key pending deletion will be deleted. */
    deletion_date: timestamp.nullable(),
    pending_deletion_window_days: z.number().int().positive().nullable(),
    /** The key's alias names, e.g. `alias/aws/s3`, `alias/payments-data`. */
    aliases: z.array(z.string().min(1)),
    /** Whether KMS rotates the key material automatically; null when it could not be found out (see the note). */
    key_rotation_enabled: z.boolean().nullable(),
    /** Whether automatic rotation is possible for this kind of key at all; null when the key is not described. */
    rotation_supported: z.boolean().nullable(),
    rotation_period_days: z.number().int().positive().nullable(),
    next_rotation_date: timestamp.nullable(),
    /** Why the rotation status is not GetKeyRotationStatus's answer, or is unknown. */
    rotation_note: z.string().nullable(),
    /** DescribeKey's refusal, when the key policy does not let the collector describe the key. */
    describe_error: z.string().nullable(),
  })
  .superRefine((key, issue) => {
    if (key.describe_error === null && (key.key_state === null || key.key_manager === null)) {
      issue.addIssue({ code: 'custom', message: `key ${key.arn} was described but has no state or manager` });
    }
    if (key.key_rotation_enabled === null && key.rotation_note === null) {
      issue.addIssue({
        code: 'custom',
        message: `key ${key.arn} has an unknown rotation status without a reason`,
      });
    }
  });

export const kmsPayloadSchema = z.object({
  kms: z.array(keySchema),
});
export type KmsPayload = z.infer<typeof kmsPayloadSchema>;
export type KmsKey = KmsPayload['kms'][number];

/** ListKeys accepts a Limit of 1 to 1000; ListAliases 1 to 100. KMS may return fewer. */
const KEYS_LIMIT = 1000;
const ALIASES_LIMIT = 100;
/** Keys described at once per region. */
const KEY_CONCURRENCY = 8;
/** KMS rotates AWS managed keys every year (since May 2022); their rotation is not configurable. */
const AWS_MANAGED_ROTATION_DAYS = 365;

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;
const messageOf = (error: unknown) => (error as { message?: string } | undefined)?.message ?? String(error);
const iso = (date: Date | undefined) => (date === undefined ? null : date.toISOString());

async function listKeys(kms: KMSClient): Promise<Array<{ id: string; arn: string }>> {
  const keys: Array<{ id: string; arn: string }> = [];
  let marker: string | undefined;
  do {
    const page: ListKeysCommandOutput = await kms.send(
      new ListKeysCommand({ Limit: KEYS_LIMIT, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const [i, key] of (page.Keys ?? []).entries()) {
      keys.push({
        id: required(key.KeyId, `ListKeys Keys[${i}].KeyId`),
        arn: required(key.KeyArn, `ListKeys Keys[${i}].KeyArn`),
      });
    }
    // KMS marks a truncated page with Truncated; NextMarker is present exactly then.
    marker = page.Truncated
      ? required(page.NextMarker, 'ListKeys NextMarker (Truncated is true)')
      : undefined;
  } while (marker);
  return keys;
}

/** Alias names by the key id they point to. Predefined AWS aliases not yet tied to a key have no target. */
async function aliasesByKey(kms: KMSClient): Promise<Map<string, string[]>> {
  const byKey = new Map<string, string[]>();
  let marker: string | undefined;
  do {
    const page: ListAliasesCommandOutput = await kms.send(
      new ListAliasesCommand({ Limit: ALIASES_LIMIT, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const [i, alias] of (page.Aliases ?? []).entries()) {
      if (alias.TargetKeyId === undefined) continue;
      const name = required(alias.AliasName, `ListAliases Aliases[${i}].AliasName`);
      byKey.set(alias.TargetKeyId, [...(byKey.get(alias.TargetKeyId) ?? []), name]);
    }
    marker = page.Truncated
      ? required(page.NextMarker, 'ListAliases NextMarker (Truncated is true)')
      : undefined;
  } while (marker);
  for (const names of byKey.values()) names.sort();
  return byKey;
}

type Rotation = Pick<
  KmsKey,
  | 'key_rotation_enabled'
  | 'rotation_supported'
  | 'rotation_period_days'
  | 'next_rotation_date'
  | 'rotation_note'
>;

const unknownRotation = (note: string, supported: boolean | null): Rotation => ({
  key_rotation_enabled: null,
  rotation_supported: supported,
  rotation_period_days: null,
  next_rotation_date: null,
  rotation_note: note,
});

/**
 * Why automatic rotation does not apply to a key, or null when GetKeyRotationStatus should be asked. Rotation is
 * only possible for symmetric encryption keys with KMS-generated material (GetKeyRotationStatus API reference).
 */
function rotationUnsupportedReason(metadata: KeyMetadata): string | null {
  if (metadata.KeySpec !== undefined && metadata.KeySpec !== 'SYMMETRIC_DEFAULT') {
    return `automatic rotation is not supported for ${metadata.KeySpec} keys`;
  }
  if (metadata.Origin === 'EXTERNAL') {
    return 'automatic rotation is not supported for keys with imported key material';
  }
  if (metadata.Origin === 'AWS_CLOUDHSM' || metadata.Origin === 'EXTERNAL_KEY_STORE') {
    return 'automatic rotation is not supported for keys in a custom key store';
  }
  return null;
}

/** The key's rotation status; `null` when the key was deleted while collecting. */
async function rotationOf(
  kms: KMSClient,
  metadata: KeyMetadata & { KeyId: string },
  at: string,
): Promise<Rotation | null> {
  if (metadata.KeyManager === 'AWS') {
    return {
      key_rotation_enabled: true,
      rotation_supported: true,
      rotation_period_days: AWS_MANAGED_ROTATION_DAYS,
      next_rotation_date: null,
      rotation_note: 'AWS managed key: KMS rotates it every year',
    };
  }
  const unsupported = rotationUnsupportedReason(metadata);
  if (unsupported !== null) {
    // The API documents the rotation status of these keys as always false.
    return {
      key_rotation_enabled: false,
      rotation_supported: false,
      rotation_period_days: null,
      next_rotation_date: null,
      rotation_note: unsupported,
    };
  }
  try {
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: metadata.KeyId }));
    return {
      key_rotation_enabled: required(
        status.KeyRotationEnabled,
        `GetKeyRotationStatus(${at}) KeyRotationEnabled`,
      ),
      rotation_supported: true,
      rotation_period_days: status.RotationPeriodInDays ?? null,
      next_rotation_date: iso(status.NextRotationDate),
      rotation_note: null,
    };
  } catch (error) {
    switch (nameOf(error)) {
      case 'NotFoundException':
        return null;
      // A key policy that does not let the collector read the rotation status: unknown, never "enabled".
      case 'AccessDeniedException':
        return unknownRotation(`GetKeyRotationStatus refused: ${messageOf(error)}`, true);
      case 'KMSInvalidStateException':
        return unknownRotation(
          `GetKeyRotationStatus not possible in this key state: ${messageOf(error)}`,
          true,
        );
      case 'UnsupportedOperationException':
        return {
          key_rotation_enabled: false,
          rotation_supported: false,
          rotation_period_days: null,
          next_rotation_date: null,
          rotation_note: `GetKeyRotationStatus: ${messageOf(error)}`,
        };
      default:
        throw error;
    }
  }
}

function describedKey(
  metadata: KeyMetadata & { KeyId: string },
  listed: { id: string; arn: string },
  region: string,
  aliases: string[],
  rotation: Rotation,
): KmsKey {
  return {
    key_id: metadata.KeyId,
    arn: metadata.Arn ?? listed.arn,
    region,
    description: metadata.Description || null,
    key_usage: metadata.KeyUsage ?? null,
    key_state: metadata.KeyState ?? null,
    creation_date: iso(metadata.CreationDate),
    enabled: metadata.Enabled ?? null,
    key_manager: metadata.KeyManager ?? null,
    key_spec: metadata.KeySpec ?? null,
    origin: metadata.Origin ?? null,
    multi_region: metadata.MultiRegion ?? null,
    multi_region_key_type: metadata.MultiRegionConfiguration?.MultiRegionKeyType ?? null,
    deletion_date: iso(metadata.DeletionDate),
    pending_deletion_window_days: metadata.PendingDeletionWindowInDays ?? null,
    aliases,
    ...rotation,
    describe_error: null,
  };
}

/** A key whose policy does not let the collector describe it: what ListKeys and ListAliases tell, and why. */
function undescribedKey(
  listed: { id: string; arn: string },
  region: string,
  aliases: string[],
  error: string,
) {
  const key: KmsKey = {
    key_id: listed.id,
    arn: listed.arn,
    region,
    description: null,
    key_usage: null,
    key_state: null,
    creation_date: null,
    enabled: null,
    key_manager: null,
    key_spec: null,
    origin: null,
    multi_region: null,
    multi_region_key_type: null,
    deletion_date: null,
    pending_deletion_window_days: null,
    aliases,
    ...unknownRotation('the key could not be described', null),
    describe_error: error,
  };
  return key;
}

async function collectRegion(ctx: CollectContext, region: string): Promise<KmsKey[]> {
  const kms = ctx.clients.client(KMSClient, region);
  const [listed, aliases] = await Promise.all([listKeys(kms), aliasesByKey(kms)]);
  const keys = await mapLimit(listed, KEY_CONCURRENCY, async (key) => {
    const keyAliases = aliases.get(key.id) ?? [];
    let metadata: KeyMetadata & { KeyId: string };
    try {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.arn }));
      const found = required(described.KeyMetadata, `DescribeKey(${key.arn}) KeyMetadata`);
      metadata = { ...found, KeyId: required(found.KeyId, `DescribeKey(${key.arn}) KeyMetadata.KeyId`) };
    } catch (error) {
      if (nameOf(error) === 'NotFoundException') {
        ctx.log.debug('KMS key deleted while collecting', { key: key.arn, region });
        return null;
      }
      if (nameOf(error) === 'AccessDeniedException') {
        return undescribedKey(key, region, keyAliases, `DescribeKey refused: ${messageOf(error)}`);
      }
      throw error;
    }
    const rotation = await rotationOf(kms, metadata, key.arn);
    if (rotation === null) {
      ctx.log.debug('KMS key deleted while collecting', { key: key.arn, region });
      return null;
    }
    return describedKey(metadata, key, region, keyAliases, rotation);
  });
  return keys.filter((key) => key !== null);
}

export const kmsCollector = defineCollector({
  id: 'kms',
  title: 'KMS: keys with their aliases, state and rotation',
  scope: 'regional',
  actions: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey', 'kms:GetKeyRotationStatus'],
  tables: ['kms_keys'],
  schema: kmsPayloadSchema,
  async collect(ctx) {
    const collection = await collectEachRegion(ctx, (region) => collectRegion(ctx, region));
    const payload: KmsPayload = { kms: collection.results.flatMap((r) => r.value) };
    return {
      payload,
      rows: payload.kms.length,
      regions: collection.regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
