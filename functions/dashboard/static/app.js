// The a360 dashboard's front end: plain ES module, no build step. Chart.js (UMD, served by the dashboard from
// node_modules) provides `window.Chart`. Every value from the API is put in the page as text, never as HTML.

const PAGES = [
  ['overview', 'Overview'],
  ['cost', 'Cost'],
  ['security', 'Security'],
  ['compliance', 'Compliance'],
  ['inventory', 'Inventory'],
  ['operations', 'Operations'],
];
const FILTERS = ['account', 'product', 'customer', 'region', 'from', 'to'];
const page = PAGES.some(([p]) => `/${p}` === location.pathname) ? location.pathname.slice(1) : 'overview';

/** What each page's filters apply to: the data has the dimension or it does not. */
const SCOPE = {
  overview:
    'Account, product and customer filter everything; region filters open findings; dates filter the cost trend and cost in range.',
  cost: 'Account, product and customer filter everything; region filters reservations and Compute Optimizer; dates filter daily cost and reservations (forecasts and savings are current).',
  security:
    'Account, product, customer and region filter everything; dates do not apply (findings, keys, certificates and web ACLs are current state).',
  compliance:
    'Account, product, customer and region filter everything; dates pick the Config reports whose window starts in the range.',
  inventory:
    'Account, product, customer and region filter everything; dates do not apply (resources present now).',
  operations:
    'Account, product and customer filter runs and slices; dates filter runs by their window start; region does not apply.',
};

const RUN_HINT = 'npx a360 run --sample';

// ---------------------------------------------------------------------------------------------- formatting

const moneyFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
const moneyShort = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  notation: 'compact',
  maximumFractionDigits: 1,
});
const countFormat = new Intl.NumberFormat('en-US');
const decimalFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

const FORMAT = {
  money: (v) => (v === null || v === undefined ? '–' : moneyFormat.format(v)),
  signedMoney: (v) => (v === null || v === undefined ? '–' : `${v > 0 ? '+' : ''}${moneyFormat.format(v)}`),
  count: (v) => (v === null || v === undefined ? '–' : countFormat.format(v)),
  percent: (v) => (v === null || v === undefined ? '–' : `${decimalFormat.format(v)} %`),
  signedPercent: (v) =>
    v === null || v === undefined ? '–' : `${v > 0 ? '+' : ''}${decimalFormat.format(v)} %`,
  decimal: (v) => (v === null || v === undefined ? '–' : decimalFormat.format(v)),
  day: (v) => (v ? String(v).slice(0, 10) : '–'),
  time: (v) => (v ? `${String(v).replace('T', ' ').slice(0, 16)} UTC` : '–'),
  bool: (v) => (v === null || v === undefined ? '–' : v ? 'yes' : 'no'),
  text: (v) => (v === null || v === undefined ? '' : String(v)),
};
const NUMERIC = new Set(['money', 'signedMoney', 'count', 'percent', 'signedPercent', 'decimal']);

// ------------------------------------------------------------------------------------------------- DOM

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function filtersActive() {
  const query = new URLSearchParams(location.search);
  return FILTERS.some((f) => query.get(f));
}

/** An empty state: what is missing and the command that fills it. */
function emptyState(message, command = RUN_HINT) {
  return el(
    'div',
    { class: 'empty', 'data-empty': '' },
    `${message}: run `,
    el('code', {}, command),
    filtersActive() ? ', or clear the filters.' : '.',
  );
}

function card(title, body, { wide = false, note } = {}) {
  return el(
    'section',
    { class: `card${wide ? ' wide' : ''}` },
    el('h2', {}, title),
    note ? el('p', { class: 'note' }, note) : null,
    body,
  );
}

function kpis(items) {
  return el(
    'div',
    { class: 'kpis' },
    items.map(({ id, label, value, format = 'count', sub, trend }) =>
      el(
        'div',
        { class: 'kpi', 'data-kpi': id, 'data-value': value ?? '' },
        el('span', { class: 'label' }, label),
        el('span', { class: 'value' }, FORMAT[format](value)),
        sub ? el('span', { class: `sub${trend ? ` ${trend}` : ''}` }, sub) : null,
      ),
    ),
  );
}

function badge(value, extra = '') {
  if (value === null || value === undefined || value === '') return '';
  return el(
    'span',
    { class: `badge ${String(value).replace(/[^A-Za-z_]/g, '_')} ${extra}`.trim() },
    String(value),
  );
}

// ---------------------------------------------------------------------------------------------- charts

