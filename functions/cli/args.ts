import { InvalidInputError } from '../platform/errors.ts';

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

/**
 * `--name value`, `--name=value` and bare `--flag`. A flag listed in `optionalValue` takes the next word only
 * when it is a number (`--sample` or `--sample 20`). Unknown options are an error, not silently ignored.
 */
export function parseArgs(
  argv: readonly string[],
  spec: { values: readonly string[]; flags: readonly string[]; optionalValue?: readonly string[] },
): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const name = rawName;
    if (spec.flags.includes(name)) {
      if (inline !== undefined) throw new InvalidInputError(`--${name} takes no value`);
      options.set(name, true);
    } else if (spec.optionalValue?.includes(name)) {
      const next = argv[i + 1];
      if (inline !== undefined) options.set(name, inline);
      else if (next !== undefined && /^\d+$/.test(next)) {
        options.set(name, next);
        i += 1;
      } else options.set(name, true);
    } else if (spec.values.includes(name)) {
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new InvalidInputError(`--${name} needs a value`);
      }
      options.set(name, value);
      if (inline === undefined) i += 1;
    } else {
      const known = [...spec.values, ...spec.flags, ...(spec.optionalValue ?? [])].map((o) => `--${o}`);
      throw new InvalidInputError(
        `unknown option --${name}${known.length ? `; this command takes ${known.join(', ')}` : ''}`,
      );
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const value = stringOption(args, name);
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
}

export function integerOption(
  args: ParsedArgs,
  name: string,
  { min, max }: { min: number; max: number },
): number | undefined {
  const value = stringOption(args, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new InvalidInputError(`--${name} must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return number;
}
