import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteSql } from '../../../functions/adapters/sql/pglite-sql.ts';
import { PAGES, startDashboard } from '../../../functions/dashboard/server.ts';
import type { Sql, SqlParams } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';
import { populate } from '../../views/populate.ts';

type Json = Record<string, unknown>;
interface Series {
  labels: string[];
  datasets: Array<{ label: string; data: number[] }>;
}

/** Records every statement and its parameters, to show that filter values never become SQL text. */
function recording(sql: Sql): {
  sql: Sql;
  statements: Array<{ text: string; params: SqlParams | undefined }>;
} {
  const statements: Array<{ text: string; params: SqlParams | undefined }> = [];
  return {
    statements,
    sql: {
      ...sql,
      backend: sql.backend,
      query: (text, params) => {
        statements.push({ text, params });
        return sql.query(text, params);
      },
      execute: (text, params) => sql.execute(text, params),
      transaction: (work) => sql.transaction(work),
      close: () => sql.close(),
    },
  };
}

/** A raw HTTP request (fetch cannot send a foreign Host header). */
function raw(
  url: string,
  options: { method?: string; host?: string } = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: options.host ? { host: options.host } : {},
      },
      (response) => {
        let body = '';
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body, headers: response.headers }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe.each(databaseBackends())('dashboard API on $name', (backend) => {
  const db = useDatabase(backend);
  let url: string;
  let close: () => Promise<void>;
  let statements: Array<{ text: string; params: SqlParams | undefined }>;

  beforeAll(async () => {
    await populate(db.sql);
    const recorder = recording(db.sql);
    statements = recorder.statements;
    const server = await startDashboard({ sql: recorder.sql });
    url = server.url;
    close = server.close;
  }, 120_000);

  afterAll(async () => {
    await close?.();
  });

  async function api(page: string, query = ''): Promise<Json> {
    const response = await fetch(`${url}/api/${page}${query ? `?${query}` : ''}`);
    expect(response.status, `${page}?${query}: ${response.status}`).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return ((await response.json()) as { data: Json }).data;
  }

  it('answers every page with data from the views', async () => {
    const filters = await api('filters');
    expect((filters.accounts as unknown[]).length).toBeGreaterThan(1);
    expect(filters.regions).toEqual(expect.arrayContaining(['us-east-1', 'eu-west-1']));
    expect(filters.lastDay).toBe('2026-11-24');

    const overview = await api('overview');
    const kpis = overview.kpis as Json;
    expect(kpis.accounts).toBe((filters.accounts as unknown[]).length);
    expect(kpis.rangeCost).toBeGreaterThan(0);
    expect(kpis.forecast).toBeGreaterThan(0);
    expect(kpis.openFindings).toBeGreaterThan(0);
    expect((overview.costTrend as Series).labels).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);

    const cost = await api('cost');
    expect((cost.costByAccount as Series).datasets.length).toBe(kpis.accounts);
    expect((cost.forecast as Series).labels.length).toBeGreaterThan(0);
    expect((cost.utilisation as Series).labels.length).toBeGreaterThan(0);
    expect((cost.topMovers as Json[]).every((m) => m.date === '2026-11-24')).toBe(true);

    const security = await api('security');
    expect((security.bySeverity as Series).datasets[0]?.data.reduce((a, b) => a + b, 0)).toBe(
      (security.kpis as Json).openFindings,
    );
    expect((security.waf as Json[]).length).toBeGreaterThan(0);

    const compliance = await api('compliance');
    expect((compliance.reports as Json[]).length).toBeGreaterThan(0);
    expect((compliance.patchStatus as Series).labels.length).toBeGreaterThan(0);

    const inventory = await api('inventory');
    expect((inventory.kpis as Json).resources).toBeGreaterThan(0);

    const operations = await api('operations');
    const runs = operations.runs as Json[];
    expect(runs.map((r) => r.run_id)).toContain('r-views-faulty');
    expect(runs.find((r) => r.run_id === 'r-views-faulty')?.rerun).toBe(
      'npx a360 rerun --run r-views-faulty',
    );
    expect((operations.failures as Json[]).some((f) => f.category === 'support-cases')).toBe(true);
  });

  it('narrows every page to one account, product, region or date range', async () => {
    const filters = await api('filters');
    const account = (filters.accounts as Array<{ id: string }>)[1]?.id as string;
    const q = `account=${account}`;

    const overview = await api('overview', q);
    expect((overview.accounts as Json[]).map((a) => a.account_id)).toEqual([account]);
    const cost = await api('cost', q);
    expect((cost.costByAccount as Series).datasets).toHaveLength(1);
    const security = await api('security', q);
    expect((security.byAccount as Series).labels).toHaveLength(1);
    const compliance = await api('compliance', q);
    expect(new Set((compliance.reports as Json[]).map((r) => r.account_id))).toEqual(new Set([account]));
    const inventory = await api('inventory', q);
    expect((inventory.byAccount as Series).labels).toHaveLength(1);
    const operations = await api('operations', q);
    expect(new Set((operations.completeness as Json[]).map((r) => r.account_id))).toEqual(new Set([account]));

    const region = await api('inventory', 'region=eu-west-1');
    expect((region.byRegion as Series).labels).toEqual(['eu-west-1']);
    const regionSecurity = await api('security', 'region=eu-west-1');
    expect((regionSecurity.kpis as Json).openFindings).toBeLessThan(
      ((await api('security')).kpis as Json).openFindings as number,
    );

    const days = await api('cost', 'from=2026-11-23&to=2026-11-23');
    expect((days.costByService as Series).labels).toEqual(['2026-11-23']);
    expect((days.topMovers as Json[]).every((m) => m.date === '2026-11-23')).toBe(true);
    const runs = await api('operations', 'from=2026-11-24&to=2026-11-24');
    expect((runs.runs as Json[]).every((r) => r.window_start === '2026-11-24')).toBe(true);

    for (const product of filters.products as string[]) {
      const byProduct = await api('overview', `product=${encodeURIComponent(product)}`);
      const accounts = byProduct.accounts as Json[];
      expect(accounts.length).toBeGreaterThan(0);
      expect(accounts.length).toBeLessThan((filters.accounts as unknown[]).length);
    }
    const nobody = await api('overview', 'customer=nobody');
    expect(nobody.accounts).toEqual([]);
  });

  it('binds filter values as parameters: the SQL text never changes and injection attempts are harmless', async () => {
    statements.length = 0;
    await api('security');
    const plain = statements.map((s) => s.text);
    statements.length = 0;
    // Passes the customer pattern (quotes, spaces and = are in names), so it reaches the database, bound.
    const sneaky = "x' OR '1'='1";
    const result = await api('security', `customer=${encodeURIComponent(sneaky)}&region=eu-west-1`);
    expect(statements.map((s) => s.text)).toEqual(plain);
    for (const { text, params } of statements) {
      expect(text).not.toContain(sneaky);
      expect(text).not.toContain('eu-west-1');
      if (text.includes(':customer')) expect(params?.customer).toBe(sneaky);
    }
    expect((result.kpis as Json).openFindings).toBe(0);

    // Malformed values are refused before any query runs.
    const attempts = [
      'account=1%27%20OR%201%3D1--',
      'account=123456789012;DROP%20TABLE%20accounts',
      'product=a%27;%20DROP%20TABLE%20accounts;--',
      'region=us-east-1%27--',
      'from=2026-11-01%27',
      'to=2026-02-30',
      'from=2026-11-24&to=2026-11-01',
      'account=1&account=2',
    ];
    statements.length = 0;
    for (const attempt of attempts) {
      const response = await fetch(`${url}/api/overview?${attempt}`);
      expect(response.status, attempt).toBe(400);
      expect(((await response.json()) as Json).error).toEqual(expect.any(String));
    }
    expect(statements).toEqual([]);
    expect((await db.sql.query('SELECT count(*) AS n FROM accounts'))[0]?.n).toBeGreaterThan(0);
    // Unknown parameters are ignored.
    await api('overview', 'colour=blue');
  });

  it('serves only GET on its loopback names, with a strict content security policy', async () => {
    expect((await raw(`${url}/api/overview`, { method: 'POST' })).status).toBe(405);
    expect((await raw(`${url}/api/overview`, { method: 'DELETE' })).status).toBe(405);
    expect((await raw(`${url}/api/overview`, { host: 'evil.example:80' })).status).toBe(421);
    expect((await raw(`${url}/api/nothing`)).status).toBe(404);
    expect((await raw(`${url}/static/../server.ts`)).status).toBe(404);
    expect((await raw(`${url}/`)).headers.location).toBe('/overview');
    for (const page of PAGES) {
      const response = await raw(`${url}/${page}`);
      expect(response.status).toBe(200);
      expect(response.body).toContain('/vendor/chart.umd.min.js');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    }
    const chart = await raw(`${url}/vendor/chart.umd.min.js`);
    expect(chart.status).toBe(200);
    expect(chart.body).toContain('Chart');
  });
});

describe('dashboard API on an empty database', () => {
  it('answers 503 with what to run before the schema exists, and empty pages after', async () => {
    const sql = await createPgliteSql();
    const server = await startDashboard({ sql });
    try {
      const before = await fetch(`${server.url}/api/overview`);
      expect(before.status).toBe(503);
      expect(((await before.json()) as Json).hint).toMatch(/npx a360 run --sample/);
      const { migrate, readSchemaFiles } = await import('../../../functions/core/migrate.ts');
      await migrate(sql, await readSchemaFiles());
      for (const page of [...PAGES, 'filters']) {
        const response = await fetch(`${server.url}/api/${page}`);
        expect(response.status, page).toBe(200);
      }
      const overview = ((await (await fetch(`${server.url}/api/overview`)).json()) as { data: Json }).data;
      expect(overview.accounts).toEqual([]);
      expect((overview.costTrend as Series).labels).toEqual([]);
    } finally {
      await server.close();
      await sql.close();
    }
  }, 60_000);
});