const PALETTE = [
  '#2563eb',
  '#f97316',
  '#16a34a',
  '#dc2626',
  '#9333ea',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#64748b',
];
const NAMED_COLORS = {
  CRITICAL: '#7f1d1d',
  HIGH: '#dc2626',
  MEDIUM: '#f97316',
  LOW: '#eab308',
  INFORMATIONAL: '#94a3b8',
  UNTRIAGED: '#a855f7',
  SUCCEEDED: '#16a34a',
  FAILED: '#dc2626',
  PARTIAL: '#f97316',
  SKIPPED: '#94a3b8',
  RUNNING: '#2563eb',
  'NEVER RUN': '#cbd5e1',
  COMPLIANT: '#16a34a',
  NON_COMPLIANT: '#dc2626',
  'NOT SCANNED': '#94a3b8',
  Pass: '#16a34a',
  Fail: '#dc2626',
  Other: '#94a3b8',
};
const color = (name, i) => NAMED_COLORS[name] ?? PALETTE[i % PALETTE.length];

let pendingCharts = [];
let liveCharts = [];

/**
 * A chart card, or its empty state. The canvas carries `data-chart` and `data-points` (how many values it
 * plots) so that tests and people can tell a drawn chart from an empty one.
 */
function chartCard({
  id,
  title,
  series,
  kind = 'bar',
  format = 'money',
  stacked = false,
  horizontal = false,
  empty,
  command,
  note,
  wide,
  tall,
  max,
}) {
  const points = series ? series.datasets.reduce((n, d) => n + d.data.length, 0) : 0;
  if (!series || series.labels.length === 0 || points === 0) {
    return card(title, emptyState(empty, command), { note, wide });
  }
  const canvas = el('canvas', { 'data-chart': id, 'data-points': points, role: 'img', 'aria-label': title });
  const round = kind === 'doughnut';
  const perLabelColors =
    series.datasets.length === 1 && (round || series.labels.some((l) => l in NAMED_COLORS));
  const datasets = series.datasets.map((d, i) => {
    const c = perLabelColors ? series.labels.map((l, j) => color(l, j)) : color(d.label, i);
    return {
      label: d.label,
      data: d.data,
      backgroundColor: kind === 'line' ? `${color(d.label, i)}33` : c,
      borderColor: kind === 'line' ? color(d.label, i) : round ? '#fff' : c,
      borderWidth: kind === 'line' ? 2 : 1,
      fill: kind === 'line' && series.datasets.length === 1,
      tension: 0.25,
      pointRadius: kind === 'line' ? 3 : undefined,
    };
  });
  const valueFormat = FORMAT[format];
  const axisFormat = format === 'money' ? (v) => moneyShort.format(v) : (v) => valueFormat(v);
  const valueAxis = horizontal ? 'x' : 'y';
  const options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    indexAxis: horizontal ? 'y' : 'x',
    plugins: {
      legend: { display: round || series.datasets.length > 1, position: round ? 'right' : 'bottom' },
      tooltip: {
        callbacks: {
          label: (ctx) => {
            const v = round ? ctx.parsed : ctx.parsed[valueAxis];
            return `${round ? ctx.label : ctx.dataset.label}: ${valueFormat(v)}`;
          },
        },
      },
    },
  };
  if (!round) {
    options.scales = {
      x: { stacked, ticks: horizontal ? { callback: axisFormat } : { autoSkip: true, maxRotation: 45 } },
      y: { stacked, beginAtZero: true, ticks: horizontal ? { autoSkip: false } : { callback: axisFormat } },
    };
    if (max !== undefined) options.scales[valueAxis].max = max;
  }
  pendingCharts.push(
    () => new window.Chart(canvas, { type: kind, data: { labels: series.labels, datasets }, options }),
  );
  return card(title, el('div', { class: `chart-box${tall ? ' tall' : ''}` }, canvas), { note, wide });
}

// ---------------------------------------------------------------------------------------------- tables

