import { readFile } from 'node:fs/promises';
import { runLoad } from '../../adapters/local/pipeline.ts';
import { getCategory } from '../../collectors/registry.ts';
import type { FinalizeOutput } from '../../core/finalize-load.ts';
import { DataContractError, InvalidInputError } from '../../platform/errors.ts';
import { formatIssues, snapshotKey, snapshotSchema } from '../../snapshot/snapshot.ts';
import { listOption, parseArgs, stringOption } from '../args.ts';
import { openLocalEnvironment, stateDirectory } from '../local-environment.ts';
import { RunProgress } from '../progress.ts';
import type { Output } from '../render.ts';
import { LiveDisplay } from './live-display.ts';
import { printRunSummary, summarizeRun } from './summary.ts';

export const LOAD_USAGE = `a360 load <snapshot.json> [--categories a,b] [--json]
  Runs the load state machine on a snapshot file: validates it, stores it in the local bucket under its own
  key (data/<account>/<start>_<PERIOD>.json) and loads its categories into the database.`;

export async function loadCommand(
  argv: readonly string[],
  io: { output: Output; env: NodeJS.ProcessEnv },
): Promise<number> {
  const args = parseArgs(argv, { values: ['categories', 'state-dir', 'retry-wait'], flags: ['json'] });
  const [file, extra] = args.positionals;
  if (!file || extra !== undefined) throw new InvalidInputError('a360 load takes exactly one snapshot file');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new InvalidInputError(`cannot read snapshot ${file}: ${(error as Error).message}`);
  }
  const envelope = snapshotSchema.safeParse(raw);
  if (!envelope.success)
    throw new DataContractError(`snapshot ${file} is invalid: ${formatIssues(envelope.error.issues)}`);
  const snapshot = envelope.data;
  const categories = listOption(args, 'categories');
  for (const category of categories ?? []) getCategory(category);

  const started = Date.now();
  const environment = await openLocalEnvironment({
    stateDir: stateDirectory(stringOption(args, 'state-dir'), io.env),
    databaseUrl: io.env.DATABASE_URL,
    regions: ['us-east-1'],
  });
  try {
    const key = snapshotKey(snapshot.account_id, { period: snapshot.period, ...snapshot.window });
    await environment.deps.blobs.put(key, JSON.stringify(snapshot));
    const progress = new RunProgress();
    progress.expect(snapshot.account_id, categories ?? Object.keys(snapshot.categories));
    const display = new LiveDisplay(io.output, progress, {
      title: `a360 load ${key} (run ${snapshot.run_id})`,
      json: args.options.has('json'),
    });
    display.start();
    const execution = await runLoad(
      environment.deps,
      { snapshotKey: key, ...(categories ? { categories } : {}), trigger: 'manual' },
      { onEvent: (machine, event) => progress.handle(machine, event), retryIntervalMs: 1000 },
    );
    display.stop();
    if (execution.status === 'FAILED' && execution.error?.name !== 'CategoriesFailed') {
      io.output.write(`a360: load failed: ${execution.error?.name}: ${execution.error?.cause}\n`);
      return 1;
    }
    const outcome = execution.output as FinalizeOutput | undefined;
    const summary = await summarizeRun(environment.deps.sql, snapshot.run_id, {
      window: { period: snapshot.period, ...snapshot.window },
      elapsedMs: Date.now() - started,
      database: environment.databaseLabel,
      bucket: environment.bucketLabel,
      executionFailures: [],
      rerun: (failed) => `npx a360 load ${file} --categories ${failed.join(',')}`,
    });
    if (args.options.has('json')) io.output.write(`${JSON.stringify({ outcome, summary }, null, 2)}\n`);
    else printRunSummary(io.output, summary);
    return execution.status === 'SUCCEEDED' ? 0 : 2;
  } finally {
    await environment.close();
  }
}
