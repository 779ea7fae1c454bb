import { CloudFrontClient, ListDistributionsByWebACLIdCommand } from '@aws-sdk/client-cloudfront';
import {
  GetLoggingConfigurationCommand,
  type GetLoggingConfigurationCommandOutput,
  GetWebACLCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  type ResourceType,
  type Rule,
  type Statement,
  WAFV2Client,
  type WebACL,
} from '@aws-sdk/client-wafv2';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { type CollectContext, defineCollector } from './types.ts';

/** The `region` of CloudFront-scoped web ACLs: they are global, collected once per account in the home region. */
export const GLOBAL_REGION = 'global';

/** The resource types ListResourcesForWebACL accepts for REGIONAL web ACLs (API reference, "Valid Values"). */
export const REGIONAL_RESOURCE_TYPES = [
  'APPLICATION_LOAD_BALANCER',
  'API_GATEWAY',
  'APPSYNC',
  'COGNITO_USER_POOL',
  'APP_RUNNER_SERVICE',
  'VERIFIED_ACCESS_INSTANCE',
] as const satisfies readonly ResourceType[];

/** ListWebACLs accepts a Limit of 1 to 100; CloudFront's MaxItems is at most 100. */
const LIST_LIMIT = 100;
const DISTRIBUTIONS_PAGE = 100;
/** Web ACLs examined at once per scope: WAF's control-plane rate limits are low. */
const ACL_CONCURRENCY = 2;

const scopeSchema = z.enum(['REGIONAL', 'CLOUDFRONT']);
type WafScope = z.infer<typeof scopeSchema>;
const count = z.number().int().nonnegative();

const webAclSchema = z.object({
  name: z.string().min(1),
  id: z.string().min(1),
  arn: z.string().min(1),
  scope: scopeSchema,
  /** The web ACL's region, or `global` for CloudFront web ACLs. */
  region: z.string().min(1),
  description: z.string().nullable(),
  /** GetWebACL's DefaultAction as AWS returns it, e.g. `{"Allow":{}}`. */
  default_action: z.record(z.string(), z.unknown()),
  rules_count: count,
  /** Web ACL capacity units used; absent from some responses. */
  capacity: count.nullable(),
  managed_rules_count: count,
  custom_rules_count: count,
  rate_limit_rules_count: count,
  /** ARNs of the regional resources (every resource type) or CloudFront distributions the web ACL protects. */
  associated_resources: z.array(z.string().min(1)),
  associated_resources_count: count,
  logging_enabled: z.boolean(),
  log_destinations: z.array(z.string().min(1)),
  /** A rule whose action is Block matches on geography. */
  geo_blocking_enabled: z.boolean(),
  /** Country codes of (non-negated) geo matches in blocking rules. */
  blocked_countries: z.array(z.string().min(1)),
  /** ARNs of the IP sets the rules reference. */
  ip_sets: z.array(z.string().min(1)),
  sampled_requests_enabled: z.boolean(),
  cloudwatch_metrics_enabled: z.boolean(),
});

const ruleSchema = z.object({
  web_acl_name: z.string().min(1),
  web_acl_arn: z.string().min(1),
  rule_name: z.string().min(1),
  priority: count,
  /** The rule's Action (or OverrideAction for rule groups) as JSON text, e.g. `{"Block":{}}`. */
  action: z.string().nullable(),
  /** The top-level statement, e.g. `ManagedRuleGroupStatement`. */
  statement_type: z.string().min(1),
  is_managed_rule: z.boolean(),
  is_custom_rule: z.boolean(),
  /** The rule is rate-based. */
  rate_limit: z.boolean(),
  /** The rate-based rule's limit (requests per evaluation window). */
  rate_limit_requests: z.number().int().positive().nullable(),
  /** The web ACL's logging, which covers this rule's requests. */
  logging_enabled: z.boolean(),
  /** The rule blocks on geography (a geo match anywhere in its statement, action Block). */
  geo_blocking: z.boolean(),
  /** A SQL injection match anywhere in the statement, or the AWS SQL database managed rule group. */
  sql_injection: z.boolean(),
  sample_request_enabled: z.boolean(),
  cloudwatch_enabled: z.boolean(),
  /** A cross-site scripting match anywhere in the statement, or the AWS core rule set (it has XSS rules). */
  has_xss_protection: z.boolean(),
  waf_version: z.literal('v2'),
  is_compliant: z.boolean(),
  compliance_reason: z.string().min(1),
  scope: scopeSchema,
  region: z.string().min(1),
});

