import type { Environment, SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import {
  awsError,
  existsAt,
  lifetime,
  paginate,
  type SampleCall,
  type ServiceSimulator,
} from '../simulator.ts';

/** Where CLOUDFRONT-scoped WAF resources live. */
export const CLOUDFRONT_REGION = 'us-east-1';

type Scope = 'REGIONAL' | 'CLOUDFRONT';
type Association =
  | 'APPLICATION_LOAD_BALANCER'
  | 'API_GATEWAY'
  | 'APPSYNC'
  | 'COGNITO_USER_POOL'
  | 'APP_RUNNER_SERVICE'
  | 'VERIFIED_ACCESS_INSTANCE';

const RESOURCE_TYPES: readonly string[] = [
  'APPLICATION_LOAD_BALANCER',
  'API_GATEWAY',
  'APPSYNC',
  'COGNITO_USER_POOL',
  'APP_RUNNER_SERVICE',
  'VERIFIED_ACCESS_INSTANCE',
  'AMPLIFY',
  'AGENTCORE_GATEWAY',
];

export interface SampleDistribution {
  readonly id: string;
  readonly arn: string;
  readonly domainName: string;
  readonly alias: string;
  readonly lastModified: Date;
}

interface SampleRule {
  readonly rule: Record<string, unknown>;
  readonly capacity: number;
  readonly lifetime: { createdAt: Date; removedAt: Date | null } | null;
}

/** A web ACL of the sample organization, with what the other WAF operations report about it. */
export interface SampleWebAcl {
  readonly name: string;
  readonly id: string;
  readonly arn: string;
  readonly scope: Scope;
  readonly description: string;
  readonly defaultAction: Record<string, unknown>;
  readonly rules: readonly SampleRule[];
  readonly visibility: Record<string, unknown>;
  readonly createdAt: Date;
  readonly removedAt: Date | null;
  readonly associations: Readonly<Partial<Record<Association, readonly string[]>>>;
  readonly distributions: readonly SampleDistribution[];
  readonly logDestinations: readonly string[] | null;
  readonly redactAuthorization: boolean;
}

/** Regional web ACLs per region by environment; CloudFront web ACL chance by environment. */
const REGIONAL_ACLS: Record<Environment, [number, number]> = {
  management: [0, 0],
  security: [0, 1],
  production: [2, 4],
  staging: [1, 2],
  development: [0, 1],
  sandbox: [0, 0],
};
const CLOUDFRONT_CHANCE: Record<Environment, number> = {
  management: 0,
  security: 0,
  production: 0.7,
  staging: 0.4,
  development: 0.2,
  sandbox: 0,
};

const PURPOSES: ReadonlyArray<{ name: string; description: string; protects: Association[] }> = [
  { name: 'public-alb', description: 'Public load balancers', protects: ['APPLICATION_LOAD_BALANCER'] },
  { name: 'rest-api', description: 'API Gateway REST APIs', protects: ['API_GATEWAY'] },
  { name: 'graphql', description: 'AppSync GraphQL APIs', protects: ['APPSYNC'] },
  { name: 'auth', description: 'Cognito hosted sign-in', protects: ['COGNITO_USER_POOL'] },
  { name: 'web', description: 'Web front ends', protects: ['APPLICATION_LOAD_BALANCER', 'API_GATEWAY'] },
  {
    name: 'internal-tools',
    description: 'Internal tools',
    protects: ['APP_RUNNER_SERVICE', 'VERIFIED_ACCESS_INSTANCE'],
  },
];

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function chars(random: Random, length: number, alphabet: string): string {
  let out = '';
  while (out.length < length) out += alphabet[random.int(0, alphabet.length - 1)];
  return out;
}

function webAclArn(account: SampleAccount, region: string, scope: Scope, name: string, id: string): string {
  return `arn:aws:wafv2:${region}:${account.id}:${scope === 'REGIONAL' ? 'regional' : 'global'}/webacl/${name}/${id}`;
}

function resourceArn(
  random: Random,
  account: SampleAccount,
  region: string,
  type: Association,
  label: string,
): string {
  switch (type) {
    case 'APPLICATION_LOAD_BALANCER':
      return `arn:aws:elasticloadbalancing:${region}:${account.id}:loadbalancer/app/${label}/${random.hex(16)}`;
    case 'API_GATEWAY':
      return `arn:aws:apigateway:${region}::/restapis/${chars(random, 10, ALNUM)}/stages/${random.pick(['prod', 'v1', 'live'])}`;
    case 'APPSYNC':
      return `arn:aws:appsync:${region}:${account.id}:apis/${chars(random, 26, ALNUM)}`;
    case 'COGNITO_USER_POOL':
      return `arn:aws:cognito-idp:${region}:${account.id}:userpool/${region}_${chars(random, 9, UPPER_ALNUM + ALNUM)}`;
    case 'APP_RUNNER_SERVICE':
      return `arn:aws:apprunner:${region}:${account.id}:service/${label}/${random.hex(32)}`;
    case 'VERIFIED_ACCESS_INSTANCE':
      return `arn:aws:ec2:${region}:${account.id}:verified-access-instance/vai-${random.hex(17)}`;
  }
}

const visibility = (random: Random, metricName: string) => ({
  SampledRequestsEnabled: random.chance(0.85),
  CloudWatchMetricsEnabled: random.chance(0.95),
  MetricName: metricName,
});

const text = (value: string) => new TextEncoder().encode(value);

/** The rules of one web ACL, by priority: AWS managed groups, rate limits, geo, IP sets and custom matches. */
function sampleRules(
  random: Random,
  account: SampleAccount,
  region: string,
  scope: Scope,
  prefix: string,
): SampleRule[] {
  const lean = account.environment === 'development' ? 0.6 : 1;
  const rules: SampleRule[] = [];
  const add = (rule: Record<string, unknown>, capacity: number, temporary = false) => {
    const name = rule.Name as string;
    rules.push({
      rule: {
        ...rule,
        Priority: rules.length,
        VisibilityConfig: visibility(random, name.replace(/[^A-Za-z0-9]/g, '')),
      },
      capacity,
      lifetime: temporary ? lifetime(random, { removedShare: 0.8, spanDays: 400 }) : null,
    });
  };
  const managed = (name: string, capacity: number, countShare: number) =>
    add(
      {
        Name: `AWS-${name}`,
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } },
        OverrideAction: random.chance(countShare) ? { Count: {} } : { None: {} },
      },
      capacity,
    );
  const resourceScope = scope === 'REGIONAL' ? 'regional' : 'global';
  if (random.chance(0.8 * lean)) managed('AWSManagedRulesAmazonIpReputationList', 25, 0.2);
  managed('AWSManagedRulesCommonRuleSet', 700, 0.1);
  if (random.chance(0.7 * lean)) managed('AWSManagedRulesKnownBadInputsRuleSet', 200, 0);
  if (random.chance(0.6 * lean)) managed('AWSManagedRulesSQLiRuleSet', 200, 0.25);
  if (random.chance(0.8)) {
    const login = random.chance(0.4);
    add(
      {
        Name: login ? `${prefix}-rate-limit-login` : `${prefix}-rate-limit-per-ip`,
        Statement: {
          RateBasedStatement: {
            Limit: random.pick([100, 300, 1000, 2000, 5000]),
            EvaluationWindowSec: random.pick([60, 300, 300, 600]),
            AggregateKeyType: 'IP',
            ...(login
              ? {
                  ScopeDownStatement: {
                    ByteMatchStatement: {
                      SearchString: text('/login'),
                      FieldToMatch: { UriPath: {} },
                      TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
                      PositionalConstraint: 'STARTS_WITH',
                    },
                  },
                }
              : {}),
          },
        },
        Action:
          login && random.chance(0.5) ? { Captcha: {} } : random.chance(0.15) ? { Count: {} } : { Block: {} },
      },
      login ? 4 : 2,
    );
  }
  if (random.chance(0.4)) {
    const countries = ['KP', 'IR', 'SY', 'CU', 'RU', 'BY'].filter(() => random.chance(0.6));
    add(
      {
        Name: `${prefix}-geo-block`,
        Statement: { GeoMatchStatement: { CountryCodes: countries.length > 0 ? countries : ['KP'] } },
        Action: { Block: {} },
      },
      1,
    );
  }
  if (random.chance(0.5)) {
    add(
      {
        Name: `${prefix}-blocked-ips`,
        Statement: {
          IPSetReferenceStatement: {
            ARN: `arn:aws:wafv2:${region}:${account.id}:${resourceScope}/ipset/${prefix}-blocked-ips/${random.uuid()}`,
          },
        },
        Action: { Block: {} },
      },
      1,
    );
  }
  if (random.chance(0.2)) {
    add(
      {
        Name: `${prefix}-org-baseline`,
        Statement: {
          RuleGroupReferenceStatement: {
            ARN: `arn:aws:wafv2:${region}:${account.id}:${resourceScope}/rulegroup/org-baseline/${random.uuid()}`,
          },
        },
        OverrideAction: { None: {} },
      },
      100,
    );
  }
  if (random.chance(0.45)) {
    add(
      {
        Name: `${prefix}-api-sqli-body`,
        Statement: {
          AndStatement: {
            Statements: [
              {
                ByteMatchStatement: {
                  SearchString: text('/api/'),
                  FieldToMatch: { UriPath: {} },
                  TextTransformations: [{ Priority: 0, Type: 'NONE' }],
                  PositionalConstraint: 'STARTS_WITH',
                },
              },
              {
                SqliMatchStatement: {
                  FieldToMatch: { Body: { OversizeHandling: 'CONTINUE' } },
                  TextTransformations: [
                    { Priority: 0, Type: 'URL_DECODE' },
                    { Priority: 1, Type: 'HTML_ENTITY_DECODE' },
                  ],
                  SensitivityLevel: 'HIGH',
                },
              },
            ],
          },
        },
        Action: { Block: {} },
      },
      32,
    );
  }
  if (random.chance(0.2)) {
    add(
      {
        Name: `${prefix}-xss-query`,
        Statement: {
          XssMatchStatement: {
            FieldToMatch: { QueryString: {} },
            TextTransformations: [{ Priority: 0, Type: 'URL_DECODE' }],
          },
        },
        Action: { Block: {} },
      },
      40,
    );
  }
  if (random.chance(0.4)) {
    add(
      {
        Name: `${prefix}-block-admin-path`,
        Statement: {
          ByteMatchStatement: {
            SearchString: text('/admin'),
            FieldToMatch: { UriPath: {} },
            TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
            PositionalConstraint: 'STARTS_WITH',
          },
        },
        Action: { Block: {} },
      },
      2,
    );
  }
  if (random.chance(0.3)) {
    add(
      {
        Name: `${prefix}-bad-bots`,
        Statement: {
          RegexMatchStatement: {
            RegexString: '(?i)(sqlmap|nikto|masscan|zgrab)',
            FieldToMatch: { SingleHeader: { Name: 'user-agent' } },
            TextTransformations: [{ Priority: 0, Type: 'NONE' }],
          },
        },
        Action: random.chance(0.3) ? { Challenge: {} } : { Block: {} },
      },
      3,
    );
  }
  // An incident response rule: added for a while, then taken out again.
  add(
    {
      Name: `${prefix}-incident-allow-partners`,
      Statement: {
        IPSetReferenceStatement: {
          ARN: `arn:aws:wafv2:${region}:${account.id}:${resourceScope}/ipset/${prefix}-partners/${random.uuid()}`,
        },
      },
      Action: { Allow: {} },
    },
    1,
    true,
  );
  return rules;
}

