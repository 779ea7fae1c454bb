import type { Clock } from '../../../ports.ts';
import { type Fault, SampleOrganization } from './organization.ts';
import { accountSimulator } from './services/account.ts';
import { cloudFrontSimulator } from './services/cloudfront.ts';
import { costExplorerSimulator } from './services/cost-explorer.ts';
import { organizationsSimulator } from './services/organizations.ts';
import { securityHubSimulator } from './services/security-hub.ts';
import { wafv2Simulator } from './services/wafv2.ts';
import type { ServiceSimulator } from './simulator.ts';

/** Every AWS service the implemented categories call, as the sample organization answers it. */
export const SAMPLE_SIMULATORS: readonly ServiceSimulator[] = [
  accountSimulator,
  organizationsSimulator,
  costExplorerSimulator,
  securityHubSimulator,
  wafv2Simulator,
  cloudFrontSimulator,
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
