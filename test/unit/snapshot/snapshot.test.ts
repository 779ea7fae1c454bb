import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DataContractError, InvalidInputError } from '../../../functions/platform/errors.ts';
import {
  formatIssues,
  loadedKey,
  parseSnapshot,
  parseSnapshotKey,
  SNAPSHOT_FORMAT,
  SNAPSHOT_SCHEMA_VERSION,
  type Snapshot,
  snapshotKey,
} from '../../../functions/snapshot/snapshot.ts';

const accountId = '123456789012';
const key = `data/${accountId}/2026-11-25_DAILY.json`;

function validSnapshot(): Snapshot {
  return {
    format: SNAPSHOT_FORMAT,
    schema_version: SNAPSHOT_SCHEMA_VERSION,
    account_id: accountId,
    period: 'DAILY',
    window: { start: '2026-11-25', end: '2026-11-26' },
    run_id: 'r-20261126T060000Z-abcdef',
    trigger: 'schedule',
    created_at: '2026-11-26T06:00:00.000Z',
    updated_at: '2026-11-26T06:05:00.000Z',
    categories: {
      cost: {
        status: 'SUCCEEDED',
        run_id: 'r-20261126T060000Z-abcdef',
        attempt: 1,
        rows: 3,
        duration_ms: 1200,
        api_calls: 4,
        throttled: 0,
        collected_at: '2026-11-26T06:01:00.000Z',
        error: null,
        reason: null,
      },
      'service-usage': {
        status: 'PARTIAL',
        run_id: 'r-20261126T060000Z-abcdef',
        attempt: 2,
        rows: 0,
        duration_ms: 0,
        api_calls: 0,
        throttled: 1,
        collected_at: '2026-11-26T06:02:00.000Z',
        error: { name: 'TransientError', message: 'throttled' },
        reason: null,
        regions: {
          'us-east-1': { status: 'SUCCEEDED' },
          'eu-west-1': { status: 'FAILED', error: { name: 'TransientError', message: 'throttled' } },
        },
      },
    },
    data: { cost: { top_services: [{ service: 'AWS Lambda', cost: 1.5 }] }, 'service-usage': [] },
  };
}

const REMOVE = Symbol('remove');

/** A valid document with changes applied at dotted paths (`categories.cost.status`); REMOVE deletes a field. */
function documentWith(changes: Record<string, unknown>): string {
  const doc = JSON.parse(JSON.stringify(validSnapshot())) as Record<string, unknown>;
  for (const [path, value] of Object.entries(changes)) {
    const parts = path.split('.');
    const last = parts.pop() as string;
    let target = doc;
    for (const part of parts) target = target[part] as Record<string, unknown>;
    if (value === REMOVE) delete target[last];
    else target[last] = value;
  }
  return JSON.stringify(doc);
}

function contractError(run: () => unknown): DataContractError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DataContractError);
    return error as DataContractError;
  }
  throw new Error('expected a DataContractError, but nothing was thrown');
}

