import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../functions/platform/errors.ts';
import {
  daysOf,
  parsePeriod,
  previousWindow,
  resolveWindow,
  type Window,
} from '../../../functions/platform/period.ts';

const at = (iso: string) => new Date(iso);

function rejection(run: () => unknown): InvalidInputError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error('expected an InvalidInputError, but nothing was thrown');
}

describe('resolveWindow DAILY', () => {
  it('defaults to yesterday (UTC) relative to now', () => {
    expect(resolveWindow('DAILY', undefined, at('2026-11-26T21:05:12.345Z'))).toEqual({
      period: 'DAILY',
      start: '2026-11-25',
      end: '2026-11-26',
    });
  });

  it('uses the UTC day of now, not the local one, at the very start and end of a UTC day', () => {
    expect(resolveWindow('DAILY', undefined, at('2026-11-26T00:00:00.000Z')).start).toBe('2026-11-25');
    expect(resolveWindow('DAILY', undefined, at('2026-11-26T23:59:59.999Z')).start).toBe('2026-11-25');
  });

  it('crosses a month boundary: on March 1st yesterday is the last day of February', () => {
    expect(resolveWindow('DAILY', undefined, at('2026-03-01T06:00:00Z'))).toEqual({
      period: 'DAILY',
      start: '2026-02-28',
      end: '2026-03-01',
    });
  });

  it('crosses a year boundary: on January 1st yesterday is December 31st of the year before', () => {
    expect(resolveWindow('DAILY', undefined, at('2026-01-01T00:30:00Z'))).toEqual({
      period: 'DAILY',
      start: '2025-12-31',
      end: '2026-01-01',
    });
  });

  it('lands on a leap day: on March 1st of a leap year yesterday is February 29th', () => {
    expect(resolveWindow('DAILY', undefined, at('2024-03-01T12:00:00Z'))).toEqual({
      period: 'DAILY',
      start: '2024-02-29',
      end: '2024-03-01',
    });
  });

  it('uses the given day and ends the window the next day, across a year end', () => {
    expect(resolveWindow('DAILY', '2025-12-31', at('2026-06-01T00:00:00Z'))).toEqual({
      period: 'DAILY',
      start: '2025-12-31',
      end: '2026-01-01',
    });
    expect(resolveWindow('DAILY', '2024-02-29', at('2026-06-01T00:00:00Z'))).toEqual({
      period: 'DAILY',
      start: '2024-02-29',
      end: '2024-03-01',
    });
  });
});

describe('resolveWindow MONTHLY', () => {
  it('defaults to last month relative to now', () => {
    expect(resolveWindow('MONTHLY', undefined, at('2026-11-26T21:05:12Z'))).toEqual({
      period: 'MONTHLY',
      start: '2026-10-01',
      end: '2026-11-01',
    });
  });

  it('defaults to December of the year before in January', () => {
    expect(resolveWindow('MONTHLY', undefined, at('2026-01-01T00:00:00Z'))).toEqual({
      period: 'MONTHLY',
      start: '2025-12-01',
      end: '2026-01-01',
    });
  });

  it('defaults to February (not March) on March 31st, with no day-of-month overflow', () => {
    expect(resolveWindow('MONTHLY', undefined, at('2026-03-31T23:59:59Z'))).toEqual({
      period: 'MONTHLY',
      start: '2026-02-01',
      end: '2026-03-01',
    });
  });

  it('resolves any date inside a month to that whole calendar month', () => {
    const now = at('2027-06-01T00:00:00Z');
    const october: Window = { period: 'MONTHLY', start: '2026-10-01', end: '2026-11-01' };
    expect(resolveWindow('MONTHLY', '2026-10-01', now)).toEqual(october);
    expect(resolveWindow('MONTHLY', '2026-10-17', now)).toEqual(october);
    expect(resolveWindow('MONTHLY', '2026-10-31', now)).toEqual(october);
  });

  it('resolves December to a window that ends on January 1st of the next year', () => {
    expect(resolveWindow('MONTHLY', '2026-12-15', at('2027-06-01T00:00:00Z'))).toEqual({
      period: 'MONTHLY',
      start: '2026-12-01',
      end: '2027-01-01',
    });
  });

  it('resolves a leap day to February of that leap year', () => {
    expect(resolveWindow('MONTHLY', '2024-02-29', at('2026-06-01T00:00:00Z'))).toEqual({
      period: 'MONTHLY',
      start: '2024-02-01',
      end: '2024-03-01',
    });
  });
});

