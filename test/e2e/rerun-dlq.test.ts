import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CATEGORY_IDS } from '../../functions/collectors/registry.ts';
import { a360 } from '../support/cli.ts';

/** The CLI's reruns and DLQ on the local state machines, the local S3 server and PGlite. */
describe('a360 rerun and a360 dlq, locally', () => {
  let stateDir: string;
  const dir = () => ['--state-dir', stateDir];
  const env = () => ({ A360_STATE_DIR: stateDir });

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'a360-rerun-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });

  async function faultyRun(): Promise<string> {
    const run = await a360(
      [
        'run',
        '--sample',
        '3',
        '--faults',
        'cost=access-denied,kms=throttle-always',
        '--date',
        '2026-11-25',
        '--retry-wait',
        '0',
        '--json',
        ...dir(),
      ],
      env(),
    );
    expect(run.code).toBe(2);
    return (JSON.parse(run.out) as { runId: string }).runId;
  }

  async function windowStatus() {
    const status = await a360(['status', '--json', ...dir()], env());
    const { slices } = JSON.parse(status.out) as {
      slices: Array<{
        accountId: string;
        category: string;
        collect?: { status: string };
        load?: { status: string };
      }>;
    };
    return slices;
  }

  it('rerun --run starts exactly the failed slices and completes the window', async () => {
    const runId = await faultyRun();

    const dry = await a360(['rerun', '--run', runId, '--dry-run', '--json', ...dir()], env());
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.out) as { reruns: Array<{ stateMachine: string; categories: string[] }> };
    expect(planned.reruns).toHaveLength(3);
    expect(
      planned.reruns.every((r) => r.stateMachine === 'collect' && r.categories.join() === 'cost,kms'),
    ).toBe(true);

    const rerun = await a360(['rerun', '--run', runId, '--retry-wait', '0', ...dir()], env());
    expect(rerun.err).toBe('');
    expect(rerun.code).toBe(0);
    expect(rerun.out).toContain('every slice of the rerun accounts is complete');

    const slices = await windowStatus();
    expect(slices).toHaveLength(3 * CATEGORY_IDS.length);
    expect(
      slices.filter(
        (s) =>
          s.collect?.status === 'FAILED' ||
          (s.load?.status !== 'SUCCEEDED' && s.collect?.status !== 'SKIPPED'),
      ),
    ).toEqual([]);

    const again = await a360(['rerun', '--run', runId, ...dir()], env());
    expect(again.out).toContain('Nothing to rerun');
  }, 240_000);

  it('dlq list shows the failures of a faulty run, and dlq redrive fixes them and empties the queue', async () => {
    const runId = await faultyRun();
    const list = await a360(['dlq', 'list', '--json', ...dir()], env());
    expect(list.code).toBe(0);
    const letters = JSON.parse(list.out) as Array<{
      id: string;
      letter: { runId: string; category: string; phase: string; error: { name: string }; rerun: unknown };
    }>;
    expect(letters).toHaveLength(6);
    expect(new Set(letters.map((l) => l.letter.runId))).toEqual(new Set([runId]));
    expect(letters.map((l) => l.letter.category).sort()).toEqual([
      'cost',
      'cost',
      'cost',
      'kms',
      'kms',
      'kms',
    ]);
    expect(new Set(letters.map((l) => l.letter.error.name))).toEqual(
      new Set(['SourceAccessError', 'TransientError']),
    );

    const text = await a360(['dlq', 'list', ...dir()], env());
    expect(text.out).toContain('6 dead letters');

    // One letter by id first: the others stay.
    const one = letters[0]?.id as string;
    const single = await a360(['dlq', 'redrive', '--id', one, '--retry-wait', '0', ...dir()], env());
    expect(single.code).toBe(0);
    expect(await readdir(join(stateDir, 'dlq'))).toHaveLength(5);

    const unknown = await a360(['dlq', 'redrive', '--id', 'no-such-letter', ...dir()], env());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no dead letter no-such-letter');
    expect(await readdir(join(stateDir, 'dlq'))).toHaveLength(5);

    const rest = await a360(['dlq', 'redrive', '--retry-wait', '0', ...dir()], env());
    expect(rest.code).toBe(0);
    expect(rest.out).toContain('3 of 3 reruns succeeded');
    expect(await readdir(join(stateDir, 'dlq'))).toEqual([]);
    const slices = await windowStatus();
    expect(slices.filter((s) => s.collect?.status === 'FAILED' || s.load?.status === 'FAILED')).toEqual([]);
  }, 240_000);

  it('refuses a rerun without a run or an execution, and an unknown run', async () => {
    const none = await a360(['rerun', ...dir()], env());
    expect(none.code).toBe(1);
    expect(none.err).toContain('needs exactly one of --run <id> (local) or --execution <arn> (AWS)');
    const unknown = await a360(['rerun', '--run', 'r-nope', ...dir()], env());
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no run r-nope in the ledger');
  });
});
