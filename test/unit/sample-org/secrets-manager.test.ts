import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';
import { sampleKeys } from '../../../functions/adapters/local/sample-org/services/kms.ts';
import {
  sampleSecrets,
  secretsManagerSimulator,
} from '../../../functions/adapters/local/sample-org/services/secrets-manager.ts';
import type { SampleCall, ServiceSimulator } from '../../../functions/adapters/local/sample-org/simulator.ts';
import {
  type SecretsManagerPayload,
  secretsManagerCollector,
} from '../../../functions/collectors/secrets-manager.ts';
import { secretsManagerLoader } from '../../../functions/loaders/secrets-manager.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [secretsManagerSimulator];
const DAY_MS = 86_400_000;

/** The simulator, recording every call it answers. */
function recorded(): { simulators: ServiceSimulator[]; calls: SampleCall[] } {
  const calls: SampleCall[] = [];
  const spied: ServiceSimulator = {
    ...secretsManagerSimulator,
    operations: {
      ListSecrets: (call: SampleCall) => {
        calls.push(call);
        return (secretsManagerSimulator.operations.ListSecrets as (c: SampleCall) => object)(call);
      },
    },
  };
  return { simulators: [spied], calls };
}

const accounts = sampleAccounts(20, SAMPLE_REGIONS);
const production = accounts[6] as (typeof accounts)[number];

function listSecrets(input: object, region = 'us-east-1', account = production) {
  return (secretsManagerSimulator.operations.ListSecrets as (c: SampleCall) => object)({
    account,
    region,
    service: 'SecretsManager',
    operation: 'ListSecrets',
    input,
    now,
    accounts,
    regions: SAMPLE_REGIONS,
  }) as { SecretList: Array<Record<string, unknown>>; NextToken?: string };
}
const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('no error');
};
const arnsOf = (payload: SecretsManagerPayload) => new Set(payload.secrets_manager.map((s) => s.arn));

