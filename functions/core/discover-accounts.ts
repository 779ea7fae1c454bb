import { z } from 'zod';
import { resolveCategories } from '../collectors/registry.ts';
import { InvalidInputError } from '../platform/errors.ts';
import { PERIODS, parsePeriod, resolveWindow } from '../platform/period.ts';
import type { AccountDirectory, BlobStore, Clock, DirectoryAccount, Log } from '../ports.ts';
import { parseInput } from './input.ts';
import { newRunId, TRIGGERS } from './plan-run.ts';

export type AccountSource =
  | { readonly source: 'list'; readonly ids: readonly string[] }
  | {
      readonly source: 'organization';
      readonly organizationalUnits: readonly string[];
      readonly include: readonly string[];
      readonly exclude: readonly string[];
    };

export interface DiscoverDeps {
  readonly blobs: BlobStore;
  readonly clock: Clock;
  readonly log: Log;
  readonly accounts: AccountSource;
  /** Required for the organization source. */
  readonly directory?: AccountDirectory;
  readonly enabledCategories: readonly string[];
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
  /** How long an organization listing is reused (default 6 hours; 0 lists every time). */
  readonly directoryCacheMs?: number;
  /** Product name to its accounts, from the configuration; account tags `a360:product` add more. */
  readonly products?: Readonly<Record<string, readonly string[]>>;
}

/** The Organizations account tag naming the products (comma-separated) an account belongs to. */
export const PRODUCT_TAG = 'a360:product';

const accountIdSchema = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');

const discoverInputSchema = z.object({
  period: z
    .string()
    .refine(
      (p) => (PERIODS as readonly string[]).includes(p.toUpperCase()),
      `must be one of ${PERIODS.join(', ')}`,
    )
    .optional(),
  date: z.string().optional(),
  categories: z.array(z.string()).optional(),
  /** Collect exactly these accounts instead of the configured source. */
  accounts: z.array(accountIdSchema).min(1).optional(),
  runId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,80}$/)
    .optional(),
  trigger: z.enum(TRIGGERS).optional(),
});

export interface OrchestrationPlan {
  readonly runId: string;
  readonly trigger: string;
  readonly period: string;
  /** The window's first day: every account collects the same window. */
  readonly date: string;
  readonly categories: readonly string[];
  /** The S3 object (JSON array of `PlannedAccount`) the Distributed Map reads. */
  readonly accountsKey: string;
  readonly accountCount: number;
  readonly maxConcurrency: number;
  readonly toleratedFailurePercentage: number;
}

/** One item of the Distributed Map: an account and what the directory knows of it. */
export interface PlannedAccount {
  readonly accountId: string;
  readonly accountName: string | null;
  /** Its products, each with where the link comes from. */
  readonly products: ReadonlyArray<{
    readonly name: string;
    readonly source: 'config' | 'tag' | 'config+tag';
  }>;
}

/** Organizations is rate limited (ListAccounts: a few calls a second): its answers are reused for a while. */
export const DIRECTORY_CACHE_KEY = 'cache/organization-accounts.json';
export const TAGS_CACHE_KEY = 'cache/organization-account-tags.json';
/** Accounts whose tags are read at once: Organizations throttles bursts. */
const TAG_CONCURRENCY = 4;
const DEFAULT_DIRECTORY_CACHE_MS = 6 * 3_600_000;

const cachedDirectorySchema = z.object({
  fetchedAt: z.iso.datetime(),
  organizationalUnits: z.array(z.string()),
  accounts: z.array(
    z.object({ id: z.string(), name: z.string(), email: z.string().nullable(), state: z.string() }),
  ),
});

async function organizationAccounts(
  deps: DiscoverDeps,
  organizationalUnits: readonly string[],
): Promise<DirectoryAccount[]> {
  const cachedText = await deps.blobs.get(DIRECTORY_CACHE_KEY);
  const cached =
    cachedText === undefined ? undefined : cachedDirectorySchema.safeParse(JSON.parse(cachedText));
  const now = deps.clock.now();
  if (
    cached?.success &&
    JSON.stringify(cached.data.organizationalUnits) === JSON.stringify(organizationalUnits) &&
    now.getTime() - Date.parse(cached.data.fetchedAt) < (deps.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS)
  ) {
    return cached.data.accounts;
  }
  if (!deps.directory)
    throw new InvalidInputError('the organization account source needs an account directory');
  const accounts = await deps.directory.list(organizationalUnits);
  await deps.blobs.put(
    DIRECTORY_CACHE_KEY,
    JSON.stringify({ fetchedAt: now.toISOString(), organizationalUnits, accounts }),
  );
  return accounts;
}

const cachedTagsSchema = z.object({
  fetchedAt: z.iso.datetime(),
  tags: z.record(z.string(), z.record(z.string(), z.string())),
});