describe('parseSnapshot', () => {
  it('accepts a valid document and returns it as parsed', () => {
    const snapshot = parseSnapshot(JSON.stringify(validSnapshot()), key);
    expect(snapshot).toEqual(validSnapshot());
  });

  it('accepts a valid MONTHLY document under its loaded/ key', () => {
    const text = documentWith({ period: 'MONTHLY', window: { start: '2026-10-01', end: '2026-11-01' } });
    const snapshot = parseSnapshot(text, `loaded/${accountId}/2026-10-01_MONTHLY.json`);
    expect(snapshot.period).toBe('MONTHLY');
    expect(snapshot.window).toEqual({ start: '2026-10-01', end: '2026-11-01' });
  });

  it('rejects text that is not JSON, naming the key', () => {
    const error = contractError(() => parseSnapshot('{"format": ', key));
    expect(error.message).toMatch(new RegExp(`^snapshot ${key} is not valid JSON: `));
  });

  it('rejects another schema_version, naming the version found and the version it reads', () => {
    const error = contractError(() => parseSnapshot(documentWith({ schema_version: 2 }), key));
    expect(error.message).toBe(`snapshot ${key} has schema_version 2; this a360 reads version 1`);
  });

  it('rejects a schema_version of the wrong type, showing it as found', () => {
    const error = contractError(() => parseSnapshot(documentWith({ schema_version: '1' }), key));
    expect(error.message).toBe(`snapshot ${key} has schema_version "1"; this a360 reads version 1`);
  });

  it('rejects a document without schema_version, naming the field', () => {
    const error = contractError(() => parseSnapshot(documentWith({ schema_version: REMOVE }), key));
    expect(error.message).toMatch(new RegExp(`^snapshot ${key} is invalid: schema_version: `));
  });

  it('rejects a wrong format marker', () => {
    const error = contractError(() => parseSnapshot(documentWith({ format: 'other' }), key));
    expect(error.message).toContain('format: ');
  });

  it('rejects a JSON document that is not an object, at the root', () => {
    expect(contractError(() => parseSnapshot('null', key)).message).toContain('is invalid: (root): ');
    expect(contractError(() => parseSnapshot('[]', key)).message).toContain('is invalid: (root): ');
  });

  it('names the path of a missing category header field', () => {
    const error = contractError(() => parseSnapshot(documentWith({ 'categories.cost.status': REMOVE }), key));
    expect(error.message).toMatch(new RegExp(`^snapshot ${key} is invalid: categories\\.cost\\.status: `));
  });

  it('names the path of an invalid category header field', () => {
    const attempt = contractError(() => parseSnapshot(documentWith({ 'categories.cost.attempt': 0 }), key));
    expect(attempt.message).toContain('categories.cost.attempt: ');
    const status = contractError(() =>
      parseSnapshot(documentWith({ 'categories.cost.status': 'DONE' }), key),
    );
    expect(status.message).toContain('categories.cost.status: ');
    const collectedAt = contractError(() =>
      parseSnapshot(documentWith({ 'categories.cost.collected_at': '2026-11-26' }), key),
    );
    expect(collectedAt.message).toContain('categories.cost.collected_at: ');
  });

  it('names the path of an invalid region outcome inside a category header', () => {
    const error = contractError(() =>
      parseSnapshot(documentWith({ 'categories.service-usage.regions.eu-west-1.status': 'PARTIAL' }), key),
    );
    expect(error.message).toContain('categories.service-usage.regions.eu-west-1.status: ');
  });

  it('names the path of an invalid window day', () => {
    const error = contractError(() =>
      parseSnapshot(documentWith({ 'window.end': '2026-11-26T00:00:00Z' }), key),
    );
    expect(error.message).toContain('window.end: must be YYYY-MM-DD');
  });

  it('rejects a malformed account id with the field named', () => {
    const error = contractError(() => parseSnapshot(documentWith({ account_id: '12345' }), key));
    expect(error.message).toContain('account_id: must be a 12-digit AWS account id');
  });

  it('rejects an account that does not match its key, naming both accounts', () => {
    const otherKey = 'data/210987654321/2026-11-25_DAILY.json';
    const error = contractError(() => parseSnapshot(JSON.stringify(validSnapshot()), otherKey));
    expect(error.message).toBe(
      `snapshot ${otherKey} holds account ${accountId}, but its key names account 210987654321`,
    );
  });

  it('rejects a window start that does not match its key', () => {
    const otherKey = `data/${accountId}/2026-11-24_DAILY.json`;
    const error = contractError(() => parseSnapshot(JSON.stringify(validSnapshot()), otherKey));
    expect(error.message).toBe(`snapshot ${otherKey} holds DAILY 2026-11-25, which does not match its key`);
  });

  it('rejects a period that does not match its key', () => {
    const otherKey = `data/${accountId}/2026-11-25_MONTHLY.json`;
    const error = contractError(() => parseSnapshot(JSON.stringify(validSnapshot()), otherKey));
    expect(error.message).toBe(`snapshot ${otherKey} holds DAILY 2026-11-25, which does not match its key`);
  });
});