describe('secrets-manager collector against the sample organization', () => {
  it('collects a production account: database credentials rotated by a Lambda, API keys, replicas', async () => {
    const { simulators: spied, calls } = recorded();
    const { result, stats, account } = await collectFromSample(secretsManagerCollector, {
      simulators: spied,
      window,
      now,
      accounts: 20,
    });
    expect(account.environment).toBe('production');
    expect(secretsManagerCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(result.regions).toEqual(
      Object.fromEntries(SAMPLE_REGIONS.map((r) => [r, { status: 'SUCCEEDED' }])),
    );
    expect(stats.apiCalls).toBe(calls.length);
    const home = calls.filter((c) => c.region === 'us-east-1');
    expect(home.length).toBeGreaterThanOrEqual(3);
    expect(home.slice(1).every((c) => typeof c.input.NextToken === 'string')).toBe(true);

    const secrets = result.payload.secrets_manager;
    expect(result.rows).toBe(secrets.length);
    for (const region of SAMPLE_REGIONS) {
      const mine = secrets.filter((s) => s.region === region);
      expect(mine.length).toBeGreaterThan(0);
      const inventory = regionInventory(account, region, SAMPLE_REGIONS, now);
      const functions = new Set(inventory.functions.map((f) => f.arn));
      const databases = inventory.databases.map((d) => d.identifier);
      const keys = new Set(sampleKeys(account, region, SAMPLE_REGIONS, now).map((k) => k.arn));
      for (const secret of mine) {
        expect(secret.arn).toMatch(
          new RegExp(
            `^arn:aws:secretsmanager:${region}:${account.id}:secret:${secret.name.replace(/[!/]/g, '\\$&')}-[A-Za-z0-9]{6}$`,
          ),
        );
        expect(secret.created_date !== null && secret.created_date <= now.toISOString()).toBe(true);
        if (secret.kms_key_id !== null) expect(keys.has(secret.kms_key_id)).toBe(true);
        if (secret.rotation_enabled && secret.owning_service === null) {
          expect(functions.has(secret.rotation_lambda_arn as string)).toBe(true);
          expect(secret.next_rotation_date !== null && secret.next_rotation_date > now.toISOString()).toBe(
            true,
          );
        }
      }
      const appUsers = mine.filter((s) => s.name.endsWith('/app-user')).map((s) => s.name.split('/')[1]);
      expect(appUsers.sort()).toEqual([...databases].sort());
    }
    const database = secrets.find((s) => s.name.endsWith('/app-user') && s.rotation_enabled);
    expect(database?.last_rotated_date).not.toBeNull();
    expect(database?.last_changed_date).toBe(database?.last_rotated_date);
    const managed = secrets.filter((s) => s.owning_service === 'rds');
    expect(managed.length).toBeGreaterThan(0);
    for (const secret of managed) {
      expect(secret.name).toMatch(/^rds!db-[0-9a-f-]{36}$/);
      expect(secret.rotation_lambda_arn).toBeNull();
      expect(secret.description).toBe(
        `Secret associated with primary RDS DB instance: ${secret.tags['aws:rds:primaryDBInstanceArn']}`,
      );
    }
    const apiKeys = secrets.filter((s) => s.name.startsWith(`prod/${account.product}/`));
    expect(apiKeys.length).toBeGreaterThan(5);
    expect(apiKeys.filter((s) => !s.rotation_enabled).length).toBe(apiKeys.length);
    const replicas = secrets.filter((s) => s.primary_region === 'us-east-1' && s.region === 'eu-west-1');
    expect(replicas.length).toBeGreaterThan(0);
    for (const replica of replicas) {
      expect(secrets.some((s) => s.region === 'us-east-1' && s.name === replica.name)).toBe(true);
    }
  });

  it('is deterministic', async () => {
    const a = await collectFromSample(secretsManagerCollector, { simulators, window, now });
    const b = await collectFromSample(secretsManagerCollector, { simulators, window, now });
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it('has secrets in at least 18 of the first 20 accounts, across several regions', async () => {
    let withSecrets = 0;
    const regions = new Set<string>();
    for (let index = 0; index < 20; index++) {
      const { result } = await collectFromSample(secretsManagerCollector, {
        simulators,
        window,
        now,
        accounts: 20,
        accountIndex: index,
      });
      if (result.payload.secrets_manager.length > 0) withSecrets++;
      for (const secret of result.payload.secrets_manager) regions.add(secret.region);
    }
    expect(withSecrets).toBeGreaterThanOrEqual(18);
    expect([...regions].sort()).toEqual([...SAMPLE_REGIONS].sort());
  });

  it('leaves out secrets scheduled for deletion unless asked, and they disappear from one day to the next', async () => {
    let planned = 0;
    for (const account of accounts) {
      for (const region of SAMPLE_REGIONS) {
        const all = sampleSecrets(account, region, SAMPLE_REGIONS, now);
        planned += all.filter((s) => s.deletedAt !== null && s.deletedAt <= now).length;
      }
    }
    expect(planned).toBeGreaterThan(0);
    const withPlanned = accounts.find((account) =>
      sampleSecrets(account, 'us-east-1', SAMPLE_REGIONS, now).some(
        (s) => s.deletedAt !== null && s.deletedAt <= now,
      ),
    );
    if (!withPlanned) throw new Error('no secret scheduled for deletion in us-east-1');
    const everything = (include: boolean) => {
      const names: Array<Record<string, unknown>> = [];
      let token: string | undefined;
      do {
        const page = listSecrets(
          { IncludePlannedDeletion: include, ...(token ? { NextToken: token } : {}) },
          'us-east-1',
          withPlanned,
        );
        names.push(...page.SecretList);
        token = page.NextToken;
      } while (token);
      return names;
    };
    const kept = everything(false);
    const all = everything(true);
    expect(all.length).toBeGreaterThan(kept.length);
    expect(kept.every((s) => s.DeletedDate === undefined)).toBe(true);
    expect(all.filter((s) => s.DeletedDate !== undefined)).toHaveLength(all.length - kept.length);

    let gone = 0;
    for (const index of [3, 4, 5, 6, 7, 8, 9, 10]) {
      const options = { simulators, window, accounts: 20, accountIndex: index };
      const today = await collectFromSample(secretsManagerCollector, { ...options, now });
      const tomorrow = await collectFromSample(secretsManagerCollector, {
        ...options,
        now: new Date(now.getTime() + DAY_MS),
      });
      const next = arnsOf(tomorrow.result.payload);
      gone += [...arnsOf(today.result.payload)].filter((arn) => !next.has(arn)).length;
    }
    expect(gone).toBeGreaterThan(0);
  });

  it.each([
    ['not-enabled', SourceAccessError],
    ['access-denied', SourceAccessError],
    ['malformed', DataContractError],
    ['throttle', TransientError],
  ] as const)('answers the %s fault as AWS does', async (kind, type) => {
    await expect(
      collectFromSample(secretsManagerCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'secrets-manager', kind }],
      }),
    ).rejects.toBeInstanceOf(type);
  });
});