export const wafPayloadSchema = z.object({
  web_acls: z.array(webAclSchema),
  rules: z.array(ruleSchema),
});
export type WafPayload = z.infer<typeof wafPayloadSchema>;
type WebAclItem = WafPayload['web_acls'][number];
type RuleItem = WafPayload['rules'][number];

interface ScopeTarget {
  readonly scope: WafScope;
  /** Where the calls go: the region itself, or the home region (us-east-1) for CLOUDFRONT. */
  readonly endpoint: string;
  /** The payload's `region`. */
  readonly region: string;
}

interface ScopeCollection {
  readonly webAcls: WebAclItem[];
  readonly rules: RuleItem[];
}

const nameOf = (error: unknown) => (error as { name?: string } | undefined)?.name;

/**
 * WAF marks the web ACLs and logging configurations it has not got with WAFNonexistentItemException: a web ACL
 * deleted between ListWebACLs and GetWebACL, or a web ACL without logging.
 */
const isNonexistent = (error: unknown) => nameOf(error) === 'WAFNonexistentItemException';

/** Every web ACL summary of a scope. */
async function listWebAcls(waf: WAFV2Client, scope: WafScope): Promise<Array<{ name: string; id: string }>> {
  const summaries: Array<{ name: string; id: string }> = [];
  let marker: string | undefined;
  do {
    const page = await waf.send(
      new ListWebACLsCommand({ Scope: scope, Limit: LIST_LIMIT, ...(marker ? { NextMarker: marker } : {}) }),
    );
    const acls = page.WebACLs ?? [];
    acls.forEach((acl, i) => {
      summaries.push({
        name: required(acl.Name, `ListWebACLs WebACLs[${i}].Name`),
        id: required(acl.Id, `ListWebACLs WebACLs[${i}].Id`),
      });
    });
    // WAF also returns a NextMarker with the last page; the page after it is empty and ends the list.
    marker = acls.length > 0 ? page.NextMarker || undefined : undefined;
  } while (marker);
  return summaries;
}

/** ARNs of the regional resources of every type that the web ACL protects. */
async function regionalResources(waf: WAFV2Client, webAclArn: string): Promise<string[]> {
  const arns: string[] = [];
  for (const resourceType of REGIONAL_RESOURCE_TYPES) {
    const response = await waf.send(
      new ListResourcesForWebACLCommand({ WebACLArn: webAclArn, ResourceType: resourceType }),
    );
    arns.push(...(response.ResourceArns ?? []));
  }
  return arns;
}

