import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { a360 } from '../support/cli.ts';
import { freshPostgresDatabase } from '../support/database.ts';

/** The example queries of the original system's README, verbatim. */
const SEED_QUERIES = {
  'cost trends': `SELECT 
    a.account_name,
    cr.current_period_cost,
    cr.cost_difference_percentage,
    cr.period_start,
    cr.period_granularity
FROM cost_reports cr
JOIN accounts a ON cr.account_id = a.id
WHERE cr.period_granularity = 'MONTHLY'
ORDER BY cr.cost_difference_percentage DESC;`,
  'security compliance overview': `SELECT 
    a.account_name,
    s.service,
    s.total_findings,
    s.critical_count,
    s.high_count,
    ROUND((s.resolved_findings::numeric / s.total_findings * 100), 2) as resolution_rate
FROM security s
JOIN accounts a ON s.account_id = a.id
WHERE s.critical_count > 0
ORDER BY s.critical_count DESC;`,
  'service cost analysis': `SELECT 
    a.account_name,
    s.service,
    s.cost,
    s.currency,
    s.date_from,
    s.date_to
FROM services s
JOIN accounts a ON s.account_id = a.id
WHERE s.cost > 100
ORDER BY s.cost DESC;`,
  'WAF security compliance': `SELECT 
    a.account_name,
    wr.web_acl_name,
    COUNT(*) as total_rules,
    SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END) as compliant_rules,
    ROUND(SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END)::numeric / COUNT(*) * 100, 2) as compliance_percentage
FROM waf_rules_detailed wr
JOIN accounts a ON wr.account_id = a.id
GROUP BY a.account_name, wr.web_acl_name
ORDER BY compliance_percentage ASC;`,
  'processing status': `SELECT 
    a.account_name,
    l.account_status,
    l.cost_status,
    l.security_status,
    l.config_status,
    l.date_created
FROM logs l
JOIN accounts a ON l.account_id = a.id
ORDER BY l.date_created DESC;`,
  'error messages': `SELECT 
    a.account_name,
    lm.message,
    lm.message_type,
    lm.created_at
FROM log_messages lm
JOIN logs l ON lm.log_id = l.id
JOIN accounts a ON l.account_id = a.id
WHERE lm.message_type = 'ERROR'
ORDER BY lm.created_at DESC;`,
};

interface Backend {
  name: string;
  setUp(): Promise<{ env: NodeJS.ProcessEnv; tearDown(): Promise<void> }>;
}

const backends: Backend[] = [
  {
    name: 'PGlite',
    async setUp() {
      const dir = await mkdtemp(join(tmpdir(), 'a360-seed-'));
      return { env: { A360_STATE_DIR: dir }, tearDown: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];
const url = process.env.DATABASE_URL;
if (url) {
  backends.push({
    name: 'PostgreSQL',
    async setUp() {
      const dir = await mkdtemp(join(tmpdir(), 'a360-seed-'));
      const database = await freshPostgresDatabase(url);
      return {
        env: { A360_STATE_DIR: dir, DATABASE_URL: database.url },
        async tearDown() {
          await database.drop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  });
}

describe.each(backends)('the original README example queries on $name', (backend) => {
  let env: NodeJS.ProcessEnv;
  let tearDown: () => Promise<void>;
  const rows = async (query: string) => {
    const result = await a360(['query', query, '--json'], env);
    expect(result.err).toBe('');
    return JSON.parse(result.out) as Array<Record<string, unknown>>;
  };

  beforeAll(async () => {
    ({ env, tearDown } = await backend.setUp());
    // The categories whose tables the queries read (the other categories have their own tests).
    const categories = ['--categories', 'account,cost,service-usage,security-hub,waf'];
    for (const args of [
      ['run', '--sample', '--date', '2026-11-20', ...categories],
      ['run', '--sample', '--period', 'MONTHLY', '--date', '2026-10-15', ...categories],
    ]) {
      const result = await a360([...args, '--retry-wait', '0'], env);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
    }
  }, 180_000);
  afterAll(async () => tearDown());

  it.each([
    'cost trends',
    'security compliance overview',
    'service cost analysis',
    'WAF security compliance',
    'processing status',
  ] as const)('runs "%s" unchanged and returns rows', async (name) => {
    const result = await rows(SEED_QUERIES[name]);
    expect(result.length).toBeGreaterThan(0);
    expect(result[0]?.account_name).toEqual(expect.any(String));
  });

  it('runs "error messages" unchanged: empty after clean runs, the failure after a faulty one', async () => {
    expect(await rows(SEED_QUERIES['error messages'])).toEqual([]);
    const faulty = await a360(
      [
        'run',
        '--sample',
        '--date',
        '2026-11-21',
        '--categories',
        'account,waf',
        '--faults',
        'waf=access-denied',
        '--retry-wait',
        '0',
      ],
      env,
    );
    expect(faulty.code).toBe(2);
    const errors = await rows(SEED_QUERIES['error messages']);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({
      message_type: 'ERROR',
      message: expect.stringMatching(/^waf collect: SourceAccessError: /),
    });
    const status = await rows(`${SEED_QUERIES['processing status'].replace(/;$/, '')} LIMIT 1`);
    expect(status[0]?.security_status).toBe('Fail');
  });
});
