import type { SqlParam, SqlParams } from '../ports.ts';

/**
 * The dashboard's filters, read from the URL query string. Each is validated against a strict pattern and
 * becomes a bound parameter of fixed SQL text: no filter value ever becomes SQL text. Unknown query
 * parameters are ignored; a malformed value of a known one is a `FilterError` (HTTP 400).
 */
export interface Filters {
  /** A 12-digit account id. */
  readonly account: string | null;
  /** A product name (`products.name`, any product the account is linked to). */
  readonly product: string | null;
  /** A customer name (`accounts.customer_name`). */
  readonly customer: string | null;
  /** An AWS region code (`us-east-1`) or `global`. */
  readonly region: string | null;
  /** First day, included (`YYYY-MM-DD`). */
  readonly from: string | null;
  /** Last day, included (`YYYY-MM-DD`). */
  readonly to: string | null;
}

export const FILTER_NAMES = ['account', 'product', 'customer', 'region', 'from', 'to'] as const;

export const NO_FILTERS: Filters = {
  account: null,
  product: null,
  customer: null,
  region: null,
  from: null,
  to: null,
};

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

const PATTERNS: Record<(typeof FILTER_NAMES)[number], { pattern: RegExp; says: string }> = {
  account: { pattern: /^\d{12}$/, says: 'a 12-digit account id' },
  // Names as Organizations tags and the tenant configuration allow them: letters, digits, space, . _ : / = + @ -
  product: { pattern: /^[\p{L}\p{N} ._:/=+@-]{1,128}$/u, says: 'a product name (up to 128 characters)' },
  customer: { pattern: /^[\p{L}\p{N} ._:/=+@&'-]{1,128}$/u, says: 'a customer name (up to 128 characters)' },
  region: { pattern: /^(global|[a-z]{2}(-[a-z]+)+-\d{1,2})$/, says: 'a region code such as us-east-1' },
  from: { pattern: /^\d{4}-\d{2}-\d{2}$/, says: 'a day as YYYY-MM-DD' },
  to: { pattern: /^\d{4}-\d{2}-\d{2}$/, says: 'a day as YYYY-MM-DD' },
};

function isRealDay(value: string): boolean {
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Reads and validates the filters of a query string; an empty value is no filter. */
export function parseFilters(query: URLSearchParams): Filters {
  const values: Record<string, string | null> = {};
  for (const name of FILTER_NAMES) {
    const all = query.getAll(name).filter((v) => v !== '');
    if (all.length > 1) throw new FilterError(`${name} is given more than once`);
    const value = all[0] ?? null;
    if (value !== null) {
      const { pattern, says } = PATTERNS[name];
      if (!pattern.test(value) || ((name === 'from' || name === 'to') && !isRealDay(value))) {
        throw new FilterError(`${name} must be ${says}`);
      }
    }
    values[name] = value;
  }
  if (values.from && values.to && values.from > values.to) {
    throw new FilterError('from must not be after to');
  }
  return values as unknown as Filters;
}

/** The filters as SQL parameters (`:account`, `:product`, `:customer`, `:region`, `:from`, `:to`). */
export function filterParams(filters: Filters): Record<string, SqlParam> {
  return {
    account: filters.account,
    product: filters.product,
    customer: filters.customer,
    region: filters.region,
    from: filters.from,
    to: filters.to,
  };
}

/**
 * Only the parameters the statement names: the Data API rejects parameters a statement does not use, and
 * node-postgres/PGlite would ignore them anyway.
 */
export function paramsFor(text: string, params: Readonly<Record<string, SqlParam>>): SqlParams {
  const used: Record<string, SqlParam> = {};
  for (const [name, value] of Object.entries(params)) {
    if (new RegExp(`(?<!:):${name}\\b`).test(text)) used[name] = value;
  }
  return used;
}

// SQL fragments: constant text over bound parameters. `alias` and `column` are always literals of this code.

/** Account, product and customer filters on a row with `account_id`. */
export function accountFilter(alias: string): string {
  return `(CAST(:account AS text) IS NULL OR ${alias}.account_id = CAST(:account AS text))
  AND (CAST(:product AS text) IS NULL OR ${alias}.account_id IN (
    SELECT pa.account_id FROM view_product_acct pa WHERE pa.project_product_name = CAST(:product AS text)))
  AND (CAST(:customer AS text) IS NULL OR ${alias}.account_id IN (
    SELECT c.id FROM account_dims c WHERE c.account_customer = CAST(:customer AS text)))`;
}

/** The region filter on a column (`global` matches rows whose region is `global` or empty). */
export function regionFilter(column: string): string {
  return `(CAST(:region AS text) IS NULL OR ${column} = CAST(:region AS text)
    OR (CAST(:region AS text) = 'global' AND (${column} IS NULL OR lower(${column}) IN ('global', 'aws-global'))))`;
}

/** The date range on a `date` (or timestamp) column: days from `from` to `to`, both included. */
export function dateFilter(column: string): string {
  return `(CAST(:from AS date) IS NULL OR CAST(${column} AS date) >= CAST(:from AS date))
  AND (CAST(:to AS date) IS NULL OR CAST(${column} AS date) <= CAST(:to AS date))`;
}