function compare(a, b) {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1;
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

/**
 * A sortable table (click a header; again to reverse) or its empty state. Columns: `{ key, label, format,
 * render, wrap }`; `render(row)` returns a node for cells that are more than text.
 */
function tableCard({ id, title, columns, rows, empty, command, note, wide = true }) {
  if (!rows || rows.length === 0) return card(title, emptyState(empty, command), { note, wide });
  let order = { key: null, direction: 1 };
  const body = el('tbody');
  const headers = columns.map((column) => {
    const numeric = NUMERIC.has(column.format);
    const th = el('th', { scope: 'col', class: numeric ? 'num' : null, 'aria-sort': 'none' });
    th.append(
      el(
        'button',
        {
          type: 'button',
          onclick: () => {
            order = {
              key: column.key,
              direction: order.key === column.key ? -order.direction : numeric ? -1 : 1,
            };
            for (const h of headers) h.setAttribute('aria-sort', 'none');
            th.setAttribute('aria-sort', order.direction === 1 ? 'ascending' : 'descending');
            draw();
          },
        },
        column.label,
      ),
    );
    return th;
  });
  const draw = () => {
    const sorted =
      order.key === null
        ? rows
        : [...rows].sort((a, b) => {
            const c = compare(a[order.key], b[order.key]);
            // Empty values stay last whichever the direction.
            const emptyA = a[order.key] === null || a[order.key] === undefined || a[order.key] === '';
            const emptyB = b[order.key] === null || b[order.key] === undefined || b[order.key] === '';
            return emptyA || emptyB ? c : c * order.direction;
          });
    body.replaceChildren(
      ...sorted.map((row) =>
        el(
          'tr',
          {},
          columns.map((column) =>
            el(
              'td',
              {
                class:
                  [NUMERIC.has(column.format) ? 'num' : '', column.wrap ? 'wrap' : ''].join(' ').trim() ||
                  null,
              },
              column.render ? column.render(row) : FORMAT[column.format ?? 'text'](row[column.key]),
            ),
          ),
        ),
      ),
    );
  };
  draw();
  const table = el(
    'table',
    { class: 'data', 'data-table': id, 'data-rows': rows.length },
    el('thead', {}, el('tr', {}, headers)),
    body,
  );
  return card(title, el('div', { class: 'table-wrap' }, table), { note, wide });
}

const code = (text) => (text ? el('code', { class: 'cmd' }, text) : '');

// ----------------------------------------------------------------------------------------------- pages

function overview(d) {
  const k = d.kpis;
  const change = k.costChange;
  return [
    kpis([
      { id: 'accounts', label: 'Accounts', value: k.accounts },
      {
        id: 'range-cost',
        label: 'Cost in range',
        value: k.rangeCost,
        format: 'money',
        sub: `${d.costTrend.labels.length} days`,
      },
      {
        id: 'latest-day-cost',
        label: 'Latest day',
        value: k.latestDayCost,
        format: 'money',
        sub: change === null ? 'no day before' : `${FORMAT.signedMoney(change)} on the day before`,
        trend: change > 0 ? 'up' : change < 0 ? 'down' : '',
      },
      {
        id: 'month-cost',
        label: 'Latest month',
        value: k.monthCost,
        format: 'money',
        sub: k.monthCost === null ? 'no monthly run yet' : null,
      },
      {
        id: 'forecast',
        label: 'Forecast',
        value: k.forecast,
        format: 'money',
        sub: k.forecast === null ? 'run --period MONTHLY' : 'to the end of next month',
      },
      {
        id: 'open-findings',
        label: 'Open findings',
        value: k.openFindings,
        sub: `${FORMAT.count(k.openCritical)} critical`,
      },
      { id: 'compliance', label: 'Config compliance', value: k.complianceScore, format: 'percent' },
      { id: 'patch', label: 'Patch compliance', value: k.patchCompliance, format: 'percent' },
      { id: 'savings', label: 'Potential savings / month', value: k.potentialSavings, format: 'money' },
      {
        id: 'completeness',
        label: 'Data complete',
        value: k.completeness,
        format: 'percent',
        sub: `${FORMAT.count(k.staleSlices)} slices stale or never loaded`,
      },
    ]),
    chartCard({
      id: 'cost-trend',
      title: 'Total cost per day',
      series: d.costTrend,
      kind: 'line',
      empty: 'No cost data yet',
    }),
    chartCard({
      id: 'findings-severity',
      title: 'Open findings by severity',
      series: d.findingsBySeverity,
      format: 'count',
      empty: 'No findings yet',
    }),
    chartCard({
      id: 'completeness',
      title: 'Data completeness (latest state of each account x category)',
      series: d.completeness,
      kind: 'doughnut',
      format: 'count',
      empty: 'Nothing has run yet',
    }),
    tableCard({
      id: 'accounts',
      title: 'Accounts',
      rows: d.accounts,
      empty: 'No accounts yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'account_id', label: 'Id' },
        { key: 'product', label: 'Product' },
        { key: 'range_cost', label: 'Cost in range', format: 'money' },
        { key: 'month_cost', label: 'Latest month', format: 'money' },
        { key: 'forecast_amount', label: 'Forecast', format: 'money' },
        { key: 'open_critical', label: 'Critical', format: 'count' },
        { key: 'open_high', label: 'High', format: 'count' },
        { key: 'open_findings', label: 'Open findings', format: 'count' },
        { key: 'compliance_score', label: 'Config compliance', format: 'percent' },
        { key: 'patch_compliance_percentage', label: 'Patch compliance', format: 'percent' },
        { key: 'potential_monthly_savings', label: 'Savings / month', format: 'money' },
      ],
    }),
  ];
}

