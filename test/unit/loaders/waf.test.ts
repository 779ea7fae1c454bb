import { describe, expect, it } from 'vitest';
import type { WafPayload } from '../../../functions/collectors/waf.ts';
import type { LoadContext } from '../../../functions/loaders/types.ts';
import { wafLoader, wafRows } from '../../../functions/loaders/waf.ts';
import type { Sql } from '../../../functions/ports.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const day1 = new Date('2026-11-26T06:00:00Z');
const day2 = new Date('2026-11-27T06:00:00Z');
const EDGE = 'arn:aws:wafv2:us-east-1:{account}:global/webacl/edge/11111111-1111-4111-8111-111111111111';
const SHOP = 'arn:aws:wafv2:eu-west-1:{account}:regional/webacl/shop/22222222-2222-4222-8222-222222222222';
const API = 'arn:aws:wafv2:us-east-1:{account}:regional/webacl/api/33333333-3333-4333-8333-333333333333';

function context(
  accountId: string,
  seenAt: Date,
  completeRegions: LoadContext['completeRegions'] = 'all',
): LoadContext {
  return {
    accountId,
    window: { period: 'DAILY', start: seenAt.toISOString().slice(0, 10), end: '2026-12-01' },
    runId: 'r-test',
    seenAt,
    completeRegions,
  };
}

type WebAcl = WafPayload['web_acls'][number];
type Rule = WafPayload['rules'][number];

function webAcl(accountId: string, arn: string, overrides: Partial<WebAcl> = {}): WebAcl {
  const name = arn.split('/').at(-2) as string;
  const global = arn.includes(':global/');
  return {
    name,
    id: arn.split('/').at(-1) as string,
    arn: arn.replace('{account}', accountId),
    scope: global ? 'CLOUDFRONT' : 'REGIONAL',
    region: global ? 'global' : (arn.split(':')[3] as string),
    description: null,
    default_action: { Allow: {} },
    rules_count: 1,
    capacity: 700,
    managed_rules_count: 1,
    custom_rules_count: 0,
    rate_limit_rules_count: 0,
    associated_resources: [],
    associated_resources_count: 0,
    logging_enabled: false,
    log_destinations: [],
    geo_blocking_enabled: false,
    blocked_countries: [],
    ip_sets: [],
    sampled_requests_enabled: true,
    cloudwatch_metrics_enabled: true,
    ...overrides,
  };
}

function rule(acl: WebAcl, ruleName: string, overrides: Partial<Rule> = {}): Rule {
  return {
    web_acl_name: acl.name,
    web_acl_arn: acl.arn,
    rule_name: ruleName,
    priority: 0,
    action: '{"None":{}}',
    statement_type: 'ManagedRuleGroupStatement',
    is_managed_rule: true,
    is_custom_rule: false,
    rate_limit: false,
    rate_limit_requests: null,
    logging_enabled: acl.logging_enabled,
    geo_blocking: false,
    sql_injection: false,
    sample_request_enabled: true,
    cloudwatch_enabled: true,
    has_xss_protection: true,
    waf_version: 'v2',
    is_compliant: true,
    compliance_reason: 'AWS managed rule group AWSManagedRulesCommonRuleSet',
    scope: acl.scope,
    region: acl.region,
    ...overrides,
  };
}

/** Three web ACLs (CloudFront, us-east-1, eu-west-1) and four rules. */
function payload(accountId: string): WafPayload {
  const edge = webAcl(accountId, EDGE);
  const shop = webAcl(accountId, SHOP, {
    description: 'Shop load balancers',
    default_action: { Block: {} },
    rules_count: 2,
    capacity: 702,
    custom_rules_count: 1,
    rate_limit_rules_count: 1,
    associated_resources: [
      `arn:aws:elasticloadbalancing:eu-west-1:${accountId}:loadbalancer/app/shop/0123456789abcdef`,
    ],
    associated_resources_count: 1,
    logging_enabled: true,
    log_destinations: [`arn:aws:firehose:eu-west-1:${accountId}:deliverystream/aws-waf-logs-shop`],
    geo_blocking_enabled: true,
    blocked_countries: ['KP', 'RU'],
  });
  const api = webAcl(accountId, API, { rules_count: 1 });
  return {
    web_acls: [edge, api, shop],
    rules: [
      rule(edge, 'AWS-AWSManagedRulesCommonRuleSet'),
      rule(api, 'AWS-AWSManagedRulesCommonRuleSet', {
        action: '{"Count":{}}',
        is_compliant: false,
        compliance_reason: 'counts',
      }),
      rule(shop, 'AWS-AWSManagedRulesCommonRuleSet'),
      rule(shop, 'rate-geo', {
        priority: 1,
        action: '{"Block":{}}',
        statement_type: 'RateBasedStatement',
        is_managed_rule: false,
        is_custom_rule: true,
        rate_limit: true,
        rate_limit_requests: 2000,
        geo_blocking: true,
        has_xss_protection: false,
        compliance_reason: 'rate-based: at most 2000 requests per 300 s per IP',
      }),
    ],
  };
}