function logDestinations(
  random: Random,
  account: SampleAccount,
  region: string,
  name: string,
): string[] | null {
  if (!random.chance(0.55)) return null;
  return [
    random.weighted(
      [
        `arn:aws:firehose:${region}:${account.id}:deliverystream/aws-waf-logs-${name}`,
        `arn:aws:s3:::aws-waf-logs-${account.id}-${region}`,
        `arn:aws:logs:${region}:${account.id}:log-group:aws-waf-logs-${name}`,
      ],
      [3, 2, 2],
    ),
  ];
}

function sampleDistributions(random: Random, account: SampleAccount, count: number): SampleDistribution[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `E${chars(random, 13, UPPER_ALNUM)}`;
    return {
      id,
      arn: `arn:aws:cloudfront::${account.id}:distribution/${id}`,
      domainName: `d${chars(random, 13, ALNUM)}.cloudfront.net`,
      alias: `${['www', 'app', 'static', 'cdn'][i % 4]}.${account.product ?? account.name}.example.com`,
      lastModified: new Date(Date.UTC(2025, 0, 1) + random.int(0, 500) * 86_400_000),
    };
  });
}

function sampleWebAcl(
  random: Random,
  account: SampleAccount,
  region: string,
  scope: Scope,
  purpose: (typeof PURPOSES)[number],
  temporary: boolean,
): SampleWebAcl {
  const prefix = account.product ?? account.name;
  const name = temporary ? `${prefix}-${purpose.name}-migration-test` : `${prefix}-${purpose.name}`;
  const id = random.uuid();
  const arnRegion = scope === 'REGIONAL' ? region : CLOUDFRONT_REGION;
  const associations: Partial<Record<Association, string[]>> = {};
  if (scope === 'REGIONAL') {
    for (const type of purpose.protects) {
      associations[type] = Array.from(
        { length: random.int(1, type === 'APPLICATION_LOAD_BALANCER' ? 3 : 2) },
        (_, i) => resourceArn(random, account, region, type, `${prefix}-${purpose.name}-${i + 1}`),
      );
    }
  }
  const alive = temporary
    ? lifetime(random, { removedShare: 0.85, spanDays: 400 })
    : lifetime(random, { removedShare: 0.1, spanDays: 300 });
  return {
    name,
    id,
    arn: webAclArn(account, arnRegion, scope, name, id),
    scope,
    description: random.chance(0.8) ? `${purpose.description} of ${prefix}` : '',
    defaultAction: random.chance(0.85) ? { Allow: {} } : { Block: {} },
    rules: sampleRules(random, account, arnRegion, scope, prefix),
    visibility: visibility(random, name.replace(/[^A-Za-z0-9]/g, '')),
    createdAt: alive.createdAt,
    removedAt: alive.removedAt,
    associations,
    distributions: scope === 'CLOUDFRONT' ? sampleDistributions(random, account, random.int(1, 3)) : [],
    logDestinations: logDestinations(random, account, arnRegion, name),
    redactAuthorization: random.chance(0.5),
  };
}

