import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardCommand } from '../../functions/cli/commands/dashboard.ts';
import type { Output } from '../../functions/cli/render.ts';
import { addDays, isoDay } from '../../functions/platform/period.ts';
import { a360 } from '../support/cli.ts';

/**
 * The dashboard in Debian's Chromium, driven by playwright-core: a state directory filled through the CLI with
 * the sample organization (a MONTHLY run for the forecast, a three-day backfill and yesterday's run with one
 * failing category, so every page has data and a trend), the dashboard started by its command on a free port,
 * every page opened and its charts checked, a filter applied, no console error and no failed request.
 */

const CHROMIUM = '/usr/bin/chromium';
/** README's screenshot when A360_UPDATE_SCREENSHOT=1; otherwise taken all the same, into the temp folder. */
const SCREENSHOT =
  process.env.A360_UPDATE_SCREENSHOT === '1'
    ? resolve(import.meta.dirname, '../../docs/dashboard-overview.png')
    : resolve(tmpdir(), `a360-dashboard-overview-${process.pid}.png`);

/** The charts each page draws with the sample organization's data. */
const CHARTS: Record<string, string[]> = {
  overview: ['cost-trend', 'findings-severity', 'completeness'],
  cost: ['cost-by-account', 'cost-by-service', 'forecast', 'utilisation', 'savings'],
  security: ['by-severity', 'by-service', 'by-account', 'ageing', 'waf-checks'],
  compliance: ['score-by-account', 'non-compliant-by-rule', 'patch-status'],
  inventory: ['by-type', 'by-region', 'by-account', 'managed-instances'],
  operations: ['run-durations', 'category-durations', 'status-counts'],
};

const TABLES: Record<string, string[]> = {
  overview: ['accounts'],
  cost: ['top-movers', 'services', 'forecast-by-account', 'reservations', 'recommendations'],
  security: ['age-by-source', 'guardduty', 'inspector', 'kms', 'waf'],
  compliance: ['config-reports', 'non-compliant-resources', 'patch-by-account'],
  inventory: ['resources'],
  operations: ['runs', 'status-matrix', 'failures'],
};

const env = { DATABASE_URL: '' };
let stateDir: string;
let browser: Browser;
let baseUrl: string;
let stop: () => void;
let stopped: Promise<number>;
const problems: string[] = [];

