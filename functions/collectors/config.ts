import {
  ConfigServiceClient,
  DescribeComplianceByConfigRuleCommand,
  type DescribeComplianceByConfigRuleCommandOutput,
  DescribeConfigurationRecorderStatusCommand,
  DescribeConformancePackComplianceCommand,
  type DescribeConformancePackComplianceCommandOutput,
  DescribeConformancePacksCommand,
  type DescribeConformancePacksCommandOutput,
  type EvaluationResult,
  GetComplianceDetailsByConfigRuleCommand,
  type GetComplianceDetailsByConfigRuleCommandOutput,
  SelectResourceConfigCommand,
  type SelectResourceConfigCommandOutput,
} from '@aws-sdk/client-config-service';
import { z } from 'zod';
import { mapLimit } from '../platform/concurrency.ts';
import { DataContractError, ServiceNotEnabledError } from '../platform/errors.ts';
import { required } from './aws-errors.ts';
import { collectEachRegion } from './regional.ts';
import { defineCollector } from './types.ts';

export const COMPLIANCE_TYPES = [
  'COMPLIANT',
  'NON_COMPLIANT',
  'NOT_APPLICABLE',
  'INSUFFICIENT_DATA',
] as const;

const timestamp = z.iso.datetime();
const count = z.number().int().nonnegative();
/** Percent of the rules with a verdict that are compliant; null when no rule has one. */
const score = z.number().min(0).max(100).nullable();

const ruleCounts = {
  compliance_score: score,
  total_rules: count,
  compliant_rules: count,
  non_compliant_rules: count,
  insufficient_data_rules: count,
};

const regionSchema = z.object({
  region: z.string().min(1),
  recorder_name: z.string().min(1),
  /** Whether the configuration recorder is recording now. */
  recorder_recording: z.boolean(),
  recorder_last_status: z.string().nullable(),
  conformance_packs: z.array(z.string().min(1)),
  ...ruleCounts,
});

const ruleSchema = z.object({
  name: z.string().min(1),
  compliance: z.enum(COMPLIANCE_TYPES),
  /** The conformance pack the rule belongs to, or null for a rule of its own. */
  pack: z.string().nullable(),
  region: z.string().min(1),
});

const nonCompliantSchema = z.object({
  rule_name: z.string().min(1),
  resource_id: z.string().min(1),
  resource_type: z.string().min(1),
  config_rule_invoked_time: timestamp,
  result_recorded_time: timestamp,
  conformance_pack: z.string().nullable(),
  compliance_type: z.literal('NON_COMPLIANT'),
  annotation: z.string().nullable(),
  evaluation_mode: z.enum(['DETECTIVE', 'PROACTIVE']).nullable(),
  region: z.string().min(1),
});
export type NonCompliantResource = z.infer<typeof nonCompliantSchema>;

const text = z.string().nullable();
const integer = z.number().int().nullable();

const inventorySchema = z.object({
  /** The region whose Config recorded the item (IAM items say `global` in their own awsRegion). */
  region: z.string().min(1),
  resource_type: z.string().min(1),
  resource_id: z.string().min(1),
  resource_name: text,
  arn: text,
  availability_zone: text,
  state: text,
  instance_type: text,
  instance_class: text,
  engine: text,
  vpc_id: text,
  /** EBS volume size or RDS allocated storage, GiB. */
  size_gb: integer,
  volume_type: text,
  creation_date: timestamp.nullable(),
  multi_az: z.boolean().nullable(),
  scheme: text,
  /** Load balancer type: application, network, gateway. */
  type: text,
  /** Instances in an Auto Scaling group. */
  instance_count: integer,
  min_size: integer,
  max_size: integer,
  available_ip_count: integer,
  configuration_item_capture_time: timestamp.nullable(),
  configuration_item_status: text,
});
export type ConfigInventoryItem = z.infer<typeof inventorySchema>;