function cost(d) {
  return [
    chartCard({
      id: 'cost-by-account',
      title: 'Daily cost by account',
      series: d.costByAccount,
      stacked: true,
      empty: 'No cost data yet',
    }),
    chartCard({
      id: 'cost-by-service',
      title: 'Daily cost by service (top services)',
      series: d.costByService,
      stacked: true,
      empty: 'No cost data yet',
    }),
    chartCard({
      id: 'forecast',
      title: 'Forecast (latest per account)',
      series: d.forecast,
      empty: 'No forecast yet (the monthly run collects it)',
      command: 'npx a360 run --sample --period MONTHLY',
    }),
    chartCard({
      id: 'utilisation',
      title: 'Reservations and savings plans: average utilisation',
      series: d.utilisation,
      kind: 'line',
      format: 'percent',
      max: 100,
      empty: 'No reservation or savings plan utilisation yet',
    }),
    chartCard({
      id: 'savings',
      title: 'Potential monthly savings',
      series: d.savings,
      horizontal: true,
      empty: 'No savings recommendations yet',
    }),
    tableCard({
      id: 'top-movers',
      title: 'Top movers (last day of the range against the day before)',
      rows: d.topMovers,
      empty: 'No two consecutive days of cost yet',
      command: 'npx a360 backfill --from <day> --to <day> --sample',
      columns: [
        { key: 'date', label: 'Day', format: 'day' },
        { key: 'account_name', label: 'Account' },
        { key: 'service', label: 'Service' },
        { key: 'cost', label: 'Cost', format: 'money' },
        { key: 'previous_day_cost', label: 'Day before', format: 'money' },
        { key: 'cost_change', label: 'Change', format: 'signedMoney' },
        { key: 'cost_change_percentage', label: 'Change %', format: 'signedPercent' },
        { key: 'cost_7day_average', label: '7-day average', format: 'money' },
      ],
    }),
    tableCard({
      id: 'services',
      title: 'Cost by service in the range',
      rows: d.services,
      empty: 'No cost data yet',
      wide: false,
      columns: [
        { key: 'service', label: 'Service' },
        { key: 'cost', label: 'Cost', format: 'money' },
        { key: 'accounts', label: 'Accounts', format: 'count' },
        { key: 'days', label: 'Days', format: 'count' },
      ],
    }),
    tableCard({
      id: 'forecast-by-account',
      title: 'Forecast by account',
      rows: d.forecastByAccount,
      empty: 'No forecast yet',
      command: 'npx a360 run --sample --period MONTHLY',
      wide: false,
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'forecast_from', label: 'From', format: 'day' },
        { key: 'forecast_to', label: 'To', format: 'day' },
        { key: 'forecast_amount', label: 'Forecast', format: 'money' },
        { key: 'month_cost', label: 'Latest month', format: 'money' },
      ],
    }),
    tableCard({
      id: 'reservations',
      title: 'Reservations and savings plans',
      rows: d.reservations,
      empty: 'No reservations or savings plans yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'reservation_type', label: 'Type' },
        { key: 'kind', label: 'Plan / instance type' },
        { key: 'service', label: 'Service' },
        { key: 'region', label: 'Region' },
        { key: 'state', label: 'State' },
        { key: 'utilization', label: 'Utilisation', format: 'percent' },
        { key: 'net_savings', label: 'Net savings', format: 'money' },
        { key: 'unused_cost', label: 'Unused', format: 'money' },
        { key: 'end_date', label: 'Ends', format: 'day' },
      ],
    }),
    tableCard({
      id: 'recommendations',
      title: 'Compute Optimizer recommendations',
      rows: d.recommendations,
      empty: 'No Compute Optimizer recommendations yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'region', label: 'Region' },
        { key: 'resource_type', label: 'Type' },
        { key: 'resource_name', label: 'Resource' },
        { key: 'finding', label: 'Finding' },
        { key: 'current', label: 'Current' },
        { key: 'recommended', label: 'Recommended' },
        { key: 'savings', label: 'Savings / month', format: 'money' },
        { key: 'savings_percentage', label: 'Savings %', format: 'percent' },
      ],
    }),
  ];
}

