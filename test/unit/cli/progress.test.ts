import { describe, expect, it } from 'vitest';
import { RunProgress } from '../../../functions/cli/progress.ts';
import { accountIds, FakeRun } from './interpreter-events.ts';

const CATEGORIES = ['kms', 'security-hub', 'guardduty'];

describe('RunProgress.overall', () => {
  it('counts nothing before any event', () => {
    expect(new RunProgress().overall()).toEqual({
      accountsDone: 0,
      accountsKnown: 0,
      slicesDone: 0,
      slicesKnown: 0,
      failed: 0,
    });
  });

  it('knows every account x category x phase once orchestrate discovered the accounts', () => {
    const progress = new RunProgress();
    new FakeRun(progress).discover(5, CATEGORIES);
    expect(progress.overall()).toMatchObject({ accountsKnown: 5, slicesKnown: 5 * 3 * 2, slicesDone: 0 });
  });

  it('counts an account done when its load finalized, and only finished slices as done', () => {
    const progress = new RunProgress();
    const run = new FakeRun(progress);
    const [a, b] = accountIds(2) as [string, string];
    run.discover(4, CATEGORIES);
    run.account(a, CATEGORIES);
    run.collect(b, 'kms', 'SUCCEEDED');
    run.collect(b, 'security-hub', 'running');
    run.collect(b, 'guardduty', 'retry');
    expect(progress.overall()).toEqual({
      accountsDone: 1,
      accountsKnown: 4,
      slicesDone: 6 + 1,
      slicesKnown: 4 * 6,
      failed: 0,
    });
  });

  it('an account with a failed collect is done without the load that never runs, and its failure counts', () => {
    const progress = new RunProgress();
    const run = new FakeRun(progress);
    const [a] = accountIds(1) as [string];
    run.discover(1, CATEGORIES);
    run.collect(a, 'kms', 'SUCCEEDED');
    run.collect(a, 'security-hub', 'FAILED');
    run.collect(a, 'guardduty', 'SUCCEEDED');
    expect(progress.overall()).toMatchObject({ accountsDone: 0, slicesDone: 3, slicesKnown: 6, failed: 1 });
    run.load(a, 'kms', 'SUCCEEDED');
    run.load(a, 'guardduty', 'FAILED');
    run.finalize(a);
    run.accountEnd(0, a, 'AccountIncomplete');
    // security-hub was never loaded: 5 slices ran, all finished; 2 failed; the account counts once.
    expect(progress.overall()).toEqual({
      accountsDone: 1,
      accountsKnown: 1,
      slicesDone: 5,
      slicesKnown: 5,
      failed: 2,
    });
  });

  it("counts an account done from orchestrate's AccountLoaded alone", () => {
    const progress = new RunProgress();
    const run = new FakeRun(progress);
    const [a, b] = accountIds(2) as [string, string];
    run.discover(2, ['kms']);
    run.startAccount(0, a);
    run.startAccount(1, b);
    run.accountEnd(1, b, 'AccountLoaded');
    expect(progress.overall()).toMatchObject({ accountsDone: 1, failed: 0 });
  });

  it('counts an account whose Map iteration failed as done and failed once, by its iteration index', () => {
    const progress = new RunProgress();
    const run = new FakeRun(progress);
    const [a, b] = accountIds(2) as [string, string];
    run.discover(2, ['kms']);
    run.startAccount(0, a);
    run.startAccount(1, b);
    run.iterationFailed(1);
    expect(progress.overall()).toEqual({
      accountsDone: 1,
      accountsKnown: 2,
      slicesDone: 0,
      // the failed account ran no slice; the other still has its 2
      slicesKnown: 2,
      failed: 1,
    });
  });

  it('without orchestrate (a360 load) counts the expected account and its load slices', () => {
    const progress = new RunProgress();
    const [a] = accountIds(1) as [string];
    progress.expect(a, ['kms', 'guardduty']);
    expect(progress.overall()).toMatchObject({ accountsKnown: 1, slicesKnown: 4, accountsDone: 0 });
    const run = new FakeRun(progress);
    run.load(a, 'kms', 'SUCCEEDED');
    run.load(a, 'guardduty', 'SUCCEEDED');
    run.finalize(a);
    // the collect slices never run under `load`: once done, only the 2 loads count
    expect(progress.overall()).toEqual({
      accountsDone: 1,
      accountsKnown: 1,
      slicesDone: 2,
      slicesKnown: 2,
      failed: 0,
    });
  });

  it('beginStage keeps the counts cumulative and starts the table and the accounts afresh', () => {
    const progress = new RunProgress();
    const run = new FakeRun(progress);
    const ids = accountIds(2);
    run.discover(2, ['kms']);
    for (const id of ids) run.account(id, ['kms'], '2026-11-23');
    progress.beginStage();
    expect(progress.tally().size).toBe(0);
    run.discover(2, ['kms']);
    // the same accounts in the next window are new accounts
    run.account(ids[0] as string, ['kms'], '2026-11-24');
    expect(progress.overall()).toEqual({
      accountsDone: 3,
      accountsKnown: 4,
      slicesDone: 6,
      slicesKnown: 8,
      failed: 0,
    });
    expect(progress.tally().get('kms')?.load).toMatchObject({ succeeded: 1, pending: 1 });
  });

  it('beginStage before any event keeps the slices registered with expect', () => {
    const progress = new RunProgress();
    progress.expect(accountIds(1)[0] as string, ['kms']);
    progress.beginStage();
    expect(progress.overall()).toMatchObject({ accountsKnown: 1, slicesKnown: 2 });
  });
});

describe('RunProgress slice outcomes', () => {
  it('reports a caught collect failure as failed only, never as a success with no rows first', () => {
    const progress = new RunProgress();
    const seen: string[] = [];
    progress.onChange((key, slice) => seen.push(`${key.category} ${slice.state}`));
    const [account] = accountIds(1) as [string];
    new FakeRun(progress).collect(account, 'kms', 'FAILED');
    expect(seen).toEqual(['kms running', 'kms failed']);
  });
});