describe('the sample Secrets Manager validates requests as AWS does', () => {
  it('rejects MaxResults out of range, a token it did not issue and a token of another request', () => {
    expect(errorOf(() => listSecrets({ MaxResults: 101 })).name).toBe('ValidationException');
    expect(errorOf(() => listSecrets({ MaxResults: 0 })).name).toBe('ValidationException');
    expect(errorOf(() => listSecrets({ NextToken: 'made-up' }))).toEqual({
      name: 'InvalidNextTokenException',
      message: 'The NextToken value is invalid.',
    });
    const first = listSecrets({ MaxResults: 100 });
    expect(first.SecretList).toHaveLength(8);
    expect(errorOf(() => listSecrets({ MaxResults: 50, NextToken: first.NextToken })).name).toBe(
      'InvalidNextTokenException',
    );
    expect(errorOf(() => listSecrets({ SortOrder: 'up' })).name).toBe('ValidationException');
  });

  it('sorts by creation date, newest first on request', () => {
    const created = (input: object) => {
      const dates: number[] = [];
      let token: string | undefined;
      do {
        const page = listSecrets({ ...input, ...(token ? { NextToken: token } : {}) });
        dates.push(...page.SecretList.map((s) => (s.CreatedDate as Date).getTime()));
        token = page.NextToken;
      } while (token);
      return dates;
    };
    const ascending = created({});
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    expect(created({ SortOrder: 'desc' })).toEqual([...ascending].reverse());
  });
});

describe.each(databaseBackends())('sample secrets in the database on $name', (backend) => {
  const db = useDatabase(backend);

  it('loads a production account and finds the secrets without rotation', async () => {
    const { result, account } = await collectFromSample(secretsManagerCollector, { simulators, window, now });
    await db.sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', {
      id: account.id,
      name: account.name,
    });
    await db.sql.transaction((tx) =>
      secretsManagerLoader.load(tx, result.payload, {
        accountId: account.id,
        window,
        runId: 'r-sample',
        seenAt: now,
        completeRegions: 'all',
      }),
    );
    const rows = await db.sql.query<{ rotation_enabled: boolean; secrets: number }>(
      `SELECT rotation_enabled, count(*)::int AS secrets FROM secrets_manager_secrets WHERE account_id = :a
       GROUP BY rotation_enabled ORDER BY rotation_enabled`,
      { a: account.id },
    );
    const secrets = result.payload.secrets_manager;
    expect(rows).toEqual([
      { rotation_enabled: false, secrets: secrets.filter((s) => !s.rotation_enabled).length },
      { rotation_enabled: true, secrets: secrets.filter((s) => s.rotation_enabled).length },
    ]);
  });
});
