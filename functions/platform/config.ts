import { z } from 'zod';
import { resolveCategories } from '../collectors/registry.ts';
import type { AccountSource } from '../core/discover-accounts.ts';
import { ENV } from './env.ts';
import { ConfigError } from './errors.ts';

const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Reads and checks a set of variables at once, so one ConfigError lists everything that is wrong. */
class EnvReader {
  readonly problems: string[] = [];
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.env = env;
  }

  required(name: string): string {
    const value = this.env[name]?.trim();
    if (!value) this.problems.push(`${name} is not set`);
    return value ?? '';
  }

  optional(name: string): string | undefined {
    return this.env[name]?.trim() || undefined;
  }

  regions(name: string): string[] {
    const regions = this.required(name)
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    const bad = regions.filter((r) => !REGION_RE.test(r));
    if (bad.length > 0) this.problems.push(`${name} has invalid region names: ${bad.join(', ')}`);
    return regions;
  }

  json<T>(name: string, check: (value: unknown) => value is T, what: string): T | undefined {
    const text = this.required(name);
    if (!text) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      if (check(value)) return value;
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be ${what}`);
    return undefined;
  }

  done<T>(value: T): T {
    if (this.problems.length > 0) throw new ConfigError(`invalid configuration: ${this.problems.join('; ')}`);
    return value;
  }
}

const isStringMap = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  Object.values(value).every((v) => typeof v === 'string');

export interface PlanConfig {
  readonly regions: readonly string[];
  readonly enabledCategories: readonly string[];
  readonly collectorFunctions: Readonly<Record<string, string>>;
}

export function loadPlanConfig(env: NodeJS.ProcessEnv = process.env): PlanConfig {
  const reader = new EnvReader(env);
  const regions = reader.regions(ENV.regions);
  const functions = reader.json(
    ENV.collectorFunctions,
    isStringMap,
    'a JSON object of category id to function name',
  );
  let enabledCategories: string[] = [];
  try {
    enabledCategories = resolveCategories(
      reader
        .optional(ENV.categories)
        ?.split(',')
        .map((c) => c.trim()),
    );
  } catch (error) {
    reader.problems.push(`${ENV.categories}: ${(error as Error).message}`);
  }
  const missing = enabledCategories.filter((c) => !functions?.[c]);
  if (functions && missing.length > 0) {
    reader.problems.push(`${ENV.collectorFunctions} has no function for ${missing.join(', ')}`);
  }
  return reader.done({ regions, enabledCategories, collectorFunctions: functions ?? {} });
}

export interface StorageConfig {
  readonly bucket: string;
  readonly kmsKeyId: string | undefined;
}

export function loadStorageConfig(env: NodeJS.ProcessEnv = process.env): StorageConfig {
  const reader = new EnvReader(env);
  return reader.done({ bucket: reader.required(ENV.bucket), kmsKeyId: reader.optional(ENV.kmsKeyId) });
}

export interface CollectConfig extends StorageConfig {
  readonly homeRegion: string;
  /** The member role assumed in other accounts; unset in a sender, which collects its own account. */
  readonly memberRoleName: string | undefined;
  readonly externalId: string | undefined;
  /** Orchestrate prefetches Cost Explorer for the organization: look for this account's answers. */
  readonly costExplorerPrefetch: boolean;
}

export function loadCollectConfig(env: NodeJS.ProcessEnv = process.env): CollectConfig {
  const reader = new EnvReader(env);
  const homeRegion = reader.optional(ENV.homeRegion) ?? 'us-east-1';
  if (!REGION_RE.test(homeRegion))
    reader.problems.push(`${ENV.homeRegion} is not a region name: ${homeRegion}`);
  return reader.done({
    bucket: reader.required(ENV.bucket),
    kmsKeyId: reader.optional(ENV.kmsKeyId),
    homeRegion,
    memberRoleName: reader.optional(ENV.memberRoleName),
    externalId: reader.optional(ENV.externalId),
    costExplorerPrefetch: reader.optional(ENV.costExplorerSource) === 'organization',
  });
}

export interface DatabaseConfig {
  readonly clusterArn: string;
  readonly secretArn: string;
  readonly database: string;
}

export interface LoadConfig extends StorageConfig {
  readonly database: DatabaseConfig;
  readonly dlqUrl: string;
}

export function loadLoadConfig(env: NodeJS.ProcessEnv = process.env): LoadConfig {
  const reader = new EnvReader(env);
  return reader.done({
    bucket: reader.required(ENV.bucket),
    kmsKeyId: reader.optional(ENV.kmsKeyId),
    database: {
      clusterArn: reader.required(ENV.dbClusterArn),
      secretArn: reader.required(ENV.dbSecretArn),
      database: reader.optional(ENV.dbName) ?? 'a360',
    },
    dlqUrl: reader.required(ENV.dlqUrl),
  });
}

export interface DiscoverConfig extends StorageConfig {
  readonly accounts: AccountSource;
  readonly enabledCategories: readonly string[];
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  /** Product name to the accounts in it, from the deployment's configuration. */
  readonly products: Readonly<Record<string, readonly string[]>>;
}

const productsSchema = z.record(z.string().min(1), z.array(z.string().regex(/^\d{12}$/)));

const accountSourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('list'), ids: z.array(z.string().regex(/^\d{12}$/)).min(1) }),
  z.object({
    source: z.literal('organization'),
    organizationalUnits: z.array(z.string()),
    include: z.array(z.string().regex(/^\d{12}$/)),
    exclude: z.array(z.string().regex(/^\d{12}$/)),
  }),
]);

export function loadDiscoverConfig(env: NodeJS.ProcessEnv = process.env): DiscoverConfig {
  const reader = new EnvReader(env);
  const accounts = reader.json(
    ENV.accountSource,
    (value): value is AccountSource => accountSourceSchema.safeParse(value).success,
    'a JSON account source: {"source":"list","ids":[...]} or {"source":"organization","organizationalUnits":[...],"include":[...],"exclude":[...]}',
  );
  const number = (name: string, max: number) => {
    const value = Number(reader.required(name));
    if (!Number.isFinite(value) || value < 0 || value > max)
      reader.problems.push(`${name} must be a number from 0 to ${max}`);
    return value;
  };
  let enabledCategories: string[] = [];
  try {
    enabledCategories = resolveCategories(
      reader
        .optional(ENV.categories)
        ?.split(',')
        .map((c) => c.trim()),
    );
  } catch (error) {
    reader.problems.push(`${ENV.categories}: ${(error as Error).message}`);
  }
  return reader.done({
    bucket: reader.required(ENV.bucket),
    kmsKeyId: reader.optional(ENV.kmsKeyId),
    accounts: accounts as AccountSource,
    enabledCategories,
    maxConcurrency: number(ENV.maxConcurrency, 10_000),
    toleratedFailurePercentage: number(ENV.toleratedFailurePercentage, 100),
    products:
      reader.optional(ENV.products) === undefined
        ? {}
        : (reader.json(
            ENV.products,
            (value): value is Record<string, string[]> => productsSchema.safeParse(value).success,
            'a JSON object of product name to 12-digit account ids, e.g. {"payments":["123456789012"]}',
          ) ?? {}),
  });
}

/** The original system's multi-tenant fields, written on every orchestrated account when set. */
export interface TenantConfig {
  readonly customerName: string | undefined;
  readonly partnerName: string | undefined;
}

export function loadTenantConfig(env: NodeJS.ProcessEnv = process.env): TenantConfig {
  const reader = new EnvReader(env);
  return reader.done({
    customerName: reader.optional(ENV.customerName),
    partnerName: reader.optional(ENV.partnerName),
  });
}

/** Where `orchestrate` asks Cost Explorer: once for the organization, or not at all (each account asks). */
export interface CostExplorerConfig extends StorageConfig {
  readonly source: 'organization' | 'per-account';
  /** Assumed to reach the management account's Cost Explorer when the hub is not the management account. */
  readonly roleArn: string | undefined;
  readonly externalId: string | undefined;
  readonly homeRegion: string;
}

export function loadCostExplorerConfig(env: NodeJS.ProcessEnv = process.env): CostExplorerConfig {
  const reader = new EnvReader(env);
  const source = reader.optional(ENV.costExplorerSource) ?? 'per-account';
  if (source !== 'organization' && source !== 'per-account') {
    reader.problems.push(`${ENV.costExplorerSource} must be organization or per-account, got "${source}"`);
  }
  const roleArn = reader.optional(ENV.costExplorerRoleArn);
  if (roleArn !== undefined && !/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/.test(roleArn)) {
    reader.problems.push(`${ENV.costExplorerRoleArn} must be an IAM role ARN, got "${roleArn}"`);
  }
  return reader.done({
    bucket: reader.required(ENV.bucket),
    kmsKeyId: reader.optional(ENV.kmsKeyId),
    source: source as CostExplorerConfig['source'],
    roleArn,
    externalId: reader.optional(ENV.externalId),
    homeRegion: reader.optional(ENV.homeRegion) ?? 'us-east-1',
  });
}
