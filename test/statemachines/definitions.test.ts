import aslValidator from 'asl-validator';
import { describe, expect, it } from 'vitest';
import { LOCAL_SUBSTITUTIONS, loadDefinition } from '../../functions/adapters/local/state-machine-runner.ts';
import { ERROR_NAMES } from '../../functions/platform/errors.ts';
import {
  placeholdersOf,
  readStateMachine,
  STATE_MACHINES,
  SUBSTITUTION_KEYS,
  substitute,
} from '../../functions/platform/state-machines.ts';

type Validate = (
  definition: unknown,
  options?: Record<string, boolean>,
) => { isValid: boolean; errorsText(separator?: string): string };
const validate: Validate = aslValidator;

interface StateNode {
  Type: string;
  Retry?: Array<{ ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[] }>;
  ItemProcessor?: { States: Record<string, StateNode> };
  Branches?: Array<{ States: Record<string, StateNode> }>;
}

function* allStates(states: Record<string, StateNode>): Generator<[string, StateNode]> {
  for (const entry of Object.entries(states)) {
    yield entry;
    if (entry[1].ItemProcessor) yield* allStates(entry[1].ItemProcessor.States);
    for (const branch of entry[1].Branches ?? []) yield* allStates(branch.States);
  }
}

describe.each(STATE_MACHINES)('statemachines/%s.asl.json', (name) => {
  it('is valid ASL once its placeholders are filled', async () => {
    const definition = JSON.parse(substitute(await readStateMachine(name), LOCAL_SUBSTITUTIONS));
    const result = validate(structuredClone(definition));
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('uses only known placeholders, for ARNs and names', async () => {
    const placeholders = placeholdersOf(await readStateMachine(name));
    expect(placeholders.length).toBeGreaterThan(0);
    for (const placeholder of placeholders) {
      expect(SUBSTITUTION_KEYS).toContain(placeholder);
      expect(placeholder).toMatch(/(FunctionArn|StateMachineArn|BucketName)$/);
    }
  });

  it('retries and catches only errors that exist: the taxonomy, States.* or Lambda.*', async () => {
    const definition = loadDefinition(await readStateMachine(name), name);
    const names = [...allStates(definition.States as unknown as Record<string, StateNode>)].flatMap(
      ([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals),
    );
    expect(names.length).toBeGreaterThan(0);
    for (const errorName of names) {
      const known =
        (ERROR_NAMES as readonly string[]).includes(errorName) || /^(States|Lambda)\.\w+$/.test(errorName);
      expect(known, `${errorName} is not a known error name`).toBe(true);
    }
  });

  it('is JSONPath (the local interpreter ignores JSONata) and sets a timeout on every Task', async () => {
    const definition = loadDefinition(await readStateMachine(name), name);
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    for (const [stateName, state] of allStates(definition.States as unknown as Record<string, StateNode>)) {
      if (state.Type === 'Task')
        expect((state as { TimeoutSeconds?: number }).TimeoutSeconds, stateName).toBeGreaterThan(0);
    }
  });
});

describe('substitute', () => {
  it('refuses a definition with a placeholder it has no value for', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template literal
    expect(() => substitute('{"Resource": "${UnknownFunctionArn}"}', LOCAL_SUBSTITUTIONS)).toThrow(
      /UnknownFunctionArn/,
    );
  });
});

describe('loadDefinition', () => {
  it('rejects JSONata, which the local interpreter would silently ignore', () => {
    const jsonata = JSON.stringify({
      QueryLanguage: 'JSONata',
      StartAt: 'A',
      States: { A: { Type: 'Succeed' } },
    });
    expect(() => loadDefinition(jsonata, 'x')).toThrow(/JSONata/);
  });
});
