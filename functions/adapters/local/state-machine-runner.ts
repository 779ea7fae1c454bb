import { randomUUID } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ConfigError } from '../../platform/errors.ts';
import {
  readStateMachine,
  type StateMachineName,
  SUBSTITUTION_KEYS,
  type Substitutions,
  substitute,
} from '../../platform/state-machines.ts';

/** An event of the interpreter's log (StateEntered, StateRetried, MapIterationFailed, ExecutionFailed...). */
export type InterpreterEvent =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type LocalTaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalExecution {
  readonly executionArn: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: { readonly name: string; readonly cause: string };
}

export interface RunOptions {
  readonly name: StateMachineName;
  readonly input: unknown;
  /** One handler per Task state name (inside Maps too). A Task without one is an error, never an AWS call. */
  readonly handlers: Readonly<Record<string, LocalTaskHandler>>;
  readonly onEvent?: (event: InterpreterEvent) => void;
  /** Replaces every Retry interval (ms): 0 in tests, a short pause in the CLI. */
  readonly retryIntervalMs?: number;
  /** Reads a Distributed Map's items (an S3 JSON array): the interpreter has no item readers. */
  readonly readItems?: (location: { Bucket: string; Key: string }) => Promise<unknown[]>;
  readonly executionName?: string;
}

const LOCAL_ACCOUNT = '000000000000';
const LOCAL_REGION = 'us-east-1';

/** The local bucket (the local S3 server's only bucket). */
export const LOCAL_BUCKET = 'a360-local';

/** The substitution values of the local runner: placeholders only ever name things, never behaviour. */
export const LOCAL_SUBSTITUTIONS: Substitutions = Object.fromEntries(
  SUBSTITUTION_KEYS.map((key) => [
    key,
    key.endsWith('BucketName')
      ? LOCAL_BUCKET
      : key.endsWith('StateMachineArn')
        ? `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:a360-local-${kebab(key.replace(/StateMachineArn$/, ''))}`
        : `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:a360-local-${kebab(key.replace(/FunctionArn$/, ''))}`,
  ]),
) as Substitutions;

