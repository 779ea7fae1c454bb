import { createClientFactory } from '../../functions/adapters/aws/clients.ts';
import { type Fault, SampleOrganization } from '../../functions/adapters/local/sample-org/organization.ts';
import type { ServiceSimulator } from '../../functions/adapters/local/sample-org/simulator.ts';
import type { CallStats, CategoryCollector, CollectContext } from '../../functions/collectors/types.ts';
import type { Window } from '../../functions/platform/period.ts';
import { silentLog } from './collect-context.ts';

export const SAMPLE_REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

/**
 * Runs a collector's real code against the sample organization through real SDK clients, as the local
 * pipeline does; returns the result and the call counts the middleware measured.
 */
export async function collectFromSample<P>(
  collector: CategoryCollector<P>,
  options: {
    simulators: readonly ServiceSimulator[];
    window: Window;
    now: Date;
    accountIndex?: number;
    accounts?: number;
    faults?: readonly Fault[];
    runId?: string;
  },
) {
  const org = new SampleOrganization({
    accounts: options.accounts ?? 12,
    regions: SAMPLE_REGIONS,
    simulators: options.simulators,
    faults: options.faults ?? [],
    clock: { now: () => options.now },
  });
  const account = org.accounts[options.accountIndex ?? 6];
  if (!account) throw new Error('no such sample account');
  const stats: CallStats = { apiCalls: 0, throttled: 0 };
  const clients = createClientFactory(
    org.clientOptions(),
    { accountId: account.id, category: collector.id, runId: options.runId ?? 'r-sample' },
    stats,
  );
  const ctx: CollectContext = {
    accountId: account.id,
    window: options.window,
    regions: collector.scope === 'regional' ? SAMPLE_REGIONS : ['us-east-1'],
    homeRegion: 'us-east-1',
    clients,
    now: options.now,
    log: silentLog,
  };
  const result = await collector.collect(ctx);
  return { result, stats, account, org };
}
