import { CloudFrontClient, ListDistributionsByWebACLIdCommand } from '@aws-sdk/client-cloudfront';
import {
  GetLoggingConfigurationCommand,
  GetWebACLCommand,
  ListResourcesForWebACLCommand,
  ListWebACLsCommand,
  type Rule,
  WAFV2Client,
  type WebACL,
} from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REGIONAL_RESOURCE_TYPES, wafCollector } from '../../../functions/collectors/waf.ts';
import { SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const waf = mockClient(WAFV2Client);
const cloudFront = mockClient(CloudFrontClient);
afterEach(() => {
  waf.reset();
  cloudFront.reset();
});
afterAll(() => {
  waf.restore();
  cloudFront.restore();
});

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const account = '123456789012';
const EDGE_ARN = `arn:aws:wafv2:us-east-1:${account}:global/webacl/edge/11111111-1111-4111-8111-111111111111`;
const SHOP_ARN = `arn:aws:wafv2:us-east-1:${account}:regional/webacl/shop-alb/22222222-2222-4222-8222-222222222222`;
const API_ARN = `arn:aws:wafv2:us-east-1:${account}:regional/webacl/shop-api/33333333-3333-4333-8333-333333333333`;
const OFFICE_IPS = `arn:aws:wafv2:us-east-1:${account}:regional/ipset/office/44444444-4444-4444-8444-444444444444`;
const ALB = `arn:aws:elasticloadbalancing:us-east-1:${account}:loadbalancer/app/shop/0123456789abcdef`;
const STAGE = 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod';
const FIREHOSE = `arn:aws:firehose:us-east-1:${account}:deliverystream/aws-waf-logs-shop`;
const DIST_1 = `arn:aws:cloudfront::${account}:distribution/E1ABCDEFGHIJKL`;
const DIST_2 = `arn:aws:cloudfront::${account}:distribution/E2ABCDEFGHIJKL`;

const seen = { SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: 'm' };
const bytes = (value: string) => new TextEncoder().encode(value);
const byteMatch = {
  ByteMatchStatement: {
    SearchString: bytes('/admin'),
    FieldToMatch: { UriPath: {} },
    TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' as const }],
    PositionalConstraint: 'STARTS_WITH' as const,
  },
};
const textMatch = {
  FieldToMatch: { QueryString: {} },
  TextTransformations: [{ Priority: 0, Type: 'NONE' as const }],
};

/** One rule of each kind the compliance analysis tells apart, returned out of priority order. */
const shopRules: Rule[] = [
  {
    Name: 'api-sqli',
    Priority: 8,
    Statement: { AndStatement: { Statements: [byteMatch, { SqliMatchStatement: textMatch }] } },
    Action: { Block: {} },
    VisibilityConfig: seen,
  },
  {
    Name: 'AWS-AWSManagedRulesCommonRuleSet',
    Priority: 0,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
    OverrideAction: { None: {} },
    VisibilityConfig: seen,
  },
  {
    Name: 'AWS-AWSManagedRulesSQLiRuleSet',
    Priority: 1,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesSQLiRuleSet' } },
    OverrideAction: { Count: {} },
    VisibilityConfig: { ...seen, SampledRequestsEnabled: false },
  },
  {
    Name: 'F5-Bots',
    Priority: 2,
    Statement: { ManagedRuleGroupStatement: { VendorName: 'F5', Name: 'BotProtection' } },
    OverrideAction: { None: {} },
    VisibilityConfig: seen,
  },
  {
    Name: 'rate-login',
    Priority: 3,
    Statement: {
      RateBasedStatement: {
        Limit: 500,
        EvaluationWindowSec: 300,
        AggregateKeyType: 'IP',
        ScopeDownStatement: { GeoMatchStatement: { CountryCodes: ['RU'] } },
      },
    },
    Action: { Block: {} },
    VisibilityConfig: { ...seen, CloudWatchMetricsEnabled: false },
  },
  {
    Name: 'allow-office',
    Priority: 4,
    Statement: { IPSetReferenceStatement: { ARN: OFFICE_IPS } },
    Action: { Allow: {} },
    VisibilityConfig: seen,
  },
  { Name: 'block-admin', Priority: 5, Statement: byteMatch, Action: { Block: {} }, VisibilityConfig: seen },
  {
    Name: 'only-eu',
    Priority: 6,
    Statement: { NotStatement: { Statement: { GeoMatchStatement: { CountryCodes: ['DE', 'FR'] } } } },
    Action: { Block: {} },
    VisibilityConfig: seen,
  },
  {
    Name: 'xss-or-admin',
    Priority: 7,
    Statement: { OrStatement: { Statements: [{ XssMatchStatement: textMatch }, byteMatch] } },
    Action: { Count: {} },
    VisibilityConfig: seen,
  },
];

const webAcls: Record<string, WebACL> = {
  edge: {
    Name: 'edge',
    Id: '11111111-1111-4111-8111-111111111111',
    ARN: EDGE_ARN,
    DefaultAction: { Allow: {} },
    Rules: [shopRules[1] as Rule],
    VisibilityConfig: seen,
    Capacity: 700,
  },
  'shop-alb': {
    Name: 'shop-alb',
    Id: '22222222-2222-4222-8222-222222222222',
    ARN: SHOP_ARN,
    DefaultAction: { Block: {} },
    Description: 'Shop load balancers',
    Rules: shopRules,
    VisibilityConfig: { ...seen, SampledRequestsEnabled: false },
    Capacity: 1234,
  },
  'shop-api': {
    Name: 'shop-api',
    Id: '33333333-3333-4333-8333-333333333333',
    ARN: API_ARN,
    DefaultAction: { Allow: {} },
    Rules: [],
    VisibilityConfig: seen,
  },
};
const summary = (name: string) => ({
  Name: name,
  Id: webAcls[name]?.Id,
  ARN: webAcls[name]?.ARN,
  LockToken: 'lock',
});

interface Call {
  readonly operation: string;
  readonly region: string;
  // biome-ignore lint/suspicious/noExplicitAny: the commands' own inputs
  readonly input: any;
}

/**
 * A small account: the CLOUDFRONT web ACL `edge` (two pages of distributions), two REGIONAL web ACLs in us-east-1
 * over three ListWebACLs pages (WAF returns a NextMarker with the last page, and even with the empty page after
 * it), none in eu-west-1. Every call is recorded with its region; `override` replaces an operation's answer.
 */
function account360(override: Partial<Record<string, (call: Call) => unknown>> = {}): Call[] {
  const calls: Call[] = [];
  const answer =
    (operation: string, fallback: (call: Call) => unknown) =>
    // biome-ignore lint/suspicious/noExplicitAny: the mock's client type
    async (input: any, getClient: () => { config: { region: () => Promise<string> } }) => {
      const call = { operation, region: await getClient().config.region(), input };
      calls.push(call);
      return (override[operation] ?? fallback)(call);
    };
  waf.on(ListWebACLsCommand).callsFake(
    answer('ListWebACLs', ({ region, input }) => {
      if (input.Scope === 'CLOUDFRONT') return { WebACLs: [summary('edge')] };
      if (region !== 'us-east-1') return { WebACLs: [] };
      if (input.NextMarker === undefined) return { WebACLs: [summary('shop-alb')], NextMarker: 'shop-alb' };
      if (input.NextMarker === 'shop-alb') return { WebACLs: [summary('shop-api')], NextMarker: 'shop-api' };
      return { WebACLs: [], NextMarker: 'shop-api' };
    }),
  );
  waf
    .on(GetWebACLCommand)
    .callsFake(answer('GetWebACL', ({ input }) => ({ WebACL: webAcls[input.Name], LockToken: 'lock' })));
  waf.on(ListResourcesForWebACLCommand).callsFake(
    answer('ListResourcesForWebACL', ({ input }) => {
      if (input.WebACLArn !== SHOP_ARN) return { ResourceArns: [] };
      if (input.ResourceType === 'APPLICATION_LOAD_BALANCER') return { ResourceArns: [ALB] };
      if (input.ResourceType === 'API_GATEWAY') return { ResourceArns: [STAGE] };
      return input.ResourceType === 'APPSYNC' ? {} : { ResourceArns: [] };
    }),
  );
  waf.on(GetLoggingConfigurationCommand).callsFake(
    answer('GetLoggingConfiguration', ({ input }) => {
      if (input.ResourceArn !== SHOP_ARN) {
        throw serviceError(
          'WAFNonexistentItemException',
          "AWS WAF couldn't perform the operation because your resource doesn't exist.",
        );
      }
      return { LoggingConfiguration: { ResourceArn: SHOP_ARN, LogDestinationConfigs: [FIREHOSE] } };
    }),
  );
  cloudFront.on(ListDistributionsByWebACLIdCommand).callsFake(
    answer('ListDistributionsByWebACLId', ({ input }) =>
      input.Marker === undefined
        ? {
            DistributionList: {
              Marker: '',
              NextMarker: 'E1ABCDEFGHIJKL',
              MaxItems: 100,
              IsTruncated: true,
              Quantity: 1,
              Items: [{ Id: 'E1ABCDEFGHIJKL', ARN: DIST_1 }],
            },
          }
        : {
            DistributionList: {
              Marker: 'E1ABCDEFGHIJKL',
              MaxItems: 100,
              IsTruncated: false,
              Quantity: 1,
              Items: [{ Id: 'E2ABCDEFGHIJKL', ARN: DIST_2 }],
            },
          },
    ),
  );
  return calls;
}

const of = (calls: Call[], operation: string) => calls.filter((c) => c.operation === operation);
const rule = (rules: ReadonlyArray<{ rule_name: string }>, name: string) =>
  rules.find((r) => r.rule_name === name);

describe('waf collector', () => {
  it('pages through every web ACL of both scopes and reads each one, its associations and its logging', async () => {
    const calls = account360();

    const result = await wafCollector.collect(collectContext({ window }));

    expect(of(calls, 'ListWebACLs').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { Scope: 'CLOUDFRONT', Limit: 100 }],
      ['us-east-1', { Scope: 'REGIONAL', Limit: 100 }],
      ['eu-west-1', { Scope: 'REGIONAL', Limit: 100 }],
      ['us-east-1', { Scope: 'REGIONAL', Limit: 100, NextMarker: 'shop-alb' }],
      ['us-east-1', { Scope: 'REGIONAL', Limit: 100, NextMarker: 'shop-api' }],
    ]);
    expect(of(calls, 'GetWebACL').map((c) => [c.region, c.input])).toEqual(
      expect.arrayContaining([
        ['us-east-1', { Name: 'edge', Scope: 'CLOUDFRONT', Id: '11111111-1111-4111-8111-111111111111' }],
        ['us-east-1', { Name: 'shop-alb', Scope: 'REGIONAL', Id: '22222222-2222-4222-8222-222222222222' }],
        ['us-east-1', { Name: 'shop-api', Scope: 'REGIONAL', Id: '33333333-3333-4333-8333-333333333333' }],
      ]),
    );
    expect(of(calls, 'GetWebACL')).toHaveLength(3);
    expect(
      of(calls, 'ListResourcesForWebACL')
        .filter((c) => c.input.WebACLArn === SHOP_ARN)
        .map((c) => c.input),
    ).toEqual(REGIONAL_RESOURCE_TYPES.map((type) => ({ WebACLArn: SHOP_ARN, ResourceType: type })));
    expect(of(calls, 'ListResourcesForWebACL').filter((c) => c.input.WebACLArn === EDGE_ARN)).toEqual([]);
    expect(of(calls, 'ListDistributionsByWebACLId').map((c) => [c.region, c.input])).toEqual([
      ['us-east-1', { WebACLId: EDGE_ARN, MaxItems: 100 }],
      ['us-east-1', { WebACLId: EDGE_ARN, MaxItems: 100, Marker: 'E1ABCDEFGHIJKL' }],
    ]);
    expect(
      of(calls, 'GetLoggingConfiguration')
        .map((c) => c.input.ResourceArn)
        .sort(),
    ).toEqual([EDGE_ARN, SHOP_ARN, API_ARN].sort());

    expect(result.regions).toEqual({
      global: { status: 'SUCCEEDED' },
      'us-east-1': { status: 'SUCCEEDED' },
      'eu-west-1': { status: 'SUCCEEDED' },
    });
    expect(result.payload.web_acls).toEqual([
      {
        name: 'edge',
        id: '11111111-1111-4111-8111-111111111111',
        arn: EDGE_ARN,
        scope: 'CLOUDFRONT',
        region: 'global',
        description: null,
        default_action: { Allow: {} },
        rules_count: 1,
        capacity: 700,
        managed_rules_count: 1,
        custom_rules_count: 0,
        rate_limit_rules_count: 0,
        associated_resources: [DIST_1, DIST_2],
        associated_resources_count: 2,
        logging_enabled: false,
        log_destinations: [],
        geo_blocking_enabled: false,
        blocked_countries: [],
        ip_sets: [],
        sampled_requests_enabled: true,
        cloudwatch_metrics_enabled: true,
      },
      {
        name: 'shop-alb',
        id: '22222222-2222-4222-8222-222222222222',
        arn: SHOP_ARN,
        scope: 'REGIONAL',
        region: 'us-east-1',
        description: 'Shop load balancers',
        default_action: { Block: {} },
        rules_count: 9,
        capacity: 1234,
        managed_rules_count: 3,
        custom_rules_count: 6,
        rate_limit_rules_count: 1,
        associated_resources: [ALB, STAGE],
        associated_resources_count: 2,
        logging_enabled: true,
        log_destinations: [FIREHOSE],
        geo_blocking_enabled: true,
        blocked_countries: ['RU'],
        ip_sets: [OFFICE_IPS],
        sampled_requests_enabled: false,
        cloudwatch_metrics_enabled: true,
      },
      {
        name: 'shop-api',
        id: '33333333-3333-4333-8333-333333333333',
        arn: API_ARN,
        scope: 'REGIONAL',
        region: 'us-east-1',
        description: null,
        default_action: { Allow: {} },
        rules_count: 0,
        capacity: null,
        managed_rules_count: 0,
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
      },
    ]);
    expect(result.rows).toBe(3 + 10);
    expect(wafCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('analyses each rule: flags through nesting and scope-down, and compliance with its reason', async () => {
    account360();
    const { payload } = await wafCollector.collect(collectContext({ window }));
    const shop = payload.rules.filter((r) => r.web_acl_arn === SHOP_ARN);

    expect(shop.map((r) => r.priority)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(rule(shop, 'AWS-AWSManagedRulesCommonRuleSet')).toEqual({
      web_acl_name: 'shop-alb',
      web_acl_arn: SHOP_ARN,
      rule_name: 'AWS-AWSManagedRulesCommonRuleSet',
      priority: 0,
      action: '{"None":{}}',
      statement_type: 'ManagedRuleGroupStatement',
      is_managed_rule: true,
      is_custom_rule: false,
      rate_limit: false,
      rate_limit_requests: null,
      logging_enabled: true,
      geo_blocking: false,
      sql_injection: false,
      sample_request_enabled: true,
      cloudwatch_enabled: true,
      has_xss_protection: true,
      waf_version: 'v2',
      is_compliant: true,
      compliance_reason: 'AWS managed rule group AWSManagedRulesCommonRuleSet',
      scope: 'REGIONAL',
      region: 'us-east-1',
    });
    expect(rule(shop, 'AWS-AWSManagedRulesSQLiRuleSet')).toMatchObject({
      action: '{"Count":{}}',
      sql_injection: true,
      sample_request_enabled: false,
      is_compliant: false,
      compliance_reason:
        'AWS managed rule group AWSManagedRulesSQLiRuleSet, but its action is Count: it blocks nothing',
    });
    expect(rule(shop, 'F5-Bots')).toMatchObject({
      is_managed_rule: true,
      is_compliant: false,
      compliance_reason: 'managed rule group BotProtection from vendor F5 is not an AWS managed rule group',
    });
    expect(rule(shop, 'rate-login')).toMatchObject({
      action: '{"Block":{}}',
      statement_type: 'RateBasedStatement',
      is_custom_rule: true,
      rate_limit: true,
      rate_limit_requests: 500,
      geo_blocking: true,
      cloudwatch_enabled: false,
      is_compliant: true,
      compliance_reason: 'rate-based: at most 500 requests per 300 s per IP',
    });
    expect(rule(shop, 'allow-office')).toMatchObject({
      action: '{"Allow":{}}',
      is_compliant: true,
      compliance_reason: 'IP set office',
    });
    expect(rule(shop, 'block-admin')).toMatchObject({
      statement_type: 'ByteMatchStatement',
      is_compliant: false,
      compliance_reason: 'ByteMatchStatement is a custom match, not a recognised protection',
    });
    expect(rule(shop, 'only-eu')).toMatchObject({
      statement_type: 'NotStatement',
      geo_blocking: true,
      is_compliant: true,
      compliance_reason: 'NotStatement containing geo match',
    });
    expect(rule(shop, 'xss-or-admin')).toMatchObject({
      has_xss_protection: true,
      geo_blocking: false,
      is_compliant: false,
      compliance_reason:
        'OrStatement containing cross-site scripting match, but its action is Count: it blocks nothing',
    });
    expect(rule(shop, 'api-sqli')).toMatchObject({
      statement_type: 'AndStatement',
      sql_injection: true,
      has_xss_protection: false,
      is_compliant: true,
      compliance_reason: 'AndStatement containing SQL injection match',
    });
    expect(rule(payload.rules, 'AWS-AWSManagedRulesCommonRuleSet')).toMatchObject({
      web_acl_arn: EDGE_ARN,
      logging_enabled: false,
      scope: 'CLOUDFRONT',
      region: 'global',
    });
  });

  it('records a failed CloudFront scope under "global" and keeps the regions (PARTIAL)', async () => {
    account360({
      ListWebACLs: ({ input, region }) => {
        if (input.Scope === 'CLOUDFRONT')
          throw serviceError('AccessDeniedException', 'not authorized to perform: wafv2:ListWebACLs', 403);
        return region === 'us-east-1' && input.NextMarker === undefined
          ? { WebACLs: [summary('shop-api')] }
          : { WebACLs: [] };
      },
    });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.regions?.global).toEqual({
      status: 'FAILED',
      error: {
        name: 'SourceAccessError',
        message: 'AccessDeniedException: not authorized to perform: wafv2:ListWebACLs',
      },
    });
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.web_acls.map((a) => a.arn)).toEqual([API_ARN]);
    expect(result.skippedReason).toBeUndefined();
  });

  it('skips an opt-in region that rejects credentials which work in the home region', async () => {
    account360({
      ListWebACLs: ({ region }) => {
        if (region === 'eu-west-1')
          throw serviceError(
            'UnrecognizedClientException',
            'The security token included in the request is invalid.',
          );
        return { WebACLs: [] };
      },
    });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.regions?.['eu-west-1']?.status).toBe('SKIPPED');
    expect(result.regions?.['eu-west-1']?.error?.name).toBe('ServiceNotEnabledError');
    expect(result.regions?.['eu-west-1']?.error?.message).toMatch(
      /UnrecognizedClientException.*eu-west-1 is an opt-in region not enabled for this account/,
    );
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.regions?.global).toEqual({ status: 'SUCCEEDED' });
  });

  it('fails as access when the credentials are rejected everywhere, home region included', async () => {
    account360({
      ListWebACLs: () => {
        throw serviceError(
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        );
      },
    });
    await expect(wafCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(SourceAccessError);
  });

  it('takes only WAFNonexistentItemException as "no logging": another logging error fails the region', async () => {
    account360({
      GetLoggingConfiguration: ({ input }) => {
        if (input.ResourceArn === SHOP_ARN) {
          throw serviceError(
            'AccessDeniedException',
            'not authorized to perform: wafv2:GetLoggingConfiguration',
            403,
          );
        }
        throw serviceError(
          'WAFNonexistentItemException',
          "AWS WAF couldn't perform the operation because your resource doesn't exist.",
        );
      },
    });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toMatchObject({
      status: 'FAILED',
      error: { name: 'SourceAccessError' },
    });
    expect(result.regions?.global).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.web_acls.map((a) => [a.name, a.logging_enabled])).toEqual([['edge', false]]);
  });

  it('leaves out a web ACL deleted between ListWebACLs and GetWebACL', async () => {
    account360({
      GetWebACL: ({ input }) => {
        if (input.Name === 'shop-alb')
          throw serviceError('WAFNonexistentItemException', "your resource doesn't exist");
        return { WebACL: webAcls[input.Name] };
      },
    });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({ status: 'SUCCEEDED' });
    expect(result.payload.web_acls.map((a) => a.name)).toEqual(['edge', 'shop-api']);
    expect(result.payload.rules.every((r) => r.web_acl_name === 'edge')).toBe(true);
  });

  it('records a response without the fields the API reference promises, naming the field', async () => {
    account360({
      GetWebACL: ({ input }) => {
        const { VisibilityConfig: _dropped, ...rest } = webAcls[input.Name] as WebACL;
        return { WebACL: input.Name === 'shop-alb' ? rest : webAcls[input.Name] };
      },
    });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.regions?.['us-east-1']).toEqual({
      status: 'FAILED',
      error: {
        name: 'DataContractError',
        message: 'response is missing GetWebACL WebACL(shop-alb).VisibilityConfig',
      },
    });
  });

  it.each([
    ['ThrottlingException', 'Rate exceeded', 400, TransientError],
    [
      'WAFInternalErrorException',
      'Your request is valid, but WAF could not perform the operation',
      500,
      TransientError,
    ],
    ['AccessDeniedException', 'not authorized to perform: wafv2:ListWebACLs', 403, SourceAccessError],
  ])('classifies %s when every scope fails', async (name, message, status, type) => {
    account360({
      ListWebACLs: () => {
        throw serviceError(name, message, status);
      },
    });
    await expect(wafCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('gives an account without web ACLs an empty, successful payload', async () => {
    account360({ ListWebACLs: () => ({ WebACLs: [] }) });
    const result = await wafCollector.collect(collectContext({ window }));
    expect(result.payload).toEqual({ web_acls: [], rules: [] });
    expect(result.rows).toBe(0);
    expect(result.skippedReason).toBeUndefined();
    expect(Object.values(result.regions ?? {}).every((r) => r.status === 'SUCCEEDED')).toBe(true);
  });
});
