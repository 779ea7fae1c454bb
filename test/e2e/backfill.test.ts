import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGISTRY } from '../../functions/collectors/registry.ts';
import { addDays } from '../../functions/platform/period.ts';
import { a360 } from '../support/cli.ts';

const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24'];
const WITH_HISTORY = REGISTRY.filter((c) => c.collector.history === 'window').map((c) => c.collector.id);

describe('a360 backfill on the sample organization', () => {
  let stateDir: string;
  const dir = () => ['--state-dir', stateDir];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'a360-backfill-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('backfills three days for three accounts: three loaded snapshots per account, one run per window', async () => {
    const result = await a360([
      'backfill',
      '--from',
      DAYS[0] as string,
      '--to',
      DAYS[2] as string,
      '--sample',
      '3',
      '--retry-wait',
      '0',
      '--json',
      ...dir(),
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as {
      categories: { collected: string[]; currentOnly: string[] };
      windows: Array<{
        window: { start: string };
        runId: string;
        status: string;
        loaded: number;
        failed: number;
      }>;
    };
    expect(report.categories.collected).toEqual(WITH_HISTORY);
    expect(report.categories.currentOnly).toContain('kms');
    expect(report.windows.map((w) => [w.window.start, w.status, w.failed])).toEqual(
      DAYS.map((day) => [day, 'SUCCEEDED', 0]),
    );
    expect(report.windows.every((w) => w.loaded === 3 * WITH_HISTORY.length)).toBe(true);

    const loaded = join(stateDir, 's3', 'a360-local', 'loaded');
    const accounts = await readdir(loaded);
    expect(accounts).toHaveLength(3);
    for (const account of accounts) {
      const snapshots = (await readdir(join(loaded, account))).filter((f) => f.endsWith('._S3rver_object'));
      expect(snapshots.sort()).toEqual(DAYS.map((day) => `${day}_DAILY.json._S3rver_object`));
      const snapshot = JSON.parse(await readFile(join(loaded, account, snapshots[0] as string), 'utf8')) as {
        categories: Record<string, unknown>;
      };
      expect(Object.keys(snapshot.categories).sort()).toEqual([...WITH_HISTORY].sort());
    }

    const query = await a360([
      'query',
      "SELECT to_char(period_start, 'YYYY-MM-DD') AS day, count(DISTINCT account_id) AS accounts FROM cost_reports GROUP BY 1 ORDER BY 1",
      '--json',
      ...dir(),
    ]);
    expect(JSON.parse(query.out)).toEqual(DAYS.map((day) => ({ day, accounts: 3 })));
    const runs = await a360([
      'query',
      "SELECT count(*) AS runs FROM runs WHERE trigger = 'backfill' AND status = 'SUCCEEDED'",
      '--json',
      ...dir(),
    ]);
    expect(JSON.parse(runs.out)).toEqual([{ runs: 3 }]);
  }, 300_000);

  it('shows progress by window, counting account-runs across windows for the ETA', async () => {
    const result = await a360([
      'backfill',
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-21',
      '--sample',
      '1',
      '--categories',
      'cost',
      '--retry-wait',
      '0',
      ...dir(),
    ]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('window 1 of 2: DAILY 2026-11-20');
    expect(result.out).toContain('window 2 of 2: DAILY 2026-11-21');
    expect(result.out).toMatch(/^progress: 1\/2 accounts, 2\/2 slices, 0 failed, elapsed \d+s, ETA \d+s$/m);
    expect(result.out).toContain('2 windows backfilled: every slice loaded.');
  }, 120_000);

  it('refuses windows that have not ended, reversed ranges, and a backfill of current-state categories only', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const open = await a360([
      'backfill',
      '--from',
      addDays(today, -5),
      '--to',
      addDays(today, 2),
      '--sample',
      ...dir(),
    ]);
    expect(open.code).toBe(1);
    expect(open.err).toContain(`the DAILY window starting ${today} has not ended yet`);
    const reversed = await a360([
      'backfill',
      '--from',
      '2026-11-20',
      '--to',
      '2026-11-10',
      '--sample',
      ...dir(),
    ]);
    expect(reversed.err).toContain('--from 2026-11-20 is after --to 2026-11-10');
    const current = await a360([
      'backfill',
      '--from',
      '2026-11-10',
      '--to',
      '2026-11-11',
      '--categories',
      'kms,resources',
      '--sample',
      ...dir(),
    ]);
    expect(current.code).toBe(1);
    expect(current.err).toContain('kms, resources describe only the present');
  });
});