const tablesOf = async (sql: Sql) => ({
  acls: await sql.query('SELECT * FROM waf_rules ORDER BY id'),
  rules: await sql.query('SELECT * FROM waf_rules_detailed ORDER BY id'),
});

async function addAccount(sql: Sql, id: string, name: string) {
  await sql.execute('INSERT INTO accounts (id, account_name) VALUES (:id, :name)', { id, name });
}

describe('waf rows', () => {
  it('keeps blocked_countries as JSON text, as the seed stored it, and the lists as JSON', () => {
    const rows = wafRows(payload('123456789012'), '123456789012');
    const shop = rows.webAcls.find((r) => r.name === 'shop');
    expect(shop?.blocked_countries).toBe('["KP","RU"]');
    expect(shop?.log_destinations).toEqual([
      'arn:aws:firehose:eu-west-1:123456789012:deliverystream/aws-waf-logs-shop',
    ]);
    expect(rows.rules).toHaveLength(4);
    expect(rows.rules[0]).toMatchObject({
      account_id: '123456789012',
      web_acl_name: 'edge',
      region: 'global',
    });
  });
});

describe.each(databaseBackends())('waf loader on $name', (backend) => {
  const db = useDatabase(backend);

  it('writes every web ACL and rule, exactly, and a reload changes nothing', async () => {
    const accountId = '111111111111';
    await addAccount(db.sql, accountId, 'shop-prod');
    const written = await db.sql.transaction((tx) =>
      wafLoader.load(tx, payload(accountId), context(accountId, day1)),
    );
    expect(written).toBe(7);
    const first = await tablesOf(db.sql);
    const shop = first.acls.find((r) => r.name === 'shop');
    expect(shop).toMatchObject({
      account_id: accountId,
      waf_id: '22222222-2222-4222-8222-222222222222',
      arn: SHOP.replace('{account}', accountId),
      scope: 'REGIONAL',
      region: 'eu-west-1',
      description: 'Shop load balancers',
      default_action: { Block: {} },
      rules_count: 2,
      capacity: 702,
      managed_rules_count: 1,
      custom_rules_count: 1,
      rate_limit_rules_count: 1,
      associated_resources: [
        `arn:aws:elasticloadbalancing:eu-west-1:${accountId}:loadbalancer/app/shop/0123456789abcdef`,
      ],
      associated_resources_count: 1,
      logging_enabled: true,
      log_destinations: [`arn:aws:firehose:eu-west-1:${accountId}:deliverystream/aws-waf-logs-shop`],
      geo_blocking_enabled: true,
      blocked_countries: '["KP","RU"]',
      ip_sets: [],
      first_seen: day1,
      last_seen: day1,
      removed_at: null,
    });
    expect(first.acls.map((r) => [r.name, r.scope, r.region])).toEqual([
      ['edge', 'CLOUDFRONT', 'global'],
      ['api', 'REGIONAL', 'us-east-1'],
      ['shop', 'REGIONAL', 'eu-west-1'],
    ]);
    expect(first.rules.find((r) => r.rule_name === 'rate-geo')).toMatchObject({
      account_id: accountId,
      web_acl_name: 'shop',
      web_acl_arn: SHOP.replace('{account}', accountId),
      priority: 1,
      action: '{"Block":{}}',
      statement_type: 'RateBasedStatement',
      is_managed_rule: false,
      is_custom_rule: true,
      rate_limit: true,
      rate_limit_requests: 2000,
      logging_enabled: true,
      geo_blocking: true,
      has_xss_protection: false,
      waf_version: 'v2',
      is_compliant: true,
      compliance_reason: 'rate-based: at most 2000 requests per 300 s per IP',
      scope: 'REGIONAL',
      region: 'eu-west-1',
      first_seen: day1,
      removed_at: null,
    });

    await db.sql.transaction((tx) => wafLoader.load(tx, payload(accountId), context(accountId, day1)));
    expect(await tablesOf(db.sql)).toEqual(first);
  });

  it('marks what is gone as removed only in the regions that were collected, and revives what returns', async () => {
    const accountId = '222222222222';
    await addAccount(db.sql, accountId, 'checkout-prod');
    const full = payload(accountId);
    await db.sql.transaction((tx) => wafLoader.load(tx, full, context(accountId, day1)));

    // Day 2: eu-west-1 failed (PARTIAL), the API web ACL was deleted and the edge rule renamed.
    const edge = full.web_acls[0] as WebAcl;
    const day2Payload: WafPayload = {
      web_acls: [edge],
      rules: [rule(edge, 'AWS-AWSManagedRulesCommonRuleSet-v2')],
    };
    await db.sql.transaction((tx) =>
      wafLoader.load(tx, day2Payload, context(accountId, day2, ['global', 'us-east-1'])),
    );
    const acls = await db.sql.query(
      'SELECT name, last_seen, removed_at FROM waf_rules WHERE account_id = :a ORDER BY name',
      { a: accountId },
    );
    expect(acls).toEqual([
      { name: 'api', last_seen: day1, removed_at: day2 },
      { name: 'edge', last_seen: day2, removed_at: null },
      { name: 'shop', last_seen: day1, removed_at: null },
    ]);
    const rules = await db.sql.query(
      `SELECT web_acl_name, rule_name, removed_at FROM waf_rules_detailed WHERE account_id = :a
       ORDER BY web_acl_name, rule_name`,
      { a: accountId },
    );
    expect(rules).toEqual([
      { web_acl_name: 'api', rule_name: 'AWS-AWSManagedRulesCommonRuleSet', removed_at: day2 },
      { web_acl_name: 'edge', rule_name: 'AWS-AWSManagedRulesCommonRuleSet', removed_at: day2 },
      { web_acl_name: 'edge', rule_name: 'AWS-AWSManagedRulesCommonRuleSet-v2', removed_at: null },
      { web_acl_name: 'shop', rule_name: 'AWS-AWSManagedRulesCommonRuleSet', removed_at: null },
      { web_acl_name: 'shop', rule_name: 'rate-geo', removed_at: null },
    ]);

    // Day 3: everything is back; rows seen again are no longer removed and keep their first sighting.
    const day3 = new Date('2026-11-28T06:00:00Z');
    await db.sql.transaction((tx) => wafLoader.load(tx, full, context(accountId, day3)));
    const api = await db.sql.query(
      'SELECT first_seen, last_seen, removed_at FROM waf_rules WHERE account_id = :a AND name = :n',
      { a: accountId, n: 'api' },
    );
    expect(api).toEqual([{ first_seen: day1, last_seen: day3, removed_at: null }]);
  });

  it('answers the seed README query "WAF Security Compliance" unchanged', async () => {
    const accountId = '333333333333';
    await addAccount(db.sql, accountId, 'payments-prod');
    await db.sql.transaction((tx) => wafLoader.load(tx, payload(accountId), context(accountId, day1)));
    const rows = await db.sql.query(`SELECT 
    a.account_name,
    wr.web_acl_name,
    COUNT(*) as total_rules,
    SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END) as compliant_rules,
    ROUND(SUM(CASE WHEN wr.is_compliant THEN 1 ELSE 0 END)::numeric / COUNT(*) * 100, 2) as compliance_percentage
FROM waf_rules_detailed wr
JOIN accounts a ON wr.account_id = a.id
GROUP BY a.account_name, wr.web_acl_name
ORDER BY compliance_percentage ASC;`);
    const mine = rows
      .filter((r) => r.account_name === 'payments-prod')
      .sort((a, b) => String(a.web_acl_name).localeCompare(String(b.web_acl_name)));
    expect(rows.map((r) => r.compliance_percentage)).toEqual(
      rows.map((r) => r.compliance_percentage).sort((a, b) => Number(a) - Number(b)),
    );
    expect(mine).toEqual([
      {
        account_name: 'payments-prod',
        web_acl_name: 'api',
        total_rules: 1,
        compliant_rules: 0,
        compliance_percentage: '0.00',
      },
      {
        account_name: 'payments-prod',
        web_acl_name: 'edge',
        total_rules: 1,
        compliant_rules: 1,
        compliance_percentage: '100.00',
      },
      {
        account_name: 'payments-prod',
        web_acl_name: 'shop',
        total_rules: 2,
        compliant_rules: 2,
        compliance_percentage: '100.00',
      },
    ]);
  });
});