/** ARNs of the CloudFront distributions that use the web ACL; for WAFV2 the WebACLId is the web ACL's ARN. */
async function distributions(ctx: CollectContext, webAclArn: string): Promise<string[]> {
  const cloudFront = ctx.clients.client(CloudFrontClient, ctx.homeRegion);
  const arns: string[] = [];
  let marker: string | undefined;
  do {
    const page = await cloudFront.send(
      new ListDistributionsByWebACLIdCommand({
        WebACLId: webAclArn,
        MaxItems: DISTRIBUTIONS_PAGE,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    const list = required(page.DistributionList, 'ListDistributionsByWebACLId DistributionList');
    (list.Items ?? []).forEach((item, i) => {
      arns.push(required(item.ARN, `ListDistributionsByWebACLId DistributionList.Items[${i}].ARN`));
    });
    marker = required(list.IsTruncated, 'ListDistributionsByWebACLId DistributionList.IsTruncated')
      ? required(list.NextMarker, 'ListDistributionsByWebACLId DistributionList.NextMarker')
      : undefined;
  } while (marker);
  return arns;
}

/** The log destinations of the web ACL, or null when it has no logging configuration. */
async function logDestinations(waf: WAFV2Client, webAclArn: string): Promise<string[] | null> {
  let response: GetLoggingConfigurationCommandOutput;
  try {
    response = await waf.send(new GetLoggingConfigurationCommand({ ResourceArn: webAclArn }));
  } catch (error) {
    if (isNonexistent(error)) return null;
    throw error;
  }
  const config = required(response.LoggingConfiguration, 'GetLoggingConfiguration LoggingConfiguration');
  return required(
    config.LogDestinationConfigs,
    'GetLoggingConfiguration LoggingConfiguration.LogDestinationConfigs',
  );
}

/** What a statement contains, looking through And/Or/Not nesting and scope-down statements. */
interface StatementFacts {
  sqli: boolean;
  xss: boolean;
  geo: boolean;
  /** Country codes of geo matches that are not negated. */
  countries: string[];
  ipSets: string[];
}

/** AWS managed rule groups whose rules cover SQL injection or cross-site scripting. */
const MANAGED_SQLI = new Set(['AWSManagedRulesSQLiRuleSet']);
const MANAGED_XSS = new Set(['AWSManagedRulesCommonRuleSet']);

function inspect(statement: Statement, at: string, negated: boolean, facts: StatementFacts): void {
  if (statement.SqliMatchStatement) facts.sqli = true;
  if (statement.XssMatchStatement) facts.xss = true;
  if (statement.GeoMatchStatement) {
    facts.geo = true;
    if (!negated) facts.countries.push(...(statement.GeoMatchStatement.CountryCodes ?? []));
  }
  if (statement.IPSetReferenceStatement) {
    facts.ipSets.push(required(statement.IPSetReferenceStatement.ARN, `${at}.IPSetReferenceStatement.ARN`));
  }
  const managed = statement.ManagedRuleGroupStatement;
  if (managed?.VendorName === 'AWS') {
    if (MANAGED_SQLI.has(managed.Name ?? '')) facts.sqli = true;
    if (MANAGED_XSS.has(managed.Name ?? '')) facts.xss = true;
  }
  const scopeDown = managed?.ScopeDownStatement ?? statement.RateBasedStatement?.ScopeDownStatement;
  if (scopeDown) inspect(scopeDown, `${at}.ScopeDownStatement`, negated, facts);
  for (const [kind, nested] of [
    ['AndStatement', statement.AndStatement],
    ['OrStatement', statement.OrStatement],
  ] as const) {
    (nested?.Statements ?? []).forEach((child, i) => {
      inspect(child, `${at}.${kind}.Statements[${i}]`, negated, facts);
    });
  }
  if (statement.NotStatement?.Statement) {
    inspect(statement.NotStatement.Statement, `${at}.NotStatement.Statement`, !negated, facts);
  }
}

/** The statement's single top-level key, e.g. `RateBasedStatement`. */
function statementTypeOf(statement: Statement, at: string): string {
  const type = Object.entries(statement).find(([, value]) => value !== undefined && value !== null)?.[0];
  return required(type, `${at} (a statement)`);
}

/** The name in a WAF resource ARN (`arn:aws:wafv2:<region>:<account>:<scope>/<type>/<name>/<id>`). */
const nameInArn = (arn: string | undefined) => arn?.split('/').at(-2) ?? arn;

/** The protection a statement gives, or why it gives none the compliance analysis recognises. */
function protectionOf(
  type: string,
  statement: Statement,
  facts: StatementFacts,
): { protection: string } | { none: string } {
  switch (type) {
    case 'RateBasedStatement': {
      const rate = statement.RateBasedStatement;
      return {
        protection: `rate-based: at most ${rate?.Limit} requests per ${rate?.EvaluationWindowSec ?? 300} s per ${rate?.AggregateKeyType}`,
      };
    }
    case 'ManagedRuleGroupStatement': {
      const group = statement.ManagedRuleGroupStatement;
      return group?.VendorName === 'AWS'
        ? { protection: `AWS managed rule group ${group.Name}` }
        : {
            none: `managed rule group ${group?.Name} from vendor ${group?.VendorName} is not an AWS managed rule group`,
          };
    }
    case 'SqliMatchStatement':
      return { protection: 'SQL injection match' };
    case 'XssMatchStatement':
      return { protection: 'cross-site scripting match' };
    case 'GeoMatchStatement':
      return {
        protection: `geo match on ${statement.GeoMatchStatement?.CountryCodes?.length ?? 0} countries`,
      };
    case 'IPSetReferenceStatement':
      return { protection: `IP set ${nameInArn(statement.IPSetReferenceStatement?.ARN)}` };
    case 'RuleGroupReferenceStatement':
      return { protection: `rule group ${nameInArn(statement.RuleGroupReferenceStatement?.ARN)}` };
    case 'AndStatement':
    case 'OrStatement':
    case 'NotStatement': {
      const inside = [
        facts.sqli && 'SQL injection match',
        facts.xss && 'cross-site scripting match',
        facts.geo && 'geo match',
      ].filter((part): part is string => typeof part === 'string');
      return inside.length > 0
        ? { protection: `${type} containing ${inside.join(', ')}` }
        : { none: `${type} without a SQL injection, cross-site scripting or geo match inside` };
    }
    default:
      return { none: `${type} is a custom match, not a recognised protection` };
  }
}

function ruleItem(
  rule: Rule,
  at: string,
  acl: { name: string; arn: string; logging: boolean },
  target: ScopeTarget,
) {
  const statement = required(rule.Statement, `${at}.Statement`);
  const visibility = required(rule.VisibilityConfig, `${at}.VisibilityConfig`);
  const type = statementTypeOf(statement, `${at}.Statement`);
  const facts: StatementFacts = { sqli: false, xss: false, geo: false, countries: [], ipSets: [] };
  inspect(statement, `${at}.Statement`, false, facts);
  const action = rule.Action ?? rule.OverrideAction;
  const blocks = rule.Action?.Block !== undefined;
  const countsOnly = rule.Action?.Count !== undefined || rule.OverrideAction?.Count !== undefined;
  const found = protectionOf(type, statement, facts);
  const compliance =
    'none' in found
      ? { is_compliant: false, compliance_reason: found.none }
      : countsOnly
        ? {
            is_compliant: false,
            compliance_reason: `${found.protection}, but its action is Count: it blocks nothing`,
          }
        : { is_compliant: true, compliance_reason: found.protection };
  const managed = type === 'ManagedRuleGroupStatement';
  const item: RuleItem = {
    web_acl_name: acl.name,
    web_acl_arn: acl.arn,
    rule_name: required(rule.Name, `${at}.Name`),
    priority: required(rule.Priority, `${at}.Priority`),
    action: action ? JSON.stringify(action) : null,
    statement_type: type,
    is_managed_rule: managed,
    is_custom_rule: !managed,
    rate_limit: type === 'RateBasedStatement',
    rate_limit_requests: statement.RateBasedStatement?.Limit ?? null,
    logging_enabled: acl.logging,
    geo_blocking: facts.geo && blocks,
    sql_injection: facts.sqli,
    sample_request_enabled: required(
      visibility.SampledRequestsEnabled,
      `${at}.VisibilityConfig.SampledRequestsEnabled`,
    ),
    cloudwatch_enabled: required(
      visibility.CloudWatchMetricsEnabled,
      `${at}.VisibilityConfig.CloudWatchMetricsEnabled`,
    ),
    has_xss_protection: facts.xss,
    waf_version: 'v2',
    ...compliance,
    scope: target.scope,
    region: target.region,
  };
  return { item, facts, blocks };
}

function webAclItems(acl: WebACL, associated: string[], destinations: string[] | null, target: ScopeTarget) {
  const at = `GetWebACL WebACL(${acl.Name})`;
  const name = required(acl.Name, 'GetWebACL WebACL.Name');
  const arn = required(acl.ARN, `${at}.ARN`);
  const visibility = required(acl.VisibilityConfig, `${at}.VisibilityConfig`);
  const analysed = (acl.Rules ?? []).map((rule, i) =>
    ruleItem(rule, `${at}.Rules[${i}]`, { name, arn, logging: destinations !== null }, target),
  );
  const geoBlocking = analysed.filter((r) => r.blocks && r.facts.geo);
  const webAcl: WebAclItem = {
    name,
    id: required(acl.Id, `${at}.Id`),
    arn,
    scope: target.scope,
    region: target.region,
    description: acl.Description || null,
    default_action: { ...required(acl.DefaultAction, `${at}.DefaultAction`) },
    rules_count: analysed.length,
    capacity: acl.Capacity ?? null,
    managed_rules_count: analysed.filter((r) => r.item.is_managed_rule).length,
    custom_rules_count: analysed.filter((r) => r.item.is_custom_rule).length,
    rate_limit_rules_count: analysed.filter((r) => r.item.rate_limit).length,
    associated_resources: associated,
    associated_resources_count: associated.length,
    logging_enabled: destinations !== null,
    log_destinations: destinations ?? [],
    geo_blocking_enabled: geoBlocking.length > 0,
    blocked_countries: [...new Set(geoBlocking.flatMap((r) => r.facts.countries))].sort(),
    ip_sets: [...new Set(analysed.flatMap((r) => r.facts.ipSets))].sort(),
    sampled_requests_enabled: required(
      visibility.SampledRequestsEnabled,
      `${at}.VisibilityConfig.SampledRequestsEnabled`,
    ),
    cloudwatch_metrics_enabled: required(
      visibility.CloudWatchMetricsEnabled,
      `${at}.VisibilityConfig.CloudWatchMetricsEnabled`,
    ),
  };
  return { webAcl, rules: analysed.map((r) => r.item).sort((a, b) => a.priority - b.priority) };
}

/** Every web ACL of one scope in one region, with its rules, associations and logging. */
async function collectScope(ctx: CollectContext, target: ScopeTarget): Promise<ScopeCollection> {
  const waf = ctx.clients.client(WAFV2Client, target.endpoint);
  const summaries = await listWebAcls(waf, target.scope);
  const collected = await mapLimit(summaries, ACL_CONCURRENCY, async (summary) => {
    let acl: WebACL;
    try {
      const response = await waf.send(
        new GetWebACLCommand({ Name: summary.name, Scope: target.scope, Id: summary.id }),
      );
      acl = required(response.WebACL, `GetWebACL(${summary.name}) WebACL`);
    } catch (error) {
      if (isNonexistent(error)) {
        ctx.log.debug('web ACL deleted while collecting', { webAcl: summary.name, region: target.region });
        return null;
      }
      throw error;
    }
    const arn = required(acl.ARN, `GetWebACL(${summary.name}) WebACL.ARN`);
    const associated =
      target.scope === 'CLOUDFRONT' ? await distributions(ctx, arn) : await regionalResources(waf, arn);
    return webAclItems(acl, associated, await logDestinations(waf, arn), target);
  });
  const present = collected.filter((c) => c !== null);
  return { webAcls: present.map((c) => c.webAcl), rules: present.flatMap((c) => c.rules) };
}

export const wafCollector = defineCollector({
  id: 'waf',
  title: 'WAF: web ACLs (regional and CloudFront), their rules and compliance',
  scope: 'regional',
  actions: [
    'wafv2:ListWebACLs',
    'wafv2:GetWebACL',
    'wafv2:ListResourcesForWebACL',
    'wafv2:GetLoggingConfiguration',
    'cloudfront:ListDistributionsByWebACLId',
  ],
  // ListResourcesForWebACL also checks these per resource type (WAF Developer Guide, "Permissions for
  // ListResourcesForWebACL"); ALB, API Gateway and AppSync need nothing more.
  dependentActions: [
    'cognito-idp:ListResourcesForWebACL',
    'apprunner:ListAssociatedServicesForWebAcl',
    'ec2:DescribeVerifiedAccessInstanceWebAclAssociations',
  ],
  tables: ['waf_rules', 'waf_rules_detailed'],
  schema: wafPayloadSchema,
  async collect(ctx) {
    // CLOUDFRONT runs once, beside the regions, under its own key: its failure is a recorded PARTIAL.
    const cloudFront = collectScope(ctx, {
      scope: 'CLOUDFRONT',
      endpoint: ctx.homeRegion,
      region: GLOBAL_REGION,
    }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const collection = await collectEachRegion(
      { ...ctx, regions: [GLOBAL_REGION, ...ctx.regions] },
      async (region) => {
        if (region !== GLOBAL_REGION)
          return collectScope(ctx, { scope: 'REGIONAL', endpoint: region, region });
        const outcome = await cloudFront;
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      },
    );
    const payload: WafPayload = {
      web_acls: collection.results.flatMap((r) => r.value.webAcls),
      rules: collection.results.flatMap((r) => r.value.rules),
    };
    return {
      payload,
      rows: payload.web_acls.length + payload.rules.length,
      regions: collection.regions,
      ...(collection.skippedReason === undefined ? {} : { skippedReason: collection.skippedReason }),
    };
  },
});
