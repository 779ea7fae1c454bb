import type { WafPayload } from '../collectors/waf.ts';
import type { CategoryLoader } from './types.ts';
import { markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const webAcls: UpsertSpec = {
  table: 'waf_rules',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'name', type: 'text' },
    { name: 'waf_id', type: 'text' },
    { name: 'arn', type: 'text' },
    { name: 'scope', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'description', type: 'text' },
    { name: 'default_action', type: 'jsonb' },
    { name: 'rules_count', type: 'integer' },
    { name: 'capacity', type: 'integer' },
    { name: 'managed_rules_count', type: 'integer' },
    { name: 'custom_rules_count', type: 'integer' },
    { name: 'rate_limit_rules_count', type: 'integer' },
    { name: 'associated_resources', type: 'jsonb' },
    { name: 'associated_resources_count', type: 'integer' },
    { name: 'logging_enabled', type: 'boolean' },
    { name: 'log_destinations', type: 'jsonb' },
    { name: 'geo_blocking_enabled', type: 'boolean' },
    { name: 'blocked_countries', type: 'text' },
    { name: 'ip_sets', type: 'jsonb' },
    { name: 'sampled_requests_enabled', type: 'boolean' },
    { name: 'cloudwatch_metrics_enabled', type: 'boolean' },
  ],
  key: ['account_id', 'arn'],
  tracking: 'current-state',
  updatedAt: true,
};

const rules: UpsertSpec = {
  table: 'waf_rules_detailed',
  columns: [
    { name: 'account_id', type: 'text' },
    { name: 'web_acl_name', type: 'text' },
    { name: 'web_acl_arn', type: 'text' },
    { name: 'rule_name', type: 'text' },
    { name: 'priority', type: 'integer' },
    { name: 'action', type: 'text' },
    { name: 'statement_type', type: 'text' },
    { name: 'is_managed_rule', type: 'boolean' },
    { name: 'is_custom_rule', type: 'boolean' },
    { name: 'rate_limit', type: 'boolean' },
    { name: 'rate_limit_requests', type: 'bigint' },
    { name: 'logging_enabled', type: 'boolean' },
    { name: 'geo_blocking', type: 'boolean' },
    { name: 'sql_injection', type: 'boolean' },
    { name: 'sample_request_enabled', type: 'boolean' },
    { name: 'cloudwatch_enabled', type: 'boolean' },
    { name: 'has_xss_protection', type: 'boolean' },
    { name: 'waf_version', type: 'text' },
    { name: 'is_compliant', type: 'boolean' },
    { name: 'compliance_reason', type: 'text' },
    { name: 'scope', type: 'text' },
    { name: 'region', type: 'text' },
  ],
  key: ['account_id', 'web_acl_arn', 'rule_name'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of the two WAF tables for one payload (pure). */
export function wafRows(payload: WafPayload, accountId: string) {
  return {
    webAcls: payload.web_acls.map((acl) => ({
      account_id: accountId,
      name: acl.name,
      waf_id: acl.id,
      arn: acl.arn,
      scope: acl.scope,
      region: acl.region,
      description: acl.description,
      default_action: acl.default_action,
      rules_count: acl.rules_count,
      capacity: acl.capacity,
      managed_rules_count: acl.managed_rules_count,
      custom_rules_count: acl.custom_rules_count,
      rate_limit_rules_count: acl.rate_limit_rules_count,
      associated_resources: acl.associated_resources,
      associated_resources_count: acl.associated_resources_count,
      logging_enabled: acl.logging_enabled,
      log_destinations: acl.log_destinations,
      geo_blocking_enabled: acl.geo_blocking_enabled,
      blocked_countries: JSON.stringify(acl.blocked_countries),
      ip_sets: acl.ip_sets,
      sampled_requests_enabled: acl.sampled_requests_enabled,
      cloudwatch_metrics_enabled: acl.cloudwatch_metrics_enabled,
    })),
    rules: payload.rules.map((rule) => ({ account_id: accountId, ...rule })),
  };
}

export const wafLoader: CategoryLoader<WafPayload> = {
  async load(tx, payload, ctx) {
    const rows = wafRows(payload, ctx.accountId);
    let written = await upsertRows(tx, webAcls, rows.webAcls, ctx.seenAt);
    written += await upsertRows(tx, rules, rows.rules, ctx.seenAt);
    for (const table of [webAcls.table, rules.table]) {
      await markUnseenRemoved(tx, {
        table,
        category: 'waf',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
        regions: ctx.completeRegions,
      });
    }
    return written;
  },
};