function security(d) {
  const k = d.kpis;
  return [
    kpis([
      { id: 'open-findings', label: 'Open findings', value: k.openFindings },
      { id: 'critical', label: 'Critical', value: k.critical },
      { id: 'high', label: 'High', value: k.high },
      { id: 'keys', label: 'Keys without rotation', value: k.keysWithoutRotation },
      {
        id: 'certificates',
        label: 'Certificates expiring (60 days)',
        value: k.certificatesExpiring,
        sub: `${FORMAT.count(k.certificatesExpired)} expired`,
      },
      {
        id: 'waf',
        label: 'Web ACLs not compliant',
        value: k.webAclsNonCompliant,
        sub: `of ${FORMAT.count(k.webAcls)}`,
      },
    ]),
    chartCard({
      id: 'by-severity',
      title: 'Open findings by severity',
      series: d.bySeverity,
      format: 'count',
      empty: 'No open findings',
    }),
    chartCard({
      id: 'by-service',
      title: 'Open findings by service',
      series: d.byService,
      format: 'count',
      stacked: true,
      empty: 'No open findings',
    }),
    chartCard({
      id: 'by-account',
      title: 'Open findings by account',
      series: d.byAccount,
      format: 'count',
      stacked: true,
      horizontal: true,
      empty: 'No open findings',
    }),
    chartCard({
      id: 'ageing',
      title: 'Open findings by age',
      series: d.ageing,
      format: 'count',
      stacked: true,
      empty: 'No open findings',
    }),
    chartCard({
      id: 'waf-checks',
      title: 'WAF web ACL checks',
      series: d.wafChecks,
      format: 'count',
      stacked: true,
      empty: 'No web ACLs yet',
    }),
    tableCard({
      id: 'age-by-source',
      title: 'Ageing by source',
      rows: d.ageBySource,
      empty: 'No open findings',
      wide: false,
      columns: [
        { key: 'source', label: 'Source' },
        { key: 'open_findings', label: 'Open', format: 'count' },
        { key: 'critical_or_high', label: 'Critical or high', format: 'count' },
        { key: 'average_age_days', label: 'Average age (days)', format: 'count' },
        { key: 'oldest_days', label: 'Oldest (days)', format: 'count' },
      ],
    }),
    tableCard({
      id: 'guardduty',
      title: 'GuardDuty: active findings by type',
      rows: d.guardDuty,
      empty: 'No active GuardDuty findings',
      columns: [
        { key: 'finding_type', label: 'Finding type' },
        { key: 'severity', label: 'Severity', render: (r) => badge(r.severity) },
        { key: 'findings', label: 'Findings', format: 'count' },
        { key: 'accounts', label: 'Accounts', format: 'count' },
        { key: 'last_updated', label: 'Last updated', format: 'time' },
      ],
    }),
    tableCard({
      id: 'inspector',
      title: 'Inspector: active vulnerabilities',
      rows: d.inspector,
      empty: 'No active Inspector findings',
      columns: [
        { key: 'vulnerability', label: 'Vulnerability' },
        { key: 'package_name', label: 'Package' },
        { key: 'severity', label: 'Severity', render: (r) => badge(r.severity) },
        { key: 'fix_available', label: 'Fix available' },
        { key: 'findings', label: 'Findings', format: 'count' },
        { key: 'resources', label: 'Resources', format: 'count' },
        { key: 'inspector_score', label: 'Score', format: 'decimal' },
      ],
    }),
    tableCard({
      id: 'kms',
      title: 'KMS customer managed keys without rotation',
      rows: d.keysWithoutRotation,
      empty: 'No customer managed key without rotation',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'region', label: 'Region' },
        { key: 'key_id', label: 'Key' },
        { key: 'aliases', label: 'Aliases', wrap: true },
        { key: 'key_state', label: 'State' },
        { key: 'key_spec', label: 'Spec' },
        { key: 'creation_date', label: 'Created', format: 'day' },
      ],
    }),
    tableCard({
      id: 'certificates',
      title: 'Certificates expired or expiring within 60 days',
      rows: d.certificates,
      empty: 'No certificate expires within 60 days',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'region', label: 'Region' },
        { key: 'domain_name', label: 'Domain' },
        { key: 'type', label: 'Type' },
        { key: 'status', label: 'Status', render: (r) => badge(r.status) },
        { key: 'not_after', label: 'Expires', format: 'day' },
        { key: 'days_left', label: 'Days left', format: 'count' },
        { key: 'in_use', label: 'In use', format: 'bool' },
        { key: 'renewal_eligibility', label: 'Renewal' },
      ],
    }),
    tableCard({
      id: 'waf',
      title: 'WAF web ACLs',
      rows: d.waf,
      empty: 'No web ACLs yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'name', label: 'Web ACL' },
        { key: 'scope', label: 'Scope' },
        { key: 'region', label: 'Region' },
        { key: 'compliant', label: 'Compliant', render: (r) => badge(r.compliant ? 'pass' : 'fail') },
        { key: 'logging_enabled', label: 'Logging', format: 'bool' },
        { key: 'rate_limit_rules_count', label: 'Rate-based rules', format: 'count' },
        { key: 'managed_rules_count', label: 'Managed rule groups', format: 'count' },
        { key: 'associated_resources_count', label: 'Resources', format: 'count' },
      ],
    }),
  ];
}

