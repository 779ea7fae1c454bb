import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './errors.ts';

/** The ASL files in `statemachines/`, the same ones CDK deploys and the local runner executes. */
export const STATE_MACHINES = ['collect', 'load', 'orchestrate'] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/** Every `${Placeholder}` the ASL files use: ARNs and names only, filled by CDK and by the local runner. */
export const SUBSTITUTION_KEYS = [
  'PlanRunFunctionArn',
  'MergeSnapshotFunctionArn',
  'PrepareLoadFunctionArn',
  'LoadCategoryFunctionArn',
  'FinalizeLoadFunctionArn',
  'LoadStateMachineArn',
  'DiscoverAccountsFunctionArn',
  'SettleRunFunctionArn',
  'PrefetchCostExplorerFunctionArn',
  'CollectStateMachineArn',
  'DataBucketName',
] as const;
export type Substitutions = Readonly<Record<(typeof SUBSTITUTION_KEYS)[number], string>>;

export function stateMachinePath(name: StateMachineName): string {
  return fileURLToPath(new URL(`../../statemachines/${name}.asl.json`, import.meta.url));
}

export function readStateMachine(name: StateMachineName): Promise<string> {
  return readFile(stateMachinePath(name), 'utf8');
}

export function placeholdersOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] as string))];
}

/** Fills `${Name}` placeholders as CDK's definitionSubstitutions does; an unknown placeholder is an error. */
export function substitute(text: string, values: Readonly<Record<string, string>>): string {
  const missing = placeholdersOf(text).filter((key) => values[key] === undefined);
  if (missing.length > 0)
    throw new ConfigError(`no value for state machine placeholder(s) ${missing.join(', ')}`);
  return text.replace(/\$\{(\w+)\}/g, (_, key: string) => JSON.stringify(values[key]).slice(1, -1));
}
