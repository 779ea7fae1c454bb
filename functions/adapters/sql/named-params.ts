import { InvalidInputError } from '../../platform/errors.ts';
import { sqlPieces } from '../../platform/sql-text.ts';
import type { SqlParam, SqlParams } from '../../ports.ts';

/**
 * Rewrites `:name` parameters (the Data API's syntax) to `$n` for node-postgres and PGlite. Casts (`::type`),
 * string literals, quoted identifiers, dollar-quoted bodies and comments are left alone.
 */
export function toPositional(text: string, params: SqlParams = {}): { text: string; values: unknown[] } {
  const order = new Map<string, number>();
  const rewrite = (code: string) =>
    code.replace(/::|:([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string | undefined) => {
      if (name === undefined) return match;
      if (!(name in params)) throw new InvalidInputError(`SQL parameter :${name} has no value`);
      let position = order.get(name);
      if (position === undefined) {
        position = order.size + 1;
        order.set(name, position);
      }
      return `$${position}`;
    });
  const out = sqlPieces(text)
    .map((piece) => (piece.kind === 'code' ? rewrite(piece.text) : piece.text))
    .join('');
  const values = [...order.keys()].map((name) => toDriverValue(params[name] as SqlParam));
  return { text: out, values };
}

function toDriverValue(value: SqlParam): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (value.kind === 'json') return value.text;
  return value.value;
}