function compliance(d) {
  const k = d.kpis;
  return [
    kpis([
      { id: 'compliance', label: 'Config compliance', value: k.complianceScore, format: 'percent' },
      { id: 'compliant-rules', label: 'Compliant rules', value: k.compliantRules },
      { id: 'non-compliant-rules', label: 'Non-compliant rules', value: k.nonCompliantRules },
      { id: 'non-compliant-resources', label: 'Non-compliant resources', value: k.nonCompliantResources },
      { id: 'patch', label: 'Patch compliance', value: k.patchCompliance, format: 'percent' },
      { id: 'instances', label: 'Managed instances', value: k.instances },
    ]),
    chartCard({
      id: 'score-by-account',
      title: 'Config compliance score by account',
      series: d.scoreByAccount,
      format: 'percent',
      max: 100,
      empty: 'No AWS Config reports yet',
    }),
    chartCard({
      id: 'non-compliant-by-rule',
      title: 'Non-compliant resources by rule',
      series: d.nonCompliantByRule,
      format: 'count',
      horizontal: true,
      empty: 'No non-compliant resources',
    }),
    chartCard({
      id: 'patch-status',
      title: 'Patch compliance of managed instances',
      series: d.patchStatus,
      kind: 'doughnut',
      format: 'count',
      empty: 'No SSM managed instances yet',
    }),
    tableCard({
      id: 'config-reports',
      title: 'AWS Config: latest report per account and region',
      rows: d.reports,
      empty: 'No AWS Config reports yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'region', label: 'Region' },
        { key: 'date_from', label: 'Window', format: 'day' },
        { key: 'compliance_score', label: 'Score', format: 'percent' },
        { key: 'total_rules', label: 'Rules', format: 'count' },
        { key: 'compliant_rules', label: 'Compliant', format: 'count' },
        { key: 'non_compliant_rules', label: 'Non-compliant', format: 'count' },
        { key: 'insufficient_data_rules', label: 'Insufficient data', format: 'count' },
      ],
    }),
    tableCard({
      id: 'non-compliant-resources',
      title: 'Non-compliant resources',
      rows: d.nonCompliantResources,
      empty: 'No non-compliant resources',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'region', label: 'Region' },
        { key: 'rule_name', label: 'Rule' },
        { key: 'resource_type', label: 'Resource type' },
        { key: 'resource_id', label: 'Resource' },
        { key: 'conformance_pack', label: 'Conformance pack' },
        { key: 'result_recorded_time', label: 'Recorded', format: 'time' },
      ],
    }),
    tableCard({
      id: 'patch-by-account',
      title: 'Patch compliance by account',
      rows: d.patchByAccount,
      empty: 'No SSM managed instances yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'instances', label: 'Instances', format: 'count' },
        { key: 'compliant', label: 'Compliant', format: 'count' },
        { key: 'non_compliant', label: 'Non-compliant', format: 'count' },
        { key: 'not_scanned', label: 'Not scanned', format: 'count' },
        { key: 'missing_patches', label: 'Missing patches', format: 'count' },
        { key: 'critical_non_compliant', label: 'Critical non-compliant', format: 'count' },
        { key: 'security_non_compliant', label: 'Security non-compliant', format: 'count' },
        { key: 'compliance_percentage', label: 'Compliance', format: 'percent' },
      ],
    }),
  ];
}

function inventory(d) {
  const k = d.kpis;
  return [
    kpis([
      { id: 'resources', label: 'Resources', value: k.resources },
      { id: 'types', label: 'Resource types', value: k.resourceTypes },
      { id: 'regions', label: 'Regions', value: k.regions },
      { id: 'accounts', label: 'Accounts', value: k.accounts },
      { id: 'instances', label: 'SSM managed instances', value: k.managedInstances },
    ]),
    chartCard({
      id: 'by-type',
      title: 'Resources by type (top 20)',
      series: d.byType,
      format: 'count',
      horizontal: true,
      tall: true,
      empty: 'No resources yet',
    }),
    chartCard({
      id: 'by-region',
      title: 'Resources by region',
      series: d.byRegion,
      format: 'count',
      empty: 'No resources yet',
    }),
    chartCard({
      id: 'by-account',
      title: 'Resources by account',
      series: d.byAccount,
      format: 'count',
      empty: 'No resources yet',
    }),
    chartCard({
      id: 'managed-instances',
      title: 'SSM managed instances by platform',
      series: d.managedInstances,
      kind: 'doughnut',
      format: 'count',
      empty: 'No SSM managed instances yet',
    }),
    tableCard({
      id: 'resources',
      title: 'Resources by account, type and region',
      rows: d.resources,
      empty: 'No resources yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        { key: 'service_name', label: 'Service' },
        { key: 'resource_type', label: 'Type' },
        { key: 'region', label: 'Region' },
        { key: 'resources', label: 'Resources', format: 'count' },
        { key: 'active', label: 'Active', format: 'count' },
        { key: 'inactive', label: 'Inactive', format: 'count' },
      ],
    }),
  ];
}

