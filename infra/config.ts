import { z } from 'zod';
import { CATEGORY_IDS } from '../functions/collectors/registry.ts';

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name');
const cron = z
  .string()
  .regex(/^cron\(.+\)$|^rate\(.+\)$/, 'must be an EventBridge cron(...) or rate(...) expression');

/**
 * The deployment's settings, from `cdk.json` context key `a360` (or `--context a360=...`). Every problem is
 * reported at once, with the path of the setting, before anything is synthesised.
 */
export const configSchema = z
  .object({
    /** Prefix of resource names (functions, state machines, roles). */
    prefix: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,20}$/, 'lowercase letters, digits and dashes, 2-21 long')
      .default('a360'),
    /** The analytics (hub) account and region. */
    hubAccount: accountId.optional(),
    hubRegion: region.default('us-east-1'),
    /** Where global services (Cost Explorer, Organizations, Health, Support) are called. */
    homeRegion: region.default('us-east-1'),
    /** Regions the regional categories visit. */
    regions: z.array(region).min(1).default(['us-east-1']),
    /** Enabled categories (default: all). */
    categories: z.array(z.string()).optional(),
    /** Which accounts to collect: an explicit list, or AWS Organizations with OU and account filters. */
    accounts: z
      .discriminatedUnion('source', [
        z.object({ source: z.literal('list'), ids: z.array(accountId).min(1) }),
        z.object({
          source: z.literal('organization'),
          organizationalUnits: z
            .array(z.string().regex(/^(ou-[a-z0-9]+-[a-z0-9]+|r-[a-z0-9]+)$/, 'must be an OU or root id'))
            .default([]),
          include: z.array(accountId).default([]),
          exclude: z.array(accountId).default([]),
        }),
      ])
      .default({ source: 'organization', organizationalUnits: [], include: [], exclude: [] }),
    /** The read-only role the hub assumes in member accounts (the member-role stack creates it). */
    memberRoleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/)
      .default('a360-member-read'),
    /** Sent when assuming the member role; required by the role's trust policy when set. */
    externalId: z.string().min(2).max(1224).optional(),
    /** Trust the hub's collector roles only from this AWS Organization (member role condition). */
    organizationId: z
      .string()
      .regex(/^o-[a-z0-9]{10,32}$/)
      .optional(),
    schedules: z
      .object({
        daily: cron.nullable().default('cron(0 2 * * ? *)'),
        monthly: cron.nullable().default('cron(0 4 2 * ? *)'),
      })
      .default({ daily: 'cron(0 2 * * ? *)', monthly: 'cron(0 4 2 * ? *)' }),
    /** The seed's multi-tenant fields, written on every account. */
    customerName: z.string().optional(),
    partnerName: z.string().optional(),
    /** Products and their accounts; account tags `a360:product` add more. */
    products: z.record(z.string().min(1), z.array(accountId)).default({}),
    /**
     * Cost Explorer bills every request. `organization`: orchestrate asks the management account once for every
     * account's cost, service usage and Marketplace figures (the hub is the management account, or
     * `managementAccount` names it and the member role there is assumed); `per-account`: each account asks.
     */
    costExplorer: z
      .object({
        source: z.enum(['organization', 'per-account']).default('per-account'),
        managementAccount: accountId.optional(),
      })
      .default({ source: 'per-account' }),
    /** Accounts that run `collect` themselves and write to the hub bucket (the seed's push model). */
    senders: z.array(accountId).default([]),
    database: z
      .object({
        name: z
          .string()
          .regex(/^[a-z_][a-z0-9_]{0,62}$/)
          .default('a360'),
        minCapacity: z.number().min(0).max(256).default(0),
        maxCapacity: z.number().min(1).max(256).default(4),
        deletionProtection: z.boolean().default(true),
      })
      .refine((d) => d.maxCapacity >= d.minCapacity, 'maxCapacity must be at least minCapacity')
      .default({ name: 'a360', minCapacity: 0, maxCapacity: 4, deletionProtection: true }),
    orchestration: z
      .object({
        /** Accounts collected at once by the Distributed Map. */
        maxConcurrency: z.number().int().min(1).max(1000).default(20),
        /** Accounts that may fail before the whole orchestration fails. */
        toleratedFailurePercentage: z.number().min(0).max(100).default(10),
      })
      .default({ maxConcurrency: 20, toleratedFailurePercentage: 10 }),
  })
  .superRefine((config, ctx) => {
    const unknown = (config.categories ?? []).filter((c) => !CATEGORY_IDS.includes(c));
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['categories'],
        message: `unknown categories ${unknown.join(', ')}; known: ${CATEGORY_IDS.join(', ')}`,
      });
    }
  });

export type A360Config = z.infer<typeof configSchema> & { readonly enabledCategories: readonly string[] };

export class InfraConfigError extends Error {
  override readonly name = 'InfraConfigError';
}

/** Validates the `a360` context value; throws one error listing every problem with its path. */
export function parseConfig(value: unknown): A360Config {
  const parsed = configSchema.safeParse(value ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `a360.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InfraConfigError(`invalid a360 configuration in cdk.json context:\n  ${problems.join('\n  ')}`);
  }
  return { ...parsed.data, enabledCategories: parsed.data.categories ?? [...CATEGORY_IDS] };
}
