import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { resolveCategories } from '../collectors/registry.ts';
import { InvalidInputError } from '../platform/errors.ts';
import { PERIODS, parsePeriod, resolveWindow, type Window } from '../platform/period.ts';
import type { Clock } from '../ports.ts';
import { snapshotKey } from '../snapshot/snapshot.ts';
import { parseInput } from './input.ts';

export const TRIGGERS = ['schedule', 'manual', 'rerun', 'backfill', 'sender'] as const;

const planInputSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  period: z
    .string()
    .refine(
      (p) => (PERIODS as readonly string[]).includes(p.toUpperCase()),
      `must be one of ${PERIODS.join(', ')}`,
    )
    .optional(),
  date: z.string().optional(),
  categories: z.array(z.string()).optional(),
  regions: z
    .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region name'))
    .min(1)
    .optional(),
  runId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,80}$/)
    .optional(),
  trigger: z.enum(TRIGGERS).optional(),
  load: z.boolean().optional(),
});
export type PlanInput = z.input<typeof planInputSchema>;

export interface CollectTask {
  readonly category: string;
  /** The Lambda that collects this category (its name locally). */
  readonly functionName: string;
}

export interface CollectPlan {
  readonly runId: string;
  readonly trigger: (typeof TRIGGERS)[number];
  readonly accountId: string;
  readonly window: Window;
  readonly regions: readonly string[];
  readonly snapshotKey: string;
  readonly startedAt: string;
  /** Whether `collect` starts `load` itself at the end (reruns from the console); runners that load next pass false. */
  readonly load: boolean;
  readonly categories: readonly CollectTask[];
}

export interface PlanDeps {
  readonly clock: Clock;
  readonly regions: readonly string[];
  /** Categories collected when the input names none (the deployment's enabled set). */
  readonly enabledCategories: readonly string[];
  readonly collectorFunction: (category: string) => string;
}

/**
 * Sortable and unique: `r-20261126T210512Z-3f9a1c07be42`. 48 random bits, so that many runs started in the same
 * second (one per account) do not collide (24 bits collided in ~3% of batches of 1,000).
 */
export function newRunId(now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  return `r-${stamp}-${randomBytes(6).toString('hex')}`;
}

/** Resolves window, categories and run id for one account: the first state of `collect`. */
export function planRun(deps: PlanDeps, input: unknown): CollectPlan {
  const parsed = parseInput(planInputSchema, input, 'collect');
  const now = deps.clock.now();
  const period = parsePeriod(parsed.period ?? 'DAILY');
  const window = resolveWindow(period, parsed.date, now);
  if (window.start > now.toISOString().slice(0, 10)) {
    throw new InvalidInputError(`date ${window.start} is in the future`);
  }
  const categories = resolveCategories(
    parsed.categories?.length ? parsed.categories : deps.enabledCategories,
  );
  return {
    runId: parsed.runId ?? newRunId(now),
    trigger: parsed.trigger ?? 'manual',
    accountId: parsed.accountId,
    window,
    regions: parsed.regions ?? deps.regions,
    snapshotKey: snapshotKey(parsed.accountId, window),
    startedAt: now.toISOString(),
    load: parsed.load ?? true,
    categories: categories.map((category) => ({ category, functionName: deps.collectorFunction(category) })),
  };
}
