import { accountLoader } from '../loaders/account.ts';
import { costLoader } from '../loaders/cost.ts';
import { securityHubLoader } from '../loaders/security-hub.ts';
import { serviceUsageLoader } from '../loaders/service-usage.ts';
import type { CategoryLoader } from '../loaders/types.ts';
import { wafLoader } from '../loaders/waf.ts';
import { InvalidInputError } from '../platform/errors.ts';
import { accountCollector } from './account.ts';
import { costCollector } from './cost.ts';
import { securityHubCollector } from './security-hub.ts';
import { serviceUsageCollector } from './service-usage.ts';
import type { CategoryCollector } from './types.ts';
import { wafCollector } from './waf.ts';

export interface Category<P = unknown> {
  readonly collector: CategoryCollector<P>;
  readonly loader: CategoryLoader<P>;
}

function category<P>(collector: CategoryCollector<P>, loader: CategoryLoader<P>): Category {
  return { collector, loader } as Category;
}

/** The single list of data categories, in the order runs show them. */
export const REGISTRY: readonly Category[] = [
  category(accountCollector, accountLoader),
  category(costCollector, costLoader),
  category(serviceUsageCollector, serviceUsageLoader),
  category(securityHubCollector, securityHubLoader),
  category(wafCollector, wafLoader),
];

export const CATEGORY_IDS: readonly string[] = REGISTRY.map((c) => c.collector.id);

export function getCategory(id: string): Category {
  const found = REGISTRY.find((c) => c.collector.id === id);
  if (!found) {
    throw new InvalidInputError(`unknown category "${id}"; known categories: ${CATEGORY_IDS.join(', ')}`);
  }
  return found;
}

/** Validates a category list (from input or the CLI), keeping registry order and dropping duplicates. */
export function resolveCategories(requested: readonly string[] | undefined): string[] {
  if (!requested || requested.length === 0) return [...CATEGORY_IDS];
  const unknown = requested.filter((id) => !CATEGORY_IDS.includes(id));
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `unknown categor${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((u) => `"${u}"`).join(', ')}; known categories: ${CATEGORY_IDS.join(', ')}`,
    );
  }
  return CATEGORY_IDS.filter((id) => requested.includes(id));
}
