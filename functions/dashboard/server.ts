import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from '../ports.ts';
import { FilterError, type Filters, NO_FILTERS, parseFilters } from './filters.ts';
import { compliancePage } from './queries/compliance.ts';
import { costPage } from './queries/cost.ts';
import { filterOptions } from './queries/filter-options.ts';
import { inventoryPage } from './queries/inventory.ts';
import { operationsPage } from './queries/operations.ts';
import { overviewPage } from './queries/overview.ts';
import { securityPage } from './queries/security.ts';

/** The dashboard's pages, in navigation order; each has `/<page>` (HTML) and `/api/<page>` (JSON). */
export const PAGES = ['overview', 'cost', 'security', 'compliance', 'inventory', 'operations'] as const;
export type Page = (typeof PAGES)[number];

const API: Record<Page | 'filters', (sql: Sql, filters: Filters) => Promise<unknown>> = {
  overview: overviewPage,
  cost: costPage,
  security: securityPage,
  compliance: compliancePage,
  inventory: inventoryPage,
  operations: operationsPage,
  filters: (sql) => filterOptions(sql),
};

/** The views the dashboard cannot do without (sql/views/040_analytics.sql, the newest). */
const SCHEMA_READY = `
SELECT to_regclass('view_executive_summary') IS NOT NULL AND to_regclass('view_cost_daily_trend') IS NOT NULL
   AND to_regclass('view_findings_lifecycle') IS NOT NULL AND to_regclass('view_data_completeness') IS NOT NULL
   AS ready`;

const NOT_READY = {
  error: 'The database has no a360 views yet.',
  hint: 'Run npx a360 run --sample (or npx a360 db migrate), then reload.',
};

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Every file the server sends, read once: the pages' shell, its script and style, and Chart.js from npm. */
function loadAssets(): Map<string, Asset> {
  const chartDir = dirname(createRequire(import.meta.url).resolve('chart.js'));
  const file = (path: string, type: string): Asset => ({ type, body: readFileSync(path) });
  return new Map([
    ['/index.html', file(join(here, 'static', 'index.html'), 'text/html; charset=utf-8')],
    ['/static/app.js', file(join(here, 'static', 'app.js'), 'text/javascript; charset=utf-8')],
    ['/static/app.css', file(join(here, 'static', 'app.css'), 'text/css; charset=utf-8')],
    ['/vendor/chart.umd.min.js', file(join(chartDir, 'chart.umd.min.js'), 'text/javascript; charset=utf-8')],
    ['/vendor/chart.umd.min.js.map', file(join(chartDir, 'chart.umd.min.js.map'), 'application/json')],
  ]);
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface DashboardServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface DashboardOptions {
  readonly sql: Sql;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Where unexpected errors are reported (the HTTP answer is a generic 500). */
  readonly onError?: (error: unknown, path: string) => void;
}

/** Serves the dashboard on 127.0.0.1: GET and HEAD only, fixed parameterised SELECTs over the views. */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const assets = loadAssets();
  let ready = false;
  const schemaReady = async () => {
    if (!ready) ready = (await options.sql.query<{ ready: boolean }>(SCHEMA_READY))[0]?.ready === true;
    return ready;
  };
  let port = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const send = (
      status: number,
      type: string,
      body: string | Buffer,
      headers: Record<string, string> = {},
    ) => {
      response.writeHead(status, {
        ...SECURITY_HEADERS,
        'content-type': type,
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    const json = (status: number, value: unknown) =>
      send(status, 'application/json; charset=utf-8', JSON.stringify(value), { 'cache-control': 'no-store' });

    // Only this machine's names: a page elsewhere cannot reach the server through DNS rebinding.
    const host = request.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
      return send(421, 'text/plain; charset=utf-8', 'misdirected request\n');
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return send(405, 'text/plain; charset=utf-8', 'the dashboard is read-only: GET only\n', {
        allow: 'GET, HEAD',
      });
    }
    const url = new URL(request.url ?? '/', `http://${host}`);
    const path = url.pathname;
    if (path === '/')
      return send(302, 'text/plain; charset=utf-8', '', { location: `/overview${url.search}` });
    if ((PAGES as readonly string[]).includes(path.slice(1))) {
      const shell = assets.get('/index.html') as Asset;
      return send(200, shell.type, shell.body, { 'cache-control': 'no-cache' });
    }
    const asset = path === '/index.html' ? undefined : assets.get(path);
    if (asset) return send(200, asset.type, asset.body, { 'cache-control': 'no-cache' });

    const api = /^\/api\/([a-z]+)$/.exec(path)?.[1];
    if (api && api in API) {
      let filters: Filters = NO_FILTERS;
      try {
        filters = parseFilters(url.searchParams);
      } catch (error) {
        if (error instanceof FilterError) return json(400, { error: error.message });
        throw error;
      }
      if (!(await schemaReady())) return json(503, NOT_READY);
      const data = await API[api as keyof typeof API](options.sql, filters);
      return json(200, { page: api, filters, data });
    }
    return send(404, 'text/plain; charset=utf-8', 'not found\n');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      options.onError?.(error, request.url ?? '');
      if (!response.headersSent) {
        const body = JSON.stringify({ error: 'The query failed; see the dashboard log.' });
        response.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
        response.end(body);
      } else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