/** The chosen accounts' Organizations tags: cached ones while fresh, the others read (a few at a time). */
async function organizationTags(deps: DiscoverDeps, accountIds: readonly string[]) {
  const cachedText = await deps.blobs.get(TAGS_CACHE_KEY);
  const cached = cachedText === undefined ? undefined : cachedTagsSchema.safeParse(JSON.parse(cachedText));
  const now = deps.clock.now();
  const fresh =
    cached?.success &&
    now.getTime() - Date.parse(cached.data.fetchedAt) < (deps.directoryCacheMs ?? DEFAULT_DIRECTORY_CACHE_MS);
  const tags: Record<string, Record<string, string>> = fresh && cached?.success
    ? { ...cached.data.tags }
    : {};
  const missing = accountIds.filter((id) => !tags[id]);
  if (missing.length === 0) return tags;
  const directory = deps.directory;
  if (!directory) throw new InvalidInputError('the organization account source needs an account directory');
  for (let i = 0; i < missing.length; i += TAG_CONCURRENCY) {
    const batch = missing.slice(i, i + TAG_CONCURRENCY);
    const answers = await Promise.all(batch.map((id) => directory.tags(id)));
    batch.forEach((id, j) => {
      tags[id] = answers[j] ?? {};
    });
  }
  const fetchedAt = fresh && cached?.success ? cached.data.fetchedAt : now.toISOString();
  await deps.blobs.put(TAGS_CACHE_KEY, JSON.stringify({ fetchedAt, tags }));
  return tags;
}

/** The configuration's products and the `a360:product` tag's, merged per account. */
function productsOf(
  accountId: string,
  configured: Readonly<Record<string, readonly string[]>>,
  tags: Readonly<Record<string, string>> | undefined,
): PlannedAccount['products'] {
  const fromConfig = Object.entries(configured)
    .filter(([, ids]) => ids.includes(accountId))
    .map(([name]) => name.trim());
  const fromTag = (tags?.[PRODUCT_TAG] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const names = [...new Set([...fromConfig, ...fromTag])].sort();
  return names.map((name) => ({
    name,
    source: fromConfig.includes(name) ? (fromTag.includes(name) ? 'config+tag' : 'config') : 'tag',
  }));
}

/**
 * The first state of `orchestrate`: one run id and window for every account, the accounts to collect (the
 * input's list, the configured list, or the organization's ACTIVE accounts in the configured OUs, plus
 * `include`, minus `exclude`), written to S3 for the Distributed Map.
 */
export async function discoverAccounts(deps: DiscoverDeps, input: unknown): Promise<OrchestrationPlan> {
  const request = parseInput(discoverInputSchema, input ?? {}, 'orchestrate');
  const now = deps.clock.now();
  const period = parsePeriod(request.period ?? 'DAILY');
  const window = resolveWindow(period, request.date, now);
  const categories = resolveCategories(
    request.categories?.length ? request.categories : deps.enabledCategories,
  );
  const configured = deps.products ?? {};
  let accounts: PlannedAccount[];
  const unnamed = (ids: readonly string[]) =>
    [...new Set(ids)].map((accountId) => ({
      accountId,
      accountName: null,
      products: productsOf(accountId, configured, undefined),
    }));
  if (request.accounts) {
    accounts = unnamed(request.accounts);
  } else if (deps.accounts.source === 'list') {
    accounts = unnamed(deps.accounts.ids);
  } else {
    const { organizationalUnits, include, exclude } = deps.accounts;
    const listed = await organizationAccounts(deps, organizationalUnits);
    const everyone = organizationalUnits.length > 0 ? await organizationAccounts(deps, []) : listed;
    const byId = new Map(everyone.map((a) => [a.id, a]));
    const chosen = new Map(listed.map((a) => [a.id, a]));
    for (const id of include) {
      const account = byId.get(id);
      if (account) chosen.set(id, account);
      else deps.log.warn('included account is not in the organization', { accountId: id });
    }
    for (const id of exclude) chosen.delete(id);
    const inactive = [...chosen.values()].filter((a) => a.state !== 'ACTIVE');
    if (inactive.length > 0) {
      deps.log.info('skipping accounts that are not ACTIVE', {
        accounts: inactive.map((a) => `${a.id}:${a.state}`),
      });
    }
    const active = [...chosen.values()]
      .filter((a) => a.state === 'ACTIVE')
      .sort((a, b) => a.id.localeCompare(b.id));
    const tags = await organizationTags(
      deps,
      active.map((a) => a.id),
    );
    accounts = active.map((a) => ({
      accountId: a.id,
      accountName: a.name,
      products: productsOf(a.id, configured, tags[a.id]),
    }));
  }
  if (accounts.length === 0)
    throw new InvalidInputError('no accounts to collect: the account source is empty');
  const runId = request.runId ?? newRunId(now);
  const accountsKey = `orchestration/${runId}/accounts.json`;
  await deps.blobs.put(accountsKey, JSON.stringify(accounts));
  return {
    runId,
    trigger: request.trigger ?? 'schedule',
    period,
    date: window.start,
    categories,
    accountsKey,
    accountCount: accounts.length,
    maxConcurrency: deps.maxConcurrency,
    toleratedFailurePercentage: deps.toleratedFailurePercentage,
  };
}