export function localExecutionArn(machine: StateMachineName, executionName: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:a360-local-${machine}:${executionName}`;
}

function kebab(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

interface StateNode {
  Type: string;
  Resource?: string;
  Retry?: unknown[];
  Next?: string;
  Default?: string;
  Choices?: Array<{ Next?: string }>;
  Catch?: Array<{ Next: string }>;
  ItemReader?: { Resource: string; Parameters?: unknown };
  ItemsPath?: string;
  ItemProcessor?: { States: Record<string, StateNode> };
  Iterator?: { States: Record<string, StateNode> };
  Branches?: Array<{ States: Record<string, StateNode> }>;
  QueryLanguage?: string;
}

function* walk(states: Record<string, StateNode>): Generator<[string, StateNode]> {
  for (const [name, state] of Object.entries(states)) {
    yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* walk(nested.States);
    for (const branch of state.Branches ?? []) yield* walk(branch.States);
  }
}

/** Parses a definition and checks what the interpreter would silently get wrong. */
export function loadDefinition(text: string, name: string): StateMachineDefinition {
  const definition = JSON.parse(text) as StateMachineDefinition & { QueryLanguage?: string };
  const jsonata =
    definition.QueryLanguage === 'JSONata' ||
    [...walk(definition.States as unknown as Record<string, StateNode>)].some(
      ([, s]) => s.QueryLanguage === 'JSONata',
    );
  if (jsonata)
    throw new ConfigError(`${name}: JSONata is not supported by the local interpreter; use JSONPath`);
  return definition;
}

export const ITEM_READER_SUFFIX = 'LocalItemReader';
const LOCAL_ITEMS_PATH = '$.a360LocalItems';

/**
 * aws-local-stepfunctions runs a DISTRIBUTED Map inline and ignores `ItemReader`. This supplies it explicitly:
 * a Task `<Map>LocalItemReader` is put in front of the Map, reads the items with the same parameters, and the
 * Map iterates over them. Everything else of the definition stays as it is.
 */
export function withLocalItemReaders(definition: StateMachineDefinition): {
  definition: StateMachineDefinition;
  readers: string[];
} {
  const copy = structuredClone(definition);
  const states = copy.States as unknown as Record<string, StateNode>;
  const readers: string[] = [];
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Map' || !state.ItemReader) continue;
    const reader = `${name}${ITEM_READER_SUFFIX}`;
    const redirect = (target: string | undefined) => (target === name ? reader : target);
    for (const other of Object.values(states)) {
      if (other.Next !== undefined) other.Next = redirect(other.Next) as string;
      if (other.Default !== undefined) other.Default = redirect(other.Default) as string;
      for (const choice of other.Choices ?? [])
        if (choice.Next !== undefined) choice.Next = redirect(choice.Next) as string;
      for (const catcher of other.Catch ?? []) catcher.Next = redirect(catcher.Next) as string;
    }
    if (copy.StartAt === name) copy.StartAt = reader;
    states[reader] = {
      Type: 'Task',
      Resource: state.ItemReader.Resource,
      Parameters: state.ItemReader.Parameters,
      ResultPath: LOCAL_ITEMS_PATH,
      Next: name,
    } as StateNode;
    delete state.ItemReader;
    state.ItemsPath = LOCAL_ITEMS_PATH;
    readers.push(reader);
  }
  return { definition: copy, readers };
}

/**
 * Runs `statemachines/<name>.asl.json` with aws-local-stepfunctions: the same file CDK deploys, with the same
 * placeholders filled, every Task state mapped to the use case its Lambda runs.
 */
export async function runStateMachine(options: RunOptions): Promise<LocalExecution> {
  const { definition, readers } = withLocalItemReaders(
    loadDefinition(substitute(await readStateMachine(options.name), LOCAL_SUBSTITUTIONS), options.name),
  );
  const readItems = options.readItems;
  if (readers.length > 0 && !readItems) {
    throw new ConfigError(
      `${options.name}: a Distributed Map reads its items from S3; give the runner readItems`,
    );
  }
  const handlers: Record<string, LocalTaskHandler> = { ...options.handlers };
  for (const reader of readers) {
    handlers[reader] = async (input) => readItems?.(input as { Bucket: string; Key: string });
  }
  const states = [...walk(definition.States as unknown as Record<string, StateNode>)];
  const tasks = states.filter(([, s]) => s.Type === 'Task');
  const missing = tasks.filter(([name]) => !handlers[name]).map(([name]) => name);
  if (missing.length > 0) {
    throw new ConfigError(`${options.name}: no local handler for Task state(s) ${missing.join(', ')}`);
  }
  const overrides = Object.fromEntries(
    tasks.map(([name, state]) => [name, wrapTask(state.Resource ?? '', handlers[name] as LocalTaskHandler)]),
  );
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(
          states.filter(([, s]) => s.Retry).map(([name]) => [name, options.retryIntervalMs as number]),
        );

  const executionName = options.executionName ?? randomUUID();
  const executionArn = localExecutionArn(options.name, executionName);
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: overrides,
      ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
    },
    context: {
      Execution: {
        Id: executionArn,
        Name: executionName,
        Input: options.input as never,
        StartTime: new Date().toISOString(),
      },
    },
  });

  let failure: { name: string; cause: string } | undefined;
  const events = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.type === 'ExecutionFailed') failure = { name: event.Error, cause: String(event.Cause ?? '') };
      options.onEvent?.(event);
    }
  })();
  try {
    const output = await execution.result;
    await events;
    return { executionArn, status: 'SUCCEEDED', output };
  } catch (error) {
    await events.catch(() => undefined);
    return {
      executionArn,
      status: 'FAILED',
      error: failure ?? { name: (error as Error).name, cause: (error as Error).message },
    };
  }
}

/**
 * `lambda:invoke` Tasks get the Payload and answer `{ StatusCode, Payload }` as Lambda does; a thrown error
 * reaches Step Functions with its name as Error and Lambda's JSON as Cause.
 */
function wrapTask(resource: string, handler: LocalTaskHandler) {
  const isLambda = resource === 'arn:aws:states:::lambda:invoke' || resource.startsWith('arn:aws:lambda:');
  return async (input: unknown) => {
    try {
      if (!isLambda) return (await handler(input)) as never;
      const payload = resource.startsWith('arn:aws:lambda:')
        ? input
        : (input as { Payload?: unknown }).Payload;
      return { StatusCode: 200, Payload: await handler(payload) } as never;
    } catch (error) {
      const original = error instanceof Error ? error : new Error(String(error));
      const lambdaError = new Error(
        JSON.stringify({ errorType: original.name, errorMessage: original.message }),
      );
      lambdaError.name = original.name;
      throw lambdaError;
    }
  };
}