async function fill(args: string[]): Promise<void> {
  const result = await a360([...args, '--sample', '4', '--retry-wait', '0', '--state-dir', stateDir], env);
  // 2: some categories failed (the injected fault); anything else is a broken setup.
  if (result.code !== 0 && result.code !== 2) throw new Error(`a360 ${args.join(' ')}: ${result.err}`);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: the dashboard browser test needs Debian's Chromium (apt-get install chromium)`,
    );
  }
  stateDir = mkdtempSync(join(tmpdir(), 'a360-dashboard-'));
  const today = isoDay(new Date());
  await fill(['run', '--period', 'MONTHLY', '--categories', 'cost']);
  await fill(['backfill', '--from', addDays(today, -4), '--to', addDays(today, -2)]);
  await fill(['run', '--faults', 'health=access-denied']);

  const output: Output = { isTTY: false, write: () => undefined, error: (text) => void problems.push(text) };
  const listening = new Promise<string>((resolveUrl) => {
    stopped = dashboardCommand(
      ['--port', '0', '--state-dir', stateDir],
      { output, env },
      {
        until: new Promise<void>((resolveStop) => {
          stop = resolveStop;
        }),
        onListening: resolveUrl,
      },
    );
  });
  baseUrl = await Promise.race([
    listening,
    stopped.then((code) => {
      throw new Error(`a360 dashboard exited with ${code}: ${problems.join('')}`);
    }),
  ]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  stop?.();
  await stopped;
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

/** A page that records console errors, uncaught exceptions, failed requests and HTTP errors. */
async function openPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('requestfailed', (request) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText}`),
  );
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, errors };
}

async function ready(page: Page): Promise<void> {
  await page.waitForSelector('body[data-state="ready"]', { timeout: 15_000 });
}

/** Each drawn chart's id with how many values Chart.js holds for it. */
function chartPoints(page: Page): Promise<Record<string, number>> {
  return page.evaluate(`(() => {
    const points = {};
    for (const canvas of document.querySelectorAll('canvas[data-chart]')) {
      const chart = window.Chart.getChart(canvas);
      points[canvas.dataset.chart] = chart
        ? chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0)
        : -1;
    }
    return points;
  })()`);
}

/** How many datasets a drawn chart has. */
function datasets(page: Page, chart: string): Promise<number> {
  return page.evaluate(
    `window.Chart.getChart(document.querySelector('canvas[data-chart="${chart}"]')).data.datasets.length`,
  );
}

const kpi = (page: Page, id: string) =>
  page.getAttribute(`[data-kpi="${id}"]`, 'data-value').then((v) => Number(v));

describe('a360 dashboard in Chromium', () => {
  it('renders every page with its charts and tables, with no console error or failed request', async () => {
    const { page, errors } = await openPage();
    for (const [name, charts] of Object.entries(CHARTS)) {
      await page.goto(`${baseUrl}/${name}`);
      await ready(page);
      const points = await chartPoints(page);
      expect(Object.keys(points).sort(), name).toEqual([...charts].sort());
      for (const chart of charts) expect(points[chart], `${name} ${chart}`).toBeGreaterThan(0);
      for (const table of TABLES[name] ?? []) {
        const rows = Number(await page.getAttribute(`table[data-table="${table}"]`, 'data-rows'));
        expect(rows, `${name} table ${table}`).toBeGreaterThan(0);
      }
      expect(await page.locator('[aria-current="page"]').textContent()).toMatch(new RegExp(name, 'i'));
      if (name === 'overview') {
        mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
      }
    }
    // The operations page names the rerun command of the failed run.
    await page.goto(`${baseUrl}/operations`);
    await ready(page);
    expect(await page.locator('table[data-table="failures"]').textContent()).toMatch(
      /npx a360 rerun --run r-/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('filters by account through the URL, on every page the link leads to', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${baseUrl}/overview`);
    await ready(page);
    const allAccounts = await kpi(page, 'accounts');
    const allCost = await kpi(page, 'range-cost');
    expect(allAccounts).toBeGreaterThan(1);

    const account = await page.locator('#filter-account option').nth(1).getAttribute('value');
    await page.selectOption('#filter-account', account as string);
    await page.waitForURL(new RegExp(`account=${account}`));
    await ready(page);
    expect(await kpi(page, 'accounts')).toBe(1);
    const oneCost = await kpi(page, 'range-cost');
    expect(oneCost).toBeGreaterThan(0);
    expect(oneCost).toBeLessThan(allCost);

    // The filter travels with the navigation and narrows the next page too.
    await page.click('nav a[data-page="cost"]');
    await page.waitForURL(new RegExp(`/cost\\?account=${account}`));
    await ready(page);
    expect(await page.inputValue('#filter-account')).toBe(account);
    expect(await datasets(page, 'cost-by-account')).toBe(1);

    // A shared link opens with the filter applied; a malformed one is refused, not run.
    await page.goto(`${baseUrl}/security?account=${account}&region=us-east-1`);
    await ready(page);
    expect(await page.inputValue('#filter-region')).toBe('us-east-1');
    const response = await page.request.get(`${baseUrl}/api/security?account=1%27%20OR%201%3D1--`);
    expect(response.status()).toBe(400);

    // Sortable tables: a click sorts by the column, a second click reverses.
    await page.goto(`${baseUrl}/overview`);
    await ready(page);
    const header = page.locator('table[data-table="accounts"] th', { hasText: 'Cost in range' });
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    await header.locator('button').click();
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    expect(errors).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
