import type { CollectContext, SdkClientClass } from '../../functions/collectors/types.ts';
import type { Window } from '../../functions/platform/period.ts';
import type { Log } from '../../functions/ports.ts';

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A collect context whose clients are plain SDK clients (no network: tests stub them with
 * aws-sdk-client-mock). One client per class and region, as the real factory does.
 */
export function collectContext(overrides: Partial<CollectContext> & { window: Window }): CollectContext {
  const clients = new Map<string, object>();
  return {
    accountId: '123456789012',
    regions: ['us-east-1', 'eu-west-1'],
    homeRegion: 'us-east-1',
    now: new Date('2026-11-26T06:00:00Z'),
    log: silentLog,
    clients: {
      client<C extends object>(clientClass: SdkClientClass<C>, region: string): C {
        const key = `${clientClass.name}|${region}`;
        let client = clients.get(key);
        if (!client) {
          client = new clientClass({
            region,
            credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
          } as never);
          clients.set(key, client);
        }
        return client as C;
      },
    },
    ...overrides,
  };
}

/** An SDK-shaped service error for mocks (what the SDK deserialises). */
export function serviceError(name: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