function operations(d) {
  const k = d.kpis;
  const categories = [...new Set(d.completeness.map((r) => r.category))];
  const matrix = new Map();
  for (const r of d.completeness) {
    const row = matrix.get(r.account_id) ?? {
      account_name: r.account_name ?? r.account_id,
      account_id: r.account_id,
    };
    row[r.category] = r.latest_status;
    matrix.set(r.account_id, row);
  }
  return [
    kpis([
      { id: 'runs', label: 'Runs', value: k.runs },
      {
        id: 'last-run',
        label: 'Last run',
        value: null,
        format: 'text',
        sub: k.lastRun ? `${k.lastRun} ${k.lastRunStatus}` : 'none yet',
      },
      {
        id: 'succeeded',
        label: 'Slices succeeded',
        value: k.succeeded,
        sub: `of ${FORMAT.count(k.slices)} account x category`,
      },
      { id: 'failing', label: 'Slices failed or partial', value: k.failing },
      { id: 'failures', label: 'Failures logged', value: k.failures },
    ]),
    chartCard({
      id: 'run-durations',
      title: 'Run durations',
      series: d.runDurations,
      format: 'decimal',
      empty: 'Nothing has run yet',
    }),
    chartCard({
      id: 'category-durations',
      title: 'Average time per category',
      series: d.categoryDurations,
      format: 'count',
      horizontal: true,
      stacked: true,
      tall: true,
      empty: 'Nothing has run yet',
    }),
    chartCard({
      id: 'status-counts',
      title: 'Latest status of each account x category',
      series: d.statusCounts,
      kind: 'doughnut',
      format: 'count',
      empty: 'Nothing has run yet',
    }),
    tableCard({
      id: 'runs',
      title: 'Runs',
      rows: d.runs,
      empty: 'Nothing has run yet',
      columns: [
        { key: 'run_id', label: 'Run' },
        { key: 'trigger', label: 'Trigger' },
        { key: 'period', label: 'Period' },
        { key: 'window_start', label: 'Window', format: 'day' },
        { key: 'started_at', label: 'Started', format: 'time' },
        { key: 'duration_seconds', label: 'Duration (s)', format: 'decimal' },
        { key: 'accounts', label: 'Accounts', format: 'count' },
        { key: 'slices', label: 'Slices', format: 'count' },
        { key: 'failed', label: 'Failed', format: 'count' },
        { key: 'partial', label: 'Partial', format: 'count' },
        { key: 'skipped', label: 'Skipped', format: 'count' },
        { key: 'rows_loaded', label: 'Rows', format: 'count' },
        { key: 'status', label: 'Status', render: (r) => badge(r.status) },
        { key: 'rerun', label: 'Rerun', render: (r) => code(r.rerun) },
      ],
    }),
    tableCard({
      id: 'status-matrix',
      title: 'Account x category: latest status',
      rows: [...matrix.values()],
      empty: 'Nothing has run yet',
      columns: [
        { key: 'account_name', label: 'Account' },
        ...categories.map((c) => ({ key: c, label: c, render: (r) => badge(r[c]) })),
      ],
    }),
    tableCard({
      id: 'failures',
      title: 'Failures and warnings',
      rows: d.failures,
      empty: 'No failures logged',
      columns: [
        { key: 'created_at', label: 'When', format: 'time' },
        { key: 'run_id', label: 'Run' },
        { key: 'account_name', label: 'Account' },
        { key: 'category', label: 'Category' },
        { key: 'phase', label: 'Phase' },
        {
          key: 'message_type',
          label: 'Type',
          render: (r) => badge(r.message_type === 'ERROR' ? 'FAILED' : 'PARTIAL', ''),
        },
        { key: 'message', label: 'Message', wrap: true },
        { key: 'status_now', label: 'Now', render: (r) => badge(r.status_now) },
        { key: 'rerun', label: 'Rerun', render: (r) => code(r.rerun) },
      ],
    }),
  ];
}

const RENDER = { overview, cost, security, compliance, inventory, operations };

// ------------------------------------------------------------------------------------- filters and loading

const form = document.getElementById('filters');
const main = document.getElementById('main');
const controls = {};