export const configPayloadSchema = z
  .object({
    /** The collection window (end exclusive); compliance itself is as of the collection. */
    date_from: z.iso.date(),
    date_to: z.iso.date(),
    /** Totals over the collected regions. */
    ...ruleCounts,
    regions: z.array(regionSchema),
    rules: z.array(ruleSchema),
    /** The resources non-compliant now, every one of them (not the day's newly recorded results). */
    non_compliant_resources: z.array(nonCompliantSchema),
    config_inventory: z.array(inventorySchema),
  })
  .superRefine((payload, issue) => {
    const sum = (
      key: 'total_rules' | 'compliant_rules' | 'non_compliant_rules' | 'insufficient_data_rules',
    ) => payload.regions.reduce((n, r) => n + r[key], 0);
    const perRegion = payload.regions.every(
      (r) => payload.rules.filter((rule) => rule.region === r.region).length === r.total_rules,
    );
    if (
      !perRegion ||
      payload.rules.length !== payload.total_rules ||
      sum('total_rules') !== payload.total_rules ||
      sum('compliant_rules') !== payload.compliant_rules ||
      sum('non_compliant_rules') !== payload.non_compliant_rules ||
      sum('insufficient_data_rules') !== payload.insufficient_data_rules
    ) {
      issue.addIssue({ code: 'custom', message: 'rule counts do not add up over the regions and rules' });
    }
  });
export type ConfigPayload = z.infer<typeof configPayloadSchema>;
export type ConfigRegion = ConfigPayload['regions'][number];
export type ConfigRule = ConfigPayload['rules'][number];

/** DescribeConformancePacks accepts a Limit of at most 20. */
const PACKS_PAGE = 20;
/** DescribeConformancePackCompliance accepts a Limit of at most 1000. */
const PACK_RULES_PAGE = 1000;
/** GetComplianceDetailsByConfigRule accepts a Limit of at most 100 (default 10). */
const DETAILS_PAGE = 100;
/** SelectResourceConfig accepts a Limit of at most 100. */
const SELECT_PAGE = 100;
/** Calls in flight per region: Config's rate limits are a few requests a second per account. */
const CONFIG_CONCURRENCY = 2;

/**
 * The inventory query: one paginated advanced query gives every recorded resource of every type with the
 * properties the seed's columns hold, where ListDiscoveredResources needs a call per resource type and
 * returns only ids and names.
 */
export const INVENTORY_EXPRESSION = `SELECT ${[
  'resourceId',
  'resourceName',
  'resourceType',
  'arn',
  'availabilityZone',
  'resourceCreationTime',
  'configurationItemCaptureTime',
  'configurationItemStatus',
  'configuration.instanceType',
  'configuration.state',
  'configuration.dBInstanceStatus',
  'configuration.vpcId',
  'configuration.dBSubnetGroup.vpcId',
  'configuration.size',
  'configuration.allocatedStorage',
  'configuration.volumeType',
  'configuration.dBInstanceClass',
  'configuration.engine',
  'configuration.multiAZ',
  'configuration.scheme',
  'configuration.type',
  'configuration.instances',
  'configuration.minSize',
  'configuration.maxSize',
  'configuration.availableIpAddressCount',
].join(', ')}`;

/** A region without AWS Config answers the calls that need a recorder with this error. */
const isConfigNotEnabled = ({ name }: { name: string }) =>
  name === 'NoAvailableConfigurationRecorderException';

/** Configuration items of resources that no longer exist. */
const DELETED_STATUSES = new Set(['ResourceDeleted', 'ResourceDeletedNotRecorded']);

/**
 * The region's customer managed configuration recorder (there is at most one per region). A region without
 * one does not use AWS Config: SKIPPED, not zero rules.
 */
async function recorderOf(client: ConfigServiceClient, region: string) {
  const response = await client.send(new DescribeConfigurationRecorderStatusCommand({}));
  const status = (response.ConfigurationRecordersStatus ?? [])[0];
  if (!status) throw new ServiceNotEnabledError(`AWS Config has no configuration recorder in ${region}`);
  return {
    name: required(
      status.name,
      `DescribeConfigurationRecorderStatus (${region}) ConfigurationRecordersStatus[0].name`,
    ),
    recording: status.recording ?? false,
    lastStatus: status.lastStatus ?? null,
  };
}

/** Every page of a token-paginated Config call. */
async function allPages<P extends { NextToken?: string | undefined }, T>(
  fetch: (token: string | undefined) => Promise<P>,
  items: (page: P) => readonly T[],
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    all.push(...items(page));
    token = page.NextToken || undefined;
  } while (token);
  return all;
}

