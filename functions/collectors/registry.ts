import { accountLoader } from '../loaders/account.ts';
import { acmLoader } from '../loaders/acm.ts';
import { applicationSignalsLoader } from '../loaders/application-signals.ts';
import { cloudtrailLoader } from '../loaders/cloudtrail.ts';
import { computeOptimizerLoader } from '../loaders/compute-optimizer.ts';
import { configLoader } from '../loaders/config.ts';
import { costLoader } from '../loaders/cost.ts';
import { guarddutyLoader } from '../loaders/guardduty.ts';
import { healthLoader } from '../loaders/health.ts';
import { inspectorLoader } from '../loaders/inspector.ts';
import { kmsLoader } from '../loaders/kms.ts';
import { marketplaceLoader } from '../loaders/marketplace.ts';
import { reservationsLoader } from '../loaders/reservations.ts';
import { resilienceHubLoader } from '../loaders/resilience-hub.ts';
import { resourcesLoader } from '../loaders/resources.ts';
import { secretsManagerLoader } from '../loaders/secrets-manager.ts';
import { securityHubLoader } from '../loaders/security-hub.ts';
import { serviceUsageLoader } from '../loaders/service-usage.ts';
import { ssmInventoryLoader } from '../loaders/ssm-inventory.ts';
import { supportCasesLoader } from '../loaders/support-cases.ts';
import { trustedAdvisorLoader } from '../loaders/trusted-advisor.ts';
import type { CategoryLoader } from '../loaders/types.ts';
import { wafLoader } from '../loaders/waf.ts';
import { InvalidInputError } from '../platform/errors.ts';
import { accountCollector } from './account.ts';
import { acmCollector } from './acm.ts';
import { applicationSignalsCollector } from './application-signals.ts';
import { cloudtrailCollector } from './cloudtrail.ts';
import { computeOptimizerCollector } from './compute-optimizer.ts';
import { configCollector } from './config.ts';
import { costCollector } from './cost.ts';
import { guarddutyCollector } from './guardduty.ts';
import { healthCollector } from './health.ts';
import { inspectorCollector } from './inspector.ts';
import { kmsCollector } from './kms.ts';
import { marketplaceCollector } from './marketplace.ts';
import { reservationsCollector } from './reservations.ts';
import { resilienceHubCollector } from './resilience-hub.ts';
import { resourcesCollector } from './resources.ts';
import { secretsManagerCollector } from './secrets-manager.ts';
import { securityHubCollector } from './security-hub.ts';
import { serviceUsageCollector } from './service-usage.ts';
import { ssmInventoryCollector } from './ssm-inventory.ts';
import { supportCasesCollector } from './support-cases.ts';
import { trustedAdvisorCollector } from './trusted-advisor.ts';
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
  category(reservationsCollector, reservationsLoader),
  category(securityHubCollector, securityHubLoader),
  category(guarddutyCollector, guarddutyLoader),
  category(inspectorCollector, inspectorLoader),
  category(kmsCollector, kmsLoader),
  category(wafCollector, wafLoader),
  category(cloudtrailCollector, cloudtrailLoader),
  category(secretsManagerCollector, secretsManagerLoader),
  category(acmCollector, acmLoader),
  category(configCollector, configLoader),
  category(ssmInventoryCollector, ssmInventoryLoader),
  category(resourcesCollector, resourcesLoader),
  category(computeOptimizerCollector, computeOptimizerLoader),
  category(marketplaceCollector, marketplaceLoader),
  category(trustedAdvisorCollector, trustedAdvisorLoader),
  category(healthCollector, healthLoader),
  category(applicationSignalsCollector, applicationSignalsLoader),
  category(resilienceHubCollector, resilienceHubLoader),
  category(supportCasesCollector, supportCasesLoader),
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
