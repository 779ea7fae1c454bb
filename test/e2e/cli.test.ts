import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../functions/collectors/registry.ts';
import { a360 } from '../support/cli.ts';

/** The object a key names in the local S3 server's folder (s3rver stores `<key>._S3rver_object`). */
async function localObject(stateDir: string, key: string): Promise<string | undefined> {
  return readFile(join(stateDir, 's3', 'a360-local', `${key}._S3rver_object`), 'utf8').catch(() => undefined);
}

describe('a360 CLI on the sample organization (PGlite)', () => {
  let stateDir: string;
  const dir = () => ['--state-dir', stateDir];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'a360-e2e-'));
  });
  afterAll(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  it('runs every category of every account through both state machines and prints a per-category summary', async () => {
    const run = await a360(['run', '--sample', '3', '--date', '2026-11-20', '--retry-wait', '0', ...dir()]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    for (const category of CATEGORY_IDS) expect(run.out).toMatch(new RegExp(`^${category}\\s+3\\s`, 'm'));
    expect(run.out).toMatch(/0 failed\./);

    const status = await a360(['status', '--json', ...dir()]);
    const slices = JSON.parse(status.out).slices as Array<{
      collect: { status: string };
      load: { status: string };
    }>;
    expect(slices).toHaveLength(3 * CATEGORY_IDS.length);
    for (const slice of slices) expect(['SUCCEEDED', 'SKIPPED']).toContain(slice.load.status);
  });

  it('exits 2 on a failing category, shows it in status, keeps the snapshot pending, and a rerun completes it', async () => {
    const failing = await a360([
      'run',
      '--sample',
      '3',
      '--date',
      '2026-11-19',
      '--faults',
      'security-hub=access-denied',
      '--retry-wait',
      '0',
      ...dir(),
    ]);
    expect(failing.code).toBe(2);
    expect(failing.out).toMatch(
      /security-hub collect: FAILED SourceAccessError: SecurityHub\.GetFindings \([a-z0-9-]+\): AccessDeniedException/,
    );
    expect(failing.out).toMatch(/^account\s+3\s+3\s+0\s+0\s+0\s/m);
    const runId = /npx a360 rerun --run (r-\S+)/.exec(failing.out)?.[1];
    expect(runId).toBeDefined();

    const status = await a360(['status', ...dir()]);
    expect(status.out).toMatch(/security-hub\s+FAILED\s+-/);
    expect(status.out).toMatch(
      /collect: SourceAccessError: SecurityHub\.GetFindings .*AccessDeniedException/,
    );
    const json = JSON.parse((await a360(['status', '--json', ...dir()])).out);
    const accountId = json.slices[0].accountId as string;
    expect(await localObject(stateDir, `data/${accountId}/2026-11-19_DAILY.json`)).toBeDefined();
    expect((await readdir(join(stateDir, 'dlq'))).length).toBeGreaterThanOrEqual(3);

    const rerun = await a360(['rerun', '--run', runId as string, '--retry-wait', '0', ...dir()]);
    expect(rerun.code).toBe(0);
    expect(rerun.out).toMatch(/collect\s+\d{12}\s+security-hub\s+SUCCEEDED/);
    const after = await a360(['status', ...dir()]);
    expect(after.out).not.toContain('FAILED');
    expect(after.out).toMatch(
      new RegExp(
        `${3 * CATEGORY_IDS.length} of ${3 * CATEGORY_IDS.length} account x category slices complete`,
      ),
    );
    expect(await localObject(stateDir, `data/${accountId}/2026-11-19_DAILY.json`)).toBeUndefined();
    const loaded = JSON.parse(
      (await localObject(stateDir, `loaded/${accountId}/2026-11-19_DAILY.json`)) as string,
    );
    expect(Object.keys(loaded.categories).sort()).toEqual([...CATEGORY_IDS].sort());
  });

  it('retries a throttled category in the state machine and shows the retries', async () => {
    const run = await a360([
      'run',
      '--sample',
      '2',
      '--date',
      '2026-11-18',
      '--faults',
      'account=throttle',
      '--categories',
      'account',
      '--retry-wait',
      '0',
      ...dir(),
    ]);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(/collect \d{12} account\s+retrying \(attempt 2\)/);
    expect(run.out).toMatch(/^account\s+2\s+2\s+0\s+0\s+0\s+\d+\s+\d+\s+[1-9]\d*\s+2$/m);
  });

  it('loads a snapshot file with `a360 load`, and refuses a file that is not a snapshot', async () => {
    const json = JSON.parse((await a360(['status', '--json', ...dir()])).out);
    const accountId = json.slices[0].accountId as string;
    const body = (await localObject(stateDir, `loaded/${accountId}/2026-11-20_DAILY.json`)) as string;
    const file = join(stateDir, 'snapshot.json');
    await writeFile(file, body);

    const load = await a360(['load', file, ...dir()]);
    expect(load.code).toBe(0);
    expect(load.out).toMatch(/0 failed\./);

    const broken = join(stateDir, 'broken.json');
    await writeFile(broken, JSON.stringify({ ...JSON.parse(body), account_id: '12345' }));
    const refused = await a360(['load', broken, ...dir()]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/account_id: must be a 12-digit AWS account id/);
  });

  it('answers bad arguments with one clear line and exit 1', async () => {
    const unknown = await a360(['run', '--sample', '--colour', ...dir()]);
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.err).toMatch(/^a360: unknown option --colour; this command takes/);
    const date = await a360(['run', '--sample', '--date', '2026-02-30', ...dir()]);
    expect(date.err).toBe('a360: date is not a calendar day: "2026-02-30"\n');
    const fault = await a360(['run', '--sample', '--faults', 'cost=flaky', ...dir()]);
    expect(fault.err).toMatch(/kind "flaky" is not one of throttle, throttle-always/);
    const category = await a360(['run', '--sample', '--categories', 'costs', ...dir()]);
    expect(category.err).toMatch(/unknown category "costs"; known categories: /);
  });
});