describe('snapshot keys', () => {
  it('parseSnapshotKey reads the account, start and period of a data/ key', () => {
    expect(parseSnapshotKey(`data/${accountId}/2026-11-25_DAILY.json`)).toEqual({
      accountId,
      start: '2026-11-25',
      period: 'DAILY',
    });
  });

  it('parseSnapshotKey reads a loaded/ key the same way', () => {
    expect(parseSnapshotKey(`loaded/${accountId}/2026-10-01_MONTHLY.json`)).toEqual({
      accountId,
      start: '2026-10-01',
      period: 'MONTHLY',
    });
  });

  it.each([
    `staging/${accountId}/2026-11-25_DAILY.json`,
    `/data/${accountId}/2026-11-25_DAILY.json`,
    `prefix/data/${accountId}/2026-11-25_DAILY.json`,
    'data/12345678901/2026-11-25_DAILY.json',
    'data/1234567890123/2026-11-25_DAILY.json',
    `data/${accountId}/2026-11-25_WEEKLY.json`,
    `data/${accountId}/2026-11-25_daily.json`,
    `data/${accountId}/2026-11-25_DAILY.json.bak`,
    `data/${accountId}/2026-11-25_DAILY`,
    `data/${accountId}/2026-1-25_DAILY.json`,
    `data/${accountId}/extra/2026-11-25_DAILY.json`,
    '',
  ])('parseSnapshotKey rejects %j with an InvalidInputError naming it', (bad) => {
    let caught: unknown;
    try {
      parseSnapshotKey(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidInputError);
    expect((caught as Error).message).toBe(
      `snapshot key must look like data/<12-digit account>/<YYYY-MM-DD>_<DAILY|MONTHLY>.json, got "${bad}"`,
    );
  });

  it('snapshotKey and loadedKey build keys that parseSnapshotKey reads back', () => {
    const key = snapshotKey(accountId, { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' });
    expect(key).toBe(`data/${accountId}/2026-10-01_MONTHLY.json`);
    expect(loadedKey(key)).toBe(`loaded/${accountId}/2026-10-01_MONTHLY.json`);
    expect(parseSnapshotKey(loadedKey(key))).toEqual(parseSnapshotKey(key));
  });
});

describe('formatIssues', () => {
  const costSchema = z.object({
    data: z.object({
      cost: z.object({
        top_services: z.array(z.object({ service: z.string(), cost: z.number() })),
      }),
    }),
  });

  function issuesOf(schema: z.ZodType, value: unknown) {
    const parsed = schema.safeParse(value);
    if (parsed.success) throw new Error('expected the value to be invalid');
    return parsed.error.issues;
  }

  it('names a nested array element with its index in brackets', () => {
    const issues = issuesOf(costSchema, {
      data: {
        cost: {
          top_services: [
            { service: 'a', cost: 1 },
            { service: 'b', cost: 'two' },
          ],
        },
      },
    });
    expect(formatIssues(issues)).toMatch(/^data\.cost\.top_services\[1\]\.cost: /);
  });

  it('names an array element at the root and an index directly inside an index', () => {
    const matrix = z.array(z.array(z.number()));
    expect(formatIssues(issuesOf(matrix, [[1], [2, 'x']]))).toMatch(/^\[1\]\[1\]: /);
  });

  it('puts the prefix in front of the path', () => {
    const issues = issuesOf(costSchema, { data: { cost: { top_services: [{ service: 'a' }] } } });
    expect(formatIssues(issues, 'payload')).toMatch(/^payload\.data\.cost\.top_services\[0\]\.cost: /);
  });

  it('calls an issue on the value itself (root)', () => {
    expect(formatIssues(issuesOf(z.string(), 5))).toMatch(/^\(root\): /);
  });

  it('joins issues with "; " and shows at most five, counting the rest', () => {
    const schema = z.object(
      Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((k) => [k, z.string()])),
    );
    const text = formatIssues(issuesOf(schema, {}));
    const parts = text.split('; ');
    expect(parts).toHaveLength(6);
    expect(parts.slice(0, 5).map((p) => p.split(':')[0])).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(parts[5]).toBe('and 2 more');
  });
});
