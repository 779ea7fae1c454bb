import type { Clock } from '../../../ports.ts';
import { type Fault, SampleOrganization } from './organization.ts';
import { accountSimulator } from './services/account.ts';
import { acmSimulator } from './services/acm.ts';
import { applicationSignalsSimulator } from './services/application-signals.ts';
import { autoScalingSimulator } from './services/auto-scaling.ts';
import { cloudFrontSimulator } from './services/cloudfront.ts';
import { cloudTrailSimulator } from './services/cloudtrail.ts';
import { computeOptimizerSimulator } from './services/compute-optimizer.ts';
import { configServiceSimulator } from './services/config-service.ts';
import { costExplorerSimulator } from './services/cost-explorer.ts';
import { costExplorerMarketplaceOperations } from './services/cost-explorer-marketplace.ts';
import {
  costExplorerReservationOperations,
  malformCostExplorerReservations,
} from './services/cost-explorer-reservations.ts';
import { ec2Simulator } from './services/ec2.ts';
import { elasticLoadBalancingV2Simulator } from './services/elastic-load-balancing-v2.ts';
import { guardDutySimulator } from './services/guardduty.ts';
import { healthSimulator } from './services/health.ts';
import { inspector2Simulator } from './services/inspector2.ts';
import { kmsSimulator } from './services/kms.ts';
import { lambdaSimulator } from './services/lambda.ts';
import { organizationsSimulator } from './services/organizations.ts';
import { rdsSimulator } from './services/rds.ts';
import { resilienceHubSimulator } from './services/resiliencehub.ts';
import { s3Simulator } from './services/s3.ts';
import { savingsPlansSimulator } from './services/savingsplans.ts';
import { secretsManagerSimulator } from './services/secrets-manager.ts';
import { securityHubSimulator } from './services/security-hub.ts';
import { ssmSimulator } from './services/ssm.ts';
import { supportSimulator } from './services/support.ts';
import { trustedAdvisorSimulator } from './services/trustedadvisor.ts';
import { wafv2Simulator } from './services/wafv2.ts';
import type { ServiceSimulator } from './simulator.ts';

/** Cost Explorer answers several categories: spend (cost, service-usage), Marketplace spend, reservations. */
const costExplorer: ServiceSimulator = {
  ...costExplorerSimulator,
  operations: {
    ...costExplorerSimulator.operations,
    ...costExplorerReservationOperations,
    ...costExplorerMarketplaceOperations,
  },
  malform: (operation, output) =>
    malformCostExplorerReservations(operation, output) ?? costExplorerSimulator.malform(operation, output),
};

/** Every AWS service the implemented categories call, as the sample organization answers it. */
export const SAMPLE_SIMULATORS: readonly ServiceSimulator[] = [
  accountSimulator,
  organizationsSimulator,
  costExplorer,
  savingsPlansSimulator,
  computeOptimizerSimulator,
  trustedAdvisorSimulator,
  securityHubSimulator,
  wafv2Simulator,
  cloudFrontSimulator,
  ec2Simulator,
  rdsSimulator,
  s3Simulator,
  elasticLoadBalancingV2Simulator,
  autoScalingSimulator,
  lambdaSimulator,
  guardDutySimulator,
  inspector2Simulator,
  kmsSimulator,
  secretsManagerSimulator,
  acmSimulator,
  ssmSimulator,
  cloudTrailSimulator,
  configServiceSimulator,
  healthSimulator,
  applicationSignalsSimulator,
  resilienceHubSimulator,
  supportSimulator,
];

export const DEFAULT_SAMPLE_ACCOUNTS = 5;
export const DEFAULT_SAMPLE_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'] as const;

export function createSampleOrganization(options: {
  accounts?: number;
  regions?: readonly string[];
  faults?: readonly Fault[];
  clock?: Clock;
}): SampleOrganization {
  return new SampleOrganization({
    accounts: options.accounts ?? DEFAULT_SAMPLE_ACCOUNTS,
    regions: options.regions ?? DEFAULT_SAMPLE_REGIONS,
    simulators: SAMPLE_SIMULATORS,
    faults: options.faults ?? [],
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