/** The conformance packs of the region, and the pack of each rule that belongs to one. */
async function conformancePacks(client: ConfigServiceClient, region: string) {
  const packs = await allPages(
    (token): Promise<DescribeConformancePacksCommandOutput> =>
      client.send(
        new DescribeConformancePacksCommand({ Limit: PACKS_PAGE, ...(token ? { NextToken: token } : {}) }),
      ),
    (page) =>
      (page.ConformancePackDetails ?? []).map((pack, i) =>
        required(
          pack.ConformancePackName,
          `DescribeConformancePacks (${region}) ConformancePackDetails[${i}].ConformancePackName`,
        ),
      ),
  );
  const packOfRule = new Map<string, string>();
  await mapLimit(packs, CONFIG_CONCURRENCY, async (pack) => {
    const rules = await allPages(
      (token): Promise<DescribeConformancePackComplianceCommandOutput> =>
        client.send(
          new DescribeConformancePackComplianceCommand({
            ConformancePackName: pack,
            Limit: PACK_RULES_PAGE,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      (page) => {
        const at = `DescribeConformancePackCompliance (${region}, ${pack})`;
        return required(
          page.ConformancePackRuleComplianceList,
          `${at} ConformancePackRuleComplianceList`,
        ).map((rule, i) =>
          required(rule.ConfigRuleName, `${at} ConformancePackRuleComplianceList[${i}].ConfigRuleName`),
        );
      },
    );
    for (const rule of rules) packOfRule.set(rule, pack);
  });
  return { packs, packOfRule };
}

/** Every rule of the region with its compliance (rules without current results are INSUFFICIENT_DATA). */
async function rulesOf(client: ConfigServiceClient, region: string) {
  return allPages(
    (token): Promise<DescribeComplianceByConfigRuleCommandOutput> =>
      client.send(new DescribeComplianceByConfigRuleCommand(token ? { NextToken: token } : {})),
    (page) =>
      (page.ComplianceByConfigRules ?? []).map((rule, i) => {
        const at = `DescribeComplianceByConfigRule (${region}) ComplianceByConfigRules[${i}]`;
        const compliance = required(rule.Compliance?.ComplianceType, `${at}.Compliance.ComplianceType`);
        if (!(COMPLIANCE_TYPES as readonly string[]).includes(compliance)) {
          throw new DataContractError(`response ${at}.Compliance.ComplianceType is unknown: "${compliance}"`);
        }
        return {
          name: required(rule.ConfigRuleName, `${at}.ConfigRuleName`),
          compliance: compliance as ConfigRule['compliance'],
        };
      }),
  );
}

function nonCompliantOf(
  result: EvaluationResult,
  at: string,
  pack: string | null,
  region: string,
): NonCompliantResource {
  const qualifier = required(
    result.EvaluationResultIdentifier?.EvaluationResultQualifier,
    `${at}.EvaluationResultIdentifier.EvaluationResultQualifier`,
  );
  const type = required(result.ComplianceType, `${at}.ComplianceType`);
  if (type !== 'NON_COMPLIANT') {
    throw new DataContractError(`response ${at}.ComplianceType is ${type}, asked for NON_COMPLIANT only`);
  }
  const mode = qualifier.EvaluationMode ?? null;
  return {
    rule_name: required(qualifier.ConfigRuleName, `${at}...EvaluationResultQualifier.ConfigRuleName`),
    resource_id: required(qualifier.ResourceId, `${at}...EvaluationResultQualifier.ResourceId`),
    resource_type: required(qualifier.ResourceType, `${at}...EvaluationResultQualifier.ResourceType`),
    config_rule_invoked_time: required(
      result.ConfigRuleInvokedTime,
      `${at}.ConfigRuleInvokedTime`,
    ).toISOString(),
    result_recorded_time: required(result.ResultRecordedTime, `${at}.ResultRecordedTime`).toISOString(),
    conformance_pack: pack,
    compliance_type: 'NON_COMPLIANT',
    annotation: result.Annotation || null,
    evaluation_mode: mode === 'DETECTIVE' || mode === 'PROACTIVE' ? mode : null,
    region,
  };
}

/** Every resource a rule finds non-compliant now, to the last page. */
async function nonCompliantResources(
  client: ConfigServiceClient,
  rule: string,
  pack: string | null,
  region: string,
): Promise<NonCompliantResource[]> {
  let page = 0;
  return allPages(
    (token): Promise<GetComplianceDetailsByConfigRuleCommandOutput> =>
      client.send(
        new GetComplianceDetailsByConfigRuleCommand({
          ConfigRuleName: rule,
          ComplianceTypes: ['NON_COMPLIANT'],
          Limit: DETAILS_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    (response) => {
      const at = `GetComplianceDetailsByConfigRule (${region}, ${rule}, page ${++page}) EvaluationResults`;
      return (response.EvaluationResults ?? []).map((r, i) => nonCompliantOf(r, `${at}[${i}]`, pack, region));
    },
  );
}

// Reading the advanced query's JSON results ------------------------------------------------------------

type Json = Record<string, unknown>;
const objectAt = (value: unknown): Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
const stringAt = (value: unknown): string | null =>
  typeof value === 'string' && value !== '' ? value : null;
const integerAt = (value: unknown): number | null =>
  typeof value === 'number' && Number.isInteger(value) ? value : null;
const booleanAt = (value: unknown): boolean | null => (typeof value === 'boolean' ? value : null);
const timeAt = (value: unknown, at: string): string | null => {
  const raw = stringAt(value);
  if (raw === null) return null;
  const time = new Date(raw);
  if (Number.isNaN(time.getTime()))
    throw new DataContractError(`response ${at} is not a timestamp: "${raw}"`);
  return time.toISOString();
};

/** EC2 instances and load balancers hold their state in an object (`name`, `code`), volumes and functions as text. */
function stateOf(configuration: Json): string | null {
  const state = configuration.state;
  if (typeof state === 'string') return stringAt(state);
  const object = objectAt(state);
  return stringAt(object.name) ?? stringAt(object.code) ?? stringAt(configuration.dBInstanceStatus);
}

/** One advanced-query result, or null for the configuration item of a deleted resource. */
export function inventoryItemOf(result: string, at: string, region: string): ConfigInventoryItem | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result);
  } catch {
    throw new DataContractError(`response ${at} is not JSON`);
  }
  const item = objectAt(parsed);
  const status = stringAt(item.configurationItemStatus);
  if (status !== null && DELETED_STATUSES.has(status)) return null;
  const configuration = objectAt(item.configuration);
  const zone = stringAt(item.availabilityZone);
  const instances = configuration.instances;
  return {
    region,
    resource_type: required(stringAt(item.resourceType), `${at}.resourceType`),
    resource_id: required(stringAt(item.resourceId), `${at}.resourceId`),
    resource_name: stringAt(item.resourceName),
    arn: stringAt(item.arn),
    availability_zone: zone === 'Not Applicable' ? null : zone,
    state: stateOf(configuration),
    instance_type: stringAt(configuration.instanceType),
    instance_class: stringAt(configuration.dBInstanceClass),
    engine: stringAt(configuration.engine),
    vpc_id: stringAt(configuration.vpcId) ?? stringAt(objectAt(configuration.dBSubnetGroup).vpcId),
    size_gb: integerAt(configuration.size) ?? integerAt(configuration.allocatedStorage),
    volume_type: stringAt(configuration.volumeType),
    creation_date: timeAt(item.resourceCreationTime, `${at}.resourceCreationTime`),
    multi_az: booleanAt(configuration.multiAZ),
    scheme: stringAt(configuration.scheme),
    type: stringAt(configuration.type),
    instance_count: Array.isArray(instances) ? instances.length : null,
    min_size: integerAt(configuration.minSize),
    max_size: integerAt(configuration.maxSize),
    available_ip_count: integerAt(configuration.availableIpAddressCount),
    configuration_item_capture_time: timeAt(
      item.configurationItemCaptureTime,
      `${at}.configurationItemCaptureTime`,
    ),
    configuration_item_status: status,
  };
}

/** Config's inventory of the region: every recorded resource that still exists. */
async function inventoryOf(client: ConfigServiceClient, region: string): Promise<ConfigInventoryItem[]> {
  let page = 0;
  const items = await allPages(
    (token): Promise<SelectResourceConfigCommandOutput> =>
      client.send(
        new SelectResourceConfigCommand({
          Expression: INVENTORY_EXPRESSION,
          Limit: SELECT_PAGE,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    (response) => {
      const at = `SelectResourceConfig (${region}, page ${++page}) Results`;
      return (response.Results ?? []).map((r, i) => inventoryItemOf(r, `${at}[${i}]`, region));
    },
  );
  return items.filter((item) => item !== null);
}

export function ruleCountsOf(rules: ReadonlyArray<{ compliance: ConfigRule['compliance'] }>) {
  const of = (type: ConfigRule['compliance']) => rules.filter((r) => r.compliance === type).length;
  const compliant = of('COMPLIANT');
  const nonCompliant = of('NON_COMPLIANT');
  const judged = compliant + nonCompliant;
  return {
    compliance_score: judged === 0 ? null : Math.round((compliant / judged) * 10_000) / 100,
    total_rules: rules.length,
    compliant_rules: compliant,
    non_compliant_rules: nonCompliant,
    insufficient_data_rules: of('INSUFFICIENT_DATA'),
  };
}

/** One row per (rule, resource type, resource id): the latest recorded result when Config lists one twice. */
function distinctResources(resources: readonly NonCompliantResource[]): NonCompliantResource[] {
  const kept = new Map<string, NonCompliantResource>();
  for (const resource of resources) {
    const key = JSON.stringify([resource.rule_name, resource.resource_type, resource.resource_id]);
    const current = kept.get(key);
    if (!current || resource.result_recorded_time > current.result_recorded_time) kept.set(key, resource);
  }
  return [...kept.values()];
}

async function collectRegion(client: ConfigServiceClient, region: string) {
  const recorder = await recorderOf(client, region);
  const [{ packs, packOfRule }, compliance, inventory] = await Promise.all([
    conformancePacks(client, region),
    rulesOf(client, region),
    inventoryOf(client, region),
  ]);
  const rules: ConfigRule[] = compliance.map((r) => ({ ...r, pack: packOfRule.get(r.name) ?? null, region }));
  const failing = rules.filter((r) => r.compliance === 'NON_COMPLIANT');
  const resources = await mapLimit(failing, CONFIG_CONCURRENCY, (rule) =>
    nonCompliantResources(client, rule.name, rule.pack, region),
  );
  const summary: ConfigRegion = {
    region,
    recorder_name: recorder.name,
    recorder_recording: recorder.recording,
    recorder_last_status: recorder.lastStatus,
    conformance_packs: packs,
    ...ruleCountsOf(rules),
  };
  return { summary, rules, resources: distinctResources(resources.flat()), inventory };
}

export const configCollector = defineCollector({
  id: 'config',
  title: 'AWS Config: rule compliance, conformance packs, non-compliant resources, resource inventory',
  scope: 'regional',
  actions: [
    'config:DescribeConfigurationRecorderStatus',
    'config:DescribeConformancePacks',
    'config:DescribeConformancePackCompliance',
    'config:DescribeComplianceByConfigRule',
    'config:GetComplianceDetailsByConfigRule',
    'config:SelectResourceConfig',
  ],
  tables: ['config_reports', 'non_compliant_resources', 'config_inventory'],
  schema: configPayloadSchema,
  async collect(ctx) {
    const collected = await collectEachRegion(
      ctx,
      (region) => collectRegion(ctx.clients.client(ConfigServiceClient, region), region),
      isConfigNotEnabled,
    );
    const results = collected.results.map((r) => r.value);
    const rules = results.flatMap((r) => r.rules);
    const payload: ConfigPayload = {
      date_from: ctx.window.start,
      date_to: ctx.window.end,
      ...ruleCountsOf(rules),
      regions: results.map((r) => r.summary),
      rules,
      non_compliant_resources: results.flatMap((r) => r.resources),
      config_inventory: results.flatMap((r) => r.inventory),
    };
    return {
      payload,
      rows:
        payload.regions.length +
        payload.rules.length +
        payload.non_compliant_resources.length +
        payload.config_inventory.length,
      regions: collected.regions,
      ...(collected.skippedReason === undefined ? {} : { skippedReason: collected.skippedReason }),
    };
  },
});