function currentQuery() {
  const query = new URLSearchParams(location.search);
  const kept = new URLSearchParams();
  for (const name of FILTERS) {
    const value = query.get(name);
    if (value) kept.set(name, value);
  }
  return kept;
}

function renderNav() {
  const query = currentQuery().toString();
  document.getElementById('nav').replaceChildren(
    ...PAGES.map(([id, label]) =>
      el(
        'a',
        {
          href: `/${id}${query ? `?${query}` : ''}`,
          'aria-current': id === page ? 'page' : null,
          'data-page': id,
        },
        label,
      ),
    ),
  );
}

function select(name, label, options, placeholder) {
  const control = el(
    'select',
    { id: `filter-${name}`, name, disabled: options.length === 0 ? true : null },
    el('option', { value: '' }, options.length === 0 ? `no ${placeholder}` : `All ${placeholder}`),
    options.map(([value, text]) => el('option', { value }, text)),
  );
  controls[name] = control;
  return el('label', {}, label, control);
}

function buildFilters(options) {
  const from = el('input', {
    id: 'filter-from',
    name: 'from',
    type: 'date',
    min: options.firstDay,
    max: options.lastDay,
  });
  const to = el('input', {
    id: 'filter-to',
    name: 'to',
    type: 'date',
    min: options.firstDay,
    max: options.lastDay,
  });
  controls.from = from;
  controls.to = to;
  form.replaceChildren(
    select(
      'account',
      'Account',
      options.accounts.map((a) => [a.id, `${a.name} (${a.id})`]),
      'accounts',
    ),
    select(
      'product',
      'Product',
      options.products.map((p) => [p, p]),
      'products',
    ),
    select(
      'customer',
      'Customer',
      options.customers.map((c) => [c, c]),
      'customers',
    ),
    select(
      'region',
      'Region',
      options.regions.map((r) => [r, r]),
      'regions',
    ),
    el('label', {}, 'From', from),
    el('label', {}, 'To', to),
    el('a', { class: 'reset', href: location.pathname, id: 'filter-reset' }, 'Clear filters'),
  );
  form.addEventListener('change', () => {
    const query = new URLSearchParams();
    for (const name of FILTERS) if (controls[name]?.value) query.set(name, controls[name].value);
    const search = query.toString();
    history.pushState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
    void load();
  });
  form.addEventListener('submit', (event) => event.preventDefault());
  document.getElementById('filter-reset').addEventListener('click', (event) => {
    event.preventDefault();
    history.pushState(null, '', location.pathname);
    void load();
  });
}

function syncFilters() {
  const query = currentQuery();
  for (const name of FILTERS) {
    const control = controls[name];
    if (!control) continue;
    const value = query.get(name) ?? '';
    // A value from a shared link that is not on offer still filters (the server validates it): show it.
    if (control.tagName === 'SELECT' && value && ![...control.options].some((o) => o.value === value)) {
      control.append(el('option', { value }, value));
      control.disabled = false;
    }
    control.value = value;
  }
}

function notice(message, hint, kind = '') {
  return el(
    'div',
    { class: `notice ${kind}`.trim(), 'data-notice': '' },
    el('strong', {}, message),
    hint ? el('p', {}, hint) : null,
  );
}

let generation = 0;

async function load() {
  const mine = ++generation;
  document.body.dataset.state = 'loading';
  renderNav();
  syncFilters();
  document.getElementById('scope').textContent = SCOPE[page];
  const query = currentQuery().toString();
  let response;
  let body;
  try {
    response = await fetch(`/api/${page}${query ? `?${query}` : ''}`, {
      headers: { accept: 'application/json' },
    });
    body = await response.json();
  } catch (error) {
    body = { error: `The dashboard server did not answer (${error.message}).` };
  }
  if (mine !== generation) return;
  for (const chart of liveCharts) chart.destroy();
  liveCharts = [];
  pendingCharts = [];
  if (!response?.ok) {
    main.replaceChildren(
      response?.status === 503
        ? notice(body.error, body.hint)
        : notice(
            body.error ?? `The dashboard answered ${response?.status}.`,
            response?.status === 400 ? 'Fix or clear the filters.' : null,
            'error',
          ),
    );
    document.body.dataset.state = response?.status === 503 ? 'empty' : 'error';
    return;
  }
  main.replaceChildren(...RENDER[page](body.data));
  liveCharts = pendingCharts.map((draw) => draw());
  pendingCharts = [];
  document.body.dataset.state = 'ready';
}

async function start() {
  document.title = `a360 · ${PAGES.find(([p]) => p === page)[1]}`;
  renderNav();
  const response = await fetch('/api/filters').catch(() => undefined);
  if (response?.ok) buildFilters((await response.json()).data);
  window.addEventListener('popstate', () => void load());
  await load();
}

void start();
