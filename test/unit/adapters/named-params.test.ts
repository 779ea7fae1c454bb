import { describe, expect, it } from 'vitest';
import { toPositional } from '../../../functions/adapters/sql/named-params.ts';
import { InvalidInputError } from '../../../functions/platform/errors.ts';
import { sqlDate, sqlDecimal, sqlJson, sqlJsonText } from '../../../functions/ports.ts';

describe('toPositional', () => {
  it('numbers parameters in order of first appearance', () => {
    expect(toPositional('SELECT :b, :a, :c', { a: 1, b: 2, c: 3 })).toEqual({
      text: 'SELECT $1, $2, $3',
      values: [2, 1, 3],
    });
  });

  it('reuses the same number for a repeated name and passes its value once', () => {
    expect(toPositional('SELECT :a WHERE x = :b OR y = :a OR z = :b', { a: 'A', b: 'B' })).toEqual({
      text: 'SELECT $1 WHERE x = $2 OR y = $1 OR z = $2',
      values: ['A', 'B'],
    });
  });

  it('reads names with underscores and digits, stopping at the first other character', () => {
    expect(toPositional('VALUES (:seen_at,:row_2)', { seen_at: 'x', row_2: 'y' })).toEqual({
      text: 'VALUES ($1,$2)',
      values: ['x', 'y'],
    });
  });

  it('leaves ::type casts alone, also right after a parameter', () => {
    expect(toPositional('SELECT :v::int, now()::date, CAST(:w AS text)::jsonb', { v: 1, w: '{}' })).toEqual({
      text: 'SELECT $1::int, now()::date, CAST($2 AS text)::jsonb',
      values: [1, '{}'],
    });
  });

  it('leaves array slices and colons not followed by a name alone', () => {
    expect(toPositional("SELECT arr[1:2], '12:30', x : y", {})).toEqual({
      text: "SELECT arr[1:2], '12:30', x : y",
      values: [],
    });
  });

  it('leaves names inside single-quoted strings alone, including after a doubled quote', () => {
    expect(toPositional("SELECT ':a', 'it''s :b', :c", { c: 1 })).toEqual({
      text: "SELECT ':a', 'it''s :b', $1",
      values: [1],
    });
  });

  it('leaves names inside double-quoted identifiers alone', () => {
    expect(toPositional('SELECT "x:a", "y"":b" FROM t WHERE c = :c', { c: 1 })).toEqual({
      text: 'SELECT "x:a", "y"":b" FROM t WHERE c = $1',
      values: [1],
    });
  });

  it('leaves names inside -- comments alone', () => {
    expect(toPositional('-- uses :a\nSELECT :b -- and :c\n', { b: 1 })).toEqual({
      text: '-- uses :a\nSELECT $1 -- and :c\n',
      values: [1],
    });
  });

  it('leaves names inside /* */ comments alone', () => {
    expect(toPositional("SELECT /* :a, 'unbalanced */ :b /* :c */", { b: 1 })).toEqual({
      text: "SELECT /* :a, 'unbalanced */ $1 /* :c */",
      values: [1],
    });
  });

  it('leaves names inside $$ and $tag$ dollar-quoted bodies alone', () => {
    const text = "DO $$ BEGIN PERFORM :a; END $$; SELECT $fn$ :b ' $$ $fn$, :c";
    expect(toPositional(text, { c: 1 })).toEqual({
      text: "DO $$ BEGIN PERFORM :a; END $$; SELECT $fn$ :b ' $$ $fn$, $1",
      values: [1],
    });
  });

  it('passes positional $n parameters through unchanged', () => {
    expect(toPositional('SELECT $1, :a', { a: 2 })).toEqual({ text: 'SELECT $1, $1', values: [2] });
  });

  it('ignores parameters the text does not use', () => {
    expect(toPositional('SELECT :a', { a: 1, unused: 2 })).toEqual({ text: 'SELECT $1', values: [1] });
    expect(toPositional('SELECT 1')).toEqual({ text: 'SELECT 1', values: [] });
  });

  it('rejects a parameter without a value with an InvalidInputError naming it', () => {
    let caught: unknown;
    try {
      toPositional('SELECT :a, :missing', { a: 1 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as Error).message).toBe('SQL parameter :missing has no value');
  });

  it('treats a parameter bound to null as present', () => {
    expect(toPositional('SELECT :a', { a: null })).toEqual({ text: 'SELECT $1', values: [null] });
  });

  it('converts tagged values to the text the drivers take and passes plain values as they are', () => {
    const when = new Date('2026-11-26T06:07:08.123Z');
    const { values } = toPositional('SELECT :s, :i, :f, :b, :n, :d, :j, :jt, :dec, :decn, :day', {
      s: 'text',
      i: 42,
      f: 1.5,
      b: false,
      n: null,
      d: when,
      j: sqlJson({ a: [1, 'two', null], nested: { ok: true } }),
      jt: sqlJsonText('[1,2]'),
      dec: sqlDecimal('12345678901234.1234567890'),
      decn: sqlDecimal(0.1),
      day: sqlDate('2024-02-29'),
    });
    expect(values).toEqual([
      'text',
      42,
      1.5,
      false,
      null,
      when,
      '{"a":[1,"two",null],"nested":{"ok":true}}',
      '[1,2]',
      '12345678901234.1234567890',
      '0.1',
      '2024-02-29',
    ]);
    expect(values[5]).toBe(when);
  });
});