describe('resolveWindow with an invalid date', () => {
  const now = at('2026-11-26T00:00:00Z');

  it.each([
    ['DAILY', '2026-02-30'],
    ['DAILY', '2026-13-01'],
    ['DAILY', '2026-1-1'],
    ['DAILY', '2025-02-29'],
    ['DAILY', '2026-00-10'],
    ['DAILY', '2026-04-31'],
    ['DAILY', '20261126'],
    ['DAILY', ''],
    ['MONTHLY', '2026-02-30'],
    ['MONTHLY', '2026-13-01'],
    ['MONTHLY', '2026-1-1'],
    ['MONTHLY', '2025-02-29'],
  ] as const)('%s rejects %j with an InvalidInputError that names the value', (period, date) => {
    const error = rejection(() => resolveWindow(period, date, now));
    expect(error.message).toContain(`"${date}"`);
    expect(error.name).toBe('InvalidInputError');
  });

  it('says why: a wrong shape must be YYYY-MM-DD, a well-shaped non-day is not a calendar day', () => {
    expect(rejection(() => resolveWindow('DAILY', '2026-1-1', now)).message).toBe(
      'date must be YYYY-MM-DD, got "2026-1-1"',
    );
    expect(rejection(() => resolveWindow('DAILY', '2026-02-30', now)).message).toBe(
      'date is not a calendar day: "2026-02-30"',
    );
    expect(rejection(() => resolveWindow('MONTHLY', '2026-13-01', now)).message).toBe(
      'date is not a calendar day: "2026-13-01"',
    );
  });
});

describe('previousWindow', () => {
  it('is the day before for a DAILY window', () => {
    expect(previousWindow({ period: 'DAILY', start: '2026-11-25', end: '2026-11-26' })).toEqual({
      period: 'DAILY',
      start: '2026-11-24',
      end: '2026-11-25',
    });
  });

  it('crosses month, year and leap-day boundaries for a DAILY window', () => {
    expect(previousWindow({ period: 'DAILY', start: '2026-01-01', end: '2026-01-02' })).toEqual({
      period: 'DAILY',
      start: '2025-12-31',
      end: '2026-01-01',
    });
    expect(previousWindow({ period: 'DAILY', start: '2024-03-01', end: '2024-03-02' })).toEqual({
      period: 'DAILY',
      start: '2024-02-29',
      end: '2024-03-01',
    });
  });

  it('is the calendar month before for a MONTHLY window', () => {
    expect(previousWindow({ period: 'MONTHLY', start: '2026-03-01', end: '2026-04-01' })).toEqual({
      period: 'MONTHLY',
      start: '2026-02-01',
      end: '2026-03-01',
    });
  });

  it('goes from January back to December of the year before', () => {
    expect(previousWindow({ period: 'MONTHLY', start: '2026-01-01', end: '2026-02-01' })).toEqual({
      period: 'MONTHLY',
      start: '2025-12-01',
      end: '2026-01-01',
    });
  });
});

describe('daysOf', () => {
  it('is the single day of a DAILY window', () => {
    expect(daysOf({ period: 'DAILY', start: '2025-12-31', end: '2026-01-01' })).toEqual(['2025-12-31']);
  });

  it('lists every day of a leap February in order, end exclusive', () => {
    const days = daysOf({ period: 'MONTHLY', start: '2024-02-01', end: '2024-03-01' });
    expect(days).toHaveLength(29);
    expect(days[0]).toBe('2024-02-01');
    expect(days[27]).toBe('2024-02-28');
    expect(days[28]).toBe('2024-02-29');
    expect([...days].sort()).toEqual(days);
    expect(new Set(days).size).toBe(29);
  });

  it('lists 28 days for a non-leap February and 31 for December, ending on the 31st', () => {
    expect(daysOf({ period: 'MONTHLY', start: '2026-02-01', end: '2026-03-01' })).toHaveLength(28);
    const december = daysOf({ period: 'MONTHLY', start: '2025-12-01', end: '2026-01-01' });
    expect(december).toHaveLength(31);
    expect(december.at(-1)).toBe('2025-12-31');
  });

  it('is empty for an empty window', () => {
    expect(daysOf({ period: 'DAILY', start: '2026-01-01', end: '2026-01-01' })).toEqual([]);
  });
});

describe('parsePeriod', () => {
  it.each([
    ['DAILY', 'DAILY'],
    ['daily', 'DAILY'],
    ['Daily', 'DAILY'],
    ['MONTHLY', 'MONTHLY'],
    ['monthly', 'MONTHLY'],
    ['mOnThLy', 'MONTHLY'],
  ])('reads %j as %s, case-insensitively', (input, expected) => {
    expect(parsePeriod(input)).toBe(expected);
  });

  it.each([
    ['WEEKLY', '"WEEKLY"'],
    ['', '""'],
    [' daily', '" daily"'],
    [1, '1'],
    [null, 'null'],
  ])('rejects %j with an InvalidInputError listing the periods', (input, shown) => {
    const error = rejection(() => parsePeriod(input));
    expect(error.message).toBe(`period must be one of DAILY, MONTHLY, got ${shown}`);
  });

  it('rejects a missing period', () => {
    expect(rejection(() => parsePeriod(undefined)).message).toMatch(/^period must be one of DAILY, MONTHLY/);
  });
});
