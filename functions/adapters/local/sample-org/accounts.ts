import { Random } from './random.ts';

export type Environment = 'management' | 'security' | 'production' | 'staging' | 'development' | 'sandbox';

export interface SampleAccount {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly environment: Environment;
  /** The product (workload) the account belongs to, if any. */
  readonly product: string | null;
  readonly joinedAt: Date;
  /** Relative size of the workload: scales spend and resource counts. */
  readonly scale: number;
  /** Services switched off in this account by design (they answer "not enabled"). */
  readonly disabledServices: ReadonlySet<string>;
  /** Regions where Security Hub is not enabled even though it is on elsewhere. */
  readonly securityHubOffRegions: ReadonlySet<string>;
}

export const SAMPLE_ORGANIZATION_ID = 'o-a360sample1';

/** Regions disabled in an account until it opts in; every call there fails as AWS fails it. */
export const OPT_IN_REGIONS: ReadonlySet<string> = new Set([
  'af-south-1',
  'ap-east-1',
  'ap-south-2',
  'ap-southeast-3',
  'ap-southeast-4',
  'ca-west-1',
  'eu-central-2',
  'eu-south-1',
  'eu-south-2',
  'il-central-1',
  'me-central-1',
  'me-south-1',
]);

/** Whether an account has a region: standard regions always, an opt-in region for about 40% of accounts. */
export function isRegionEnabled(account: SampleAccount, region: string): boolean {
  return !OPT_IN_REGIONS.has(region) || new Random(account.id, 'opt-in', region).chance(0.4);
}
export const SAMPLE_MANAGEMENT_ACCOUNT_INDEX = 0;

const PLATFORM_ACCOUNTS: ReadonlyArray<{ name: string; environment: Environment }> = [
  { name: 'org-management', environment: 'management' },
  { name: 'security-tooling', environment: 'security' },
  { name: 'log-archive', environment: 'security' },
  { name: 'network-hub', environment: 'production' },
  { name: 'shared-services', environment: 'production' },
];

const PRODUCTS = [
  'payments',
  'checkout',
  'identity',
  'data-platform',
  'search',
  'mobile-api',
  'analytics',
  'logistics',
  'catalog',
  'billing',
  'notifications',
  'ml-platform',
];

const WORKLOAD_ENVIRONMENTS: ReadonlyArray<{ suffix: string; environment: Environment }> = [
  { suffix: 'prod', environment: 'production' },
  { suffix: 'staging', environment: 'staging' },
  { suffix: 'dev', environment: 'development' },
];

const SCALE: Record<Environment, [number, number]> = {
  management: [0.6, 1.2],
  security: [0.4, 0.9],
  production: [2.5, 8],
  staging: [0.8, 2],
  development: [0.3, 1],
  sandbox: [0.05, 0.3],
};

/** The deterministic accounts of a sample organization of `count` accounts. */
export function sampleAccounts(count: number, regions: readonly string[], seed = 'a360'): SampleAccount[] {
  const random = new Random(seed, 'accounts');
  const ids = new Set<string>();
  const accounts: SampleAccount[] = [];
  for (let index = 0; index < count; index++) {
    let id: string;
    do id = `${random.int(1, 9)}${random.digits(11)}`;
    while (ids.has(id));
    ids.add(id);
    const { name, environment, product } = accountIdentity(index);
    const [low, high] = SCALE[environment];
    const joinedDaysAgo = index === 0 ? 2400 : random.int(30, 2200);
    const disabled = new Set<string>();
    if (environment === 'sandbox') disabled.add('securityhub');
    const offRegions = new Set<string>();
    if (environment === 'development' && regions.length > 1 && random.chance(0.5)) {
      offRegions.add(regions[regions.length - 1] as string);
    }
    accounts.push({
      index,
      id,
      name,
      email: `aws+${name}@example.com`,
      environment,
      product,
      joinedAt: new Date(Date.UTC(2026, 0, 1) - joinedDaysAgo * 86_400_000),
      scale: Math.round(random.float(low, high) * 100) / 100,
      disabledServices: disabled,
      securityHubOffRegions: offRegions,
    });
  }
  return accounts;
}

function accountIdentity(index: number): { name: string; environment: Environment; product: string | null } {
  if (index < PLATFORM_ACCOUNTS.length) {
    const platform = PLATFORM_ACCOUNTS[index] as { name: string; environment: Environment };
    return { ...platform, product: null };
  }
  const n = index - PLATFORM_ACCOUNTS.length;
  // Every tenth workload slot is a personal sandbox, the rest cycle products x environments.
  if (n % 10 === 9) {
    return {
      name: `sandbox-${String(Math.floor(n / 10) + 1).padStart(2, '0')}`,
      environment: 'sandbox',
      product: null,
    };
  }
  const slot = n - Math.floor((n + 1) / 10);
  const product = PRODUCTS[slot % PRODUCTS.length] as string;
  const env = WORKLOAD_ENVIRONMENTS[Math.floor(slot / PRODUCTS.length) % WORKLOAD_ENVIRONMENTS.length] as {
    suffix: string;
    environment: Environment;
  };
  const round = Math.floor(slot / (PRODUCTS.length * WORKLOAD_ENVIRONMENTS.length));
  const name = `${product}-${env.suffix}${round > 0 ? `-${round + 1}` : ''}`;
  return { name, environment: env.environment, product };
}