function shuffled<T>(random: Random, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

const aclCache = new Map<string, SampleWebAcl[]>();

/**
 * Every web ACL the account ever has in a region and scope (CLOUDFRONT: us-east-1 only), whether or not it exists
 * at a given time: callers keep those that exist at `call.now`.
 */
export function sampleWebAcls(account: SampleAccount, region: string, scope: Scope): SampleWebAcl[] {
  const key = `${account.id}|${region}|${scope}`;
  const cached = aclCache.get(key);
  if (cached) return cached;
  const random = new Random(account.id, 'wafv2', region, scope);
  const acls: SampleWebAcl[] = [];
  if (scope === 'CLOUDFRONT') {
    if (region === CLOUDFRONT_REGION && random.chance(CLOUDFRONT_CHANCE[account.environment])) {
      acls.push(
        sampleWebAcl(
          random,
          account,
          region,
          scope,
          { name: 'edge', description: 'CloudFront edge', protects: [] },
          false,
        ),
      );
    }
  } else {
    const [low, high] = REGIONAL_ACLS[account.environment];
    const purposes = shuffled(random, PURPOSES).slice(0, random.int(low, high));
    for (const purpose of purposes) acls.push(sampleWebAcl(random, account, region, scope, purpose, false));
    const first = purposes[0];
    if (first && random.chance(0.6)) acls.push(sampleWebAcl(random, account, region, scope, first, true));
  }
  aclCache.set(key, acls);
  return acls;
}

/** The web ACLs that exist at `call.now` in the call's region and scope. */
function currentAcls(call: SampleCall, scope: Scope): SampleWebAcl[] {
  return sampleWebAcls(call.account, call.region, scope).filter((acl) => existsAt(acl, call.now));
}

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

function invalidParameter(field: string, parameter: string, reason: string): Error {
  return Object.assign(
    awsError(
      'WAFInvalidParameterException',
      `Error reason: ${reason}, field: ${field}, parameter: ${parameter}`,
    ),
    { Field: field, Parameter: parameter, Reason: reason },
  );
}

function nonexistent(): Error {
  return awsError(
    'WAFNonexistentItemException',
    "AWS WAF couldn’t perform the operation because your resource doesn't exist. If you've just created a resource that you're using in this operation, you might just need to wait a few minutes. It can take from a few seconds to a number of minutes for changes to propagate.",
  );
}

/** What a WAF call in an opt-in region the account has not enabled gets: its credentials are not recognised. */
function unrecognizedClient(): Error {
  return awsError('UnrecognizedClientException', 'The security token included in the request is invalid.');
}

function scopeOf(call: SampleCall): Scope {
  const scope = call.input.Scope;
  if (scope === undefined || scope === null) {
    throw validation("Value null at 'scope' failed to satisfy constraint: Member must not be null");
  }
  if (scope !== 'REGIONAL' && scope !== 'CLOUDFRONT') {
    throw validation(
      `Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [CLOUDFRONT, REGIONAL]`,
    );
  }
  if (scope === 'CLOUDFRONT' && call.region !== CLOUDFRONT_REGION) {
    throw invalidParameter('SCOPE_VALUE', 'CLOUDFRONT', 'The scope is not valid.');
  }
  return scope;
}

/** WAF's server pages are small, and it also returns a NextMarker with the last page: the next page is empty. */
const SERVER_PAGE = 2;

function listWebAcls(call: SampleCall): object {
  const scope = scopeOf(call);
  const { Limit, NextMarker } = call.input;
  if (Limit !== undefined && (!Number.isInteger(Limit) || Limit < 1 || Limit > 100)) {
    throw validation(
      `Value '${Limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  }
  const acls = currentAcls(call, scope);
  const size = Math.min(Limit ?? 100, SERVER_PAGE);
  const pages: SampleWebAcl[][] = [];
  for (let i = 0; i < acls.length; i += size) pages.push(acls.slice(i, i + size));
  pages.push([]);
  const { page, nextToken } = paginate(pages, {
    token: NextMarker,
    pageSize: 1,
    request: { Scope: scope, Limit, account: call.account.id, region: call.region },
    invalidToken: () => invalidParameter('NEXT_MARKER', String(NextMarker), 'The marker is not valid.'),
  });
  return {
    WebACLs: (page[0] ?? []).map((acl) => ({
      Name: acl.name,
      Id: acl.id,
      ...(acl.description ? { Description: acl.description } : {}),
      LockToken: new Random(acl.id, 'lock').uuid(),
      ARN: acl.arn,
    })),
    ...(nextToken ? { NextMarker: nextToken } : {}),
  };
}

function findAcl(call: SampleCall, arn: string): SampleWebAcl | undefined {
  return [
    ...currentAcls(call, 'REGIONAL'),
    ...(call.region === CLOUDFRONT_REGION ? currentAcls(call, 'CLOUDFRONT') : []),
  ].find((acl) => acl.arn === arn);
}

function getWebAcl(call: SampleCall): object {
  const { Name, Id, ARN } = call.input;
  let acl: SampleWebAcl | undefined;
  if (ARN !== undefined) {
    acl = findAcl(call, ARN);
  } else {
    if (!Name) throw validation("Value null at 'name' failed to satisfy constraint: Member must not be null");
    if (!Id) throw validation("Value null at 'id' failed to satisfy constraint: Member must not be null");
    acl = currentAcls(call, scopeOf(call)).find((a) => a.name === Name && a.id === Id);
  }
  if (!acl) throw nonexistent();
  const rules = acl.rules.filter((r) => r.lifetime === null || existsAt(r.lifetime, call.now));
  return {
    WebACL: {
      Name: acl.name,
      Id: acl.id,
      ARN: acl.arn,
      DefaultAction: acl.defaultAction,
      ...(acl.description ? { Description: acl.description } : {}),
      Rules: rules.map((r) => r.rule),
      VisibilityConfig: acl.visibility,
      Capacity: rules.reduce((sum, r) => sum + r.capacity, 0),
      ManagedByFirewallManager: false,
      LabelNamespace: `awswaf:${call.account.id}:webacl:${acl.name}:`,
      RetrofittedByFirewallManager: false,
    },
    LockToken: new Random(acl.id, 'lock').uuid(),
  };
}

function listResourcesForWebAcl(call: SampleCall): object {
  const { WebACLArn } = call.input;
  const resourceType = call.input.ResourceType ?? 'APPLICATION_LOAD_BALANCER';
  if (!WebACLArn)
    throw validation("Value null at 'webACLArn' failed to satisfy constraint: Member must not be null");
  if (!RESOURCE_TYPES.includes(resourceType)) {
    throw validation(
      `Value '${resourceType}' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [${RESOURCE_TYPES.join(', ')}]`,
    );
  }
  const acl = findAcl(call, WebACLArn);
  if (!acl) throw nonexistent();
  if (acl.scope === 'CLOUDFRONT' && resourceType !== 'AMPLIFY') {
    throw invalidParameter(
      'RESOURCE_TYPE',
      resourceType,
      'The resource type is not valid for a CLOUDFRONT web ACL.',
    );
  }
  if (acl.scope === 'REGIONAL' && resourceType === 'AMPLIFY') {
    throw invalidParameter(
      'RESOURCE_TYPE',
      resourceType,
      'The resource type is not valid for a REGIONAL web ACL.',
    );
  }
  return { ResourceArns: [...(acl.associations[resourceType as Association] ?? [])] };
}

function getLoggingConfiguration(call: SampleCall): object {
  const { ResourceArn } = call.input;
  if (!ResourceArn)
    throw validation("Value null at 'resourceArn' failed to satisfy constraint: Member must not be null");
  const acl = findAcl(call, ResourceArn);
  if (!acl?.logDestinations) throw nonexistent();
  return {
    LoggingConfiguration: {
      ResourceArn,
      LogDestinationConfigs: [...acl.logDestinations],
      ...(acl.redactAuthorization ? { RedactedFields: [{ SingleHeader: { Name: 'authorization' } }] } : {}),
      ManagedByFirewallManager: false,
      LogType: 'WAF_LOGS',
      LogScope: 'CUSTOMER',
    },
  };
}

export const wafv2Simulator: ServiceSimulator = {
  service: 'WAFV2',
  operations: {
    ListWebACLs: listWebAcls,
    GetWebACL: getWebAcl,
    ListResourcesForWebACL: listResourcesForWebAcl,
    GetLoggingConfiguration: getLoggingConfiguration,
  },
  // WAF needs no enabling; what fails is a region the account has not opted in to, where AWS does not recognise the
  // account's credentials. The collector maps this to a SKIPPED region when the credentials work in us-east-1.
  notEnabled: () => unrecognizedClient(),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'GetWebACL') {
      delete (copy.WebACL as Record<string, unknown>).VisibilityConfig;
    } else if (operation === 'ListWebACLs') {
      const first = (copy.WebACLs as Array<Record<string, unknown>>)[0];
      if (first) delete first.Id;
    } else if (operation === 'GetLoggingConfiguration') {
      delete (copy.LoggingConfiguration as Record<string, unknown>).LogDestinationConfigs;
    }
    return copy;
  },
};
