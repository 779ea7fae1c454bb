import { InvalidInputError } from '../../platform/errors.ts';
import type { SqlParam, SqlParams } from '../../ports.ts';

/**
 * Rewrites `:name` parameters (the Data API's syntax) to `$n` for node-postgres and PGlite. Casts (`::type`),
 * string literals, quoted identifiers, dollar-quoted bodies and comments are left alone.
 */
export function toPositional(text: string, params: SqlParams = {}): { text: string; values: unknown[] } {
  const order = new Map<string, number>();
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    const rest = text.slice(i);
    if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === ch && text[j + 1] === ch) j += 2;
        else if (text[j] === ch) break;
        else j += 1;
      }
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (rest.startsWith('--')) {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (rest.startsWith('/*')) {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    const dollar = /^\$[A-Za-z_]*\$/.exec(rest);
    if (dollar) {
      const end = text.indexOf(dollar[0], i + dollar[0].length);
      const stop = end === -1 ? text.length : end + dollar[0].length;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === ':' && text[i + 1] === ':') {
      out += '::';
      i += 2;
      continue;
    }
    const named = ch === ':' ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(rest) : null;
    if (named) {
      const name = named[1] as string;
      if (!(name in params)) throw new InvalidInputError(`SQL parameter :${name} has no value`);
      let position = order.get(name);
      if (position === undefined) {
        position = order.size + 1;
        order.set(name, position);
      }
      out += `$${position}`;
      i += named[0].length;
      continue;
    }
    out += ch;
    i += 1;
  }
  const values = [...order.keys()].map((name) => toDriverValue(params[name] as SqlParam));
  return { text: out, values };
}

function toDriverValue(value: SqlParam): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (value.kind === 'json') return value.text;
  return value.value;
}
