import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PipelineDeps, runOrchestrate } from '../../../functions/adapters/local/pipeline.ts';
import { auroraTarget, dashboardCommand } from '../../../functions/cli/commands/dashboard.ts';
import type { Output } from '../../../functions/cli/render.ts';
import { migrate, readSchemaFiles } from '../../../functions/core/migrate.ts';
import { a360 } from '../../support/cli.ts';
import {
  createDataApiOnPglite,
  type DataApiOnPglite,
  STAND_IN_TARGET,
} from '../../support/data-api-on-pglite.ts';
import { testPipeline } from '../../support/pipeline.ts';

function capture(): { output: Output; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    output: {
      isTTY: false,
      write: (text) => {
        out += text;
      },
      error: (text) => {
        err += text;
      },
    },
    out: () => out,
    err: () => err,
  };
}

/** Runs the command until `work` is done with the server's URL; returns the exit status. */
async function withDashboard(
  argv: string[],
  env: NodeJS.ProcessEnv,
  work: (url: string) => Promise<void>,
  hooks: Parameters<typeof dashboardCommand>[2] = {},
): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  let stop: () => void = () => undefined;
  const until = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let onListening: (url: string) => void = () => undefined;
  const listening = new Promise<string>((resolve) => {
    onListening = resolve;
  });
  const done = dashboardCommand(argv, { output: io.output, env }, { ...hooks, until, onListening });
  try {
    const url = await Promise.race([listening, done.then(() => undefined)]);
    if (url) await work(url);
  } finally {
    stop();
  }
  const code = await done;
  return { code, out: io.out(), err: io.err() };
}

describe('a360 dashboard options', () => {
  it('builds the Aurora target from options or the environment', () => {
    expect(auroraTarget({}, {})).toBeUndefined();
    expect(
      auroraTarget(
        {},
        { A360_CLUSTER_ARN: STAND_IN_TARGET.resourceArn, A360_SECRET_ARN: STAND_IN_TARGET.secretArn },
      ),
    ).toEqual({ ...STAND_IN_TARGET, database: 'a360' });
    expect(
      auroraTarget(
        { clusterArn: STAND_IN_TARGET.resourceArn, secretArn: STAND_IN_TARGET.secretArn, database: 'other' },
        { A360_DATABASE: 'ignored' },
      ),
    ).toEqual({ ...STAND_IN_TARGET, database: 'other' });
    expect(() => auroraTarget({ clusterArn: STAND_IN_TARGET.resourceArn }, {})).toThrow(/secret ARN/);
    expect(() => auroraTarget({ clusterArn: 'cluster-1', secretArn: STAND_IN_TARGET.secretArn }, {})).toThrow(
      /not an Aurora cluster ARN/,
    );
    expect(() => auroraTarget({ database: 'a360' }, {})).toThrow(/--database goes with/);
  });

  it('rejects bad options through the CLI', async () => {
    expect((await a360(['dashboard', '--port', '99999'])).err).toMatch(/--port must be a whole number/);
    expect((await a360(['dashboard', '--colour', 'blue'])).err).toMatch(/unknown option --colour/);
    expect((await a360(['help'])).out).toContain('a360 dashboard [--port N]');
  });
});

describe('a360 dashboard on the local database', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'a360-dashboard-cmd-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('serves PGlite from the state dir and releases it when stopped', async () => {
    const result = await withDashboard(['--port', '0', '--state-dir', stateDir], {}, async (url) => {
      const response = await fetch(`${url}/api/overview`);
      // Nothing has run in this state dir: the views do not exist yet.
      expect(response.status).toBe(503);
    });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/a360 dashboard.* on http:\/\/127\.0\.0\.1:\d+\/overview/);
    expect(result.out).toContain(`PGlite in ${join(stateDir, 'pglite')}`);
    // The lock is released: another command can open the state dir.
    expect((await a360(['db', 'migrate', '--state-dir', stateDir])).code).toBe(0);
  });
});

describe('a360 dashboard on Aurora through the Data API (a stand-in, no AWS call)', () => {
  let standIn: DataApiOnPglite;
  beforeAll(async () => {
    standIn = await createDataApiOnPglite();
    await migrate(standIn.sql, await readSchemaFiles());
    // Two days of a few categories, one account at a time: the stand-in has a single PGlite session.
    for (const day of ['2026-11-23', '2026-11-24']) {
      for (const category of ['account', 'cost', 'service-usage']) {
        const pipeline = testPipeline(standIn.sql, { accounts: 5, now: new Date(`${day}T23:00:00Z`) });
        const orchestration = pipeline.deps.orchestration as NonNullable<PipelineDeps['orchestration']>;
        const deps = { ...pipeline.deps, orchestration: { ...orchestration, maxConcurrency: 1 } };
        const input = { runId: `r-dashboard-${day}-${category}`, date: day, categories: [category] };
        const execution = await runOrchestrate(deps, input, { retryIntervalMs: 0 });
        const failed = await standIn.sql.query(
          "SELECT category, error_message FROM run_categories WHERE status <> 'SUCCEEDED' LIMIT 1",
        );
        if (execution.status !== 'SUCCEEDED')
          throw new Error(`${category} ${day}: ${JSON.stringify(failed)}`);
      }
    }
  }, 180_000);
  afterAll(async () => {
    await standIn?.close();
  });

  it('reads the views through ExecuteStatement with the filters as Data API parameters', async () => {
    standIn.calls.length = 0;
    const result = await withDashboard(
      [
        '--port',
        '0',
        '--aurora-cluster-arn',
        STAND_IN_TARGET.resourceArn,
        '--aurora-secret-arn',
        STAND_IN_TARGET.secretArn,
        '--database',
        STAND_IN_TARGET.database,
      ],
      {},
      async (url) => {
        for (const page of [
          'filters',
          'overview',
          'cost',
          'security',
          'compliance',
          'inventory',
          'operations',
        ]) {
          const response = await fetch(`${url}/api/${page}`);
          expect(response.status, page).toBe(200);
        }
        // The account with the most cost (the first of the unfiltered overview).
        const all = (await (await fetch(`${url}/api/overview`)).json()) as {
          data: { accounts: Array<{ account_id: string; range_cost: number | null }> };
        };
        const account = all.data.accounts[0]?.account_id as string;
        expect(all.data.accounts[0]?.range_cost).toBeGreaterThan(0);
        const overview = (await (
          await fetch(`${url}/api/overview?account=${account}&from=2026-11-23`)
        ).json()) as {
          data: { accounts: Array<{ account_id: string }>; costTrend: { labels: string[] } };
        };
        expect(overview.data.accounts.map((a) => a.account_id)).toEqual([account]);
        expect(overview.data.costTrend.labels).toEqual(['2026-11-23', '2026-11-24']);
      },
      { dataApiClient: standIn.client },
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Aurora ${STAND_IN_TARGET.resourceArn}`);
    expect(standIn.calls.length).toBeGreaterThan(0);
    expect(standIn.calls.every((c) => c.operation === 'ExecuteStatement' && !c.error)).toBe(true);
  }, 60_000);
});
