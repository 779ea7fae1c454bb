import { SAMPLE_MANAGEMENT_ACCOUNT_INDEX, SAMPLE_ORGANIZATION_ID, type SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { awsError, paginate, type SampleCall, type ServiceSimulator } from '../simulator.ts';

const DAY_MS = 86_400_000;
/** ListAccounts accepts MaxResults 1..20; the server returns fewer per page so that paging really happens. */
const MAX_RESULTS = 20;
const SERVER_PAGE_SIZE = 5;

export type SampleAccountState = 'ACTIVE' | 'SUSPENDED';

/** Every account is active except every second personal sandbox (sandbox-02, -04...): its owner left. */
export function sampleAccountState(account: SampleAccount): SampleAccountState {
  const sandboxNumber = account.environment === 'sandbox' ? Number(account.name.replace(/^sandbox-/, '')) : 1;
  return sandboxNumber % 2 === 0 ? 'SUSPENDED' : 'ACTIVE';
}

function management(call: SampleCall): SampleAccount {
  return call.accounts[SAMPLE_MANAGEMENT_ACCOUNT_INDEX] as SampleAccount;
}

function isManagement(call: SampleCall): boolean {
  return call.account.index === SAMPLE_MANAGEMENT_ACCOUNT_INDEX;
}

/**
 * How the account came into the organization: the management account, which founded it, shows as INVITED (as
 * AWS shows it); the platform accounts were created in it, and a fifth of the workloads were invited later.
 */
function joined(account: SampleAccount): { method: 'CREATED' | 'INVITED'; at: Date } {
  if (account.index === SAMPLE_MANAGEMENT_ACCOUNT_INDEX) return { method: 'INVITED', at: account.joinedAt };
  const random = new Random(account.id, 'joined');
  if (account.product === null || !random.chance(0.2)) return { method: 'CREATED', at: account.joinedAt };
  return {
    method: 'INVITED',
    at: new Date(account.joinedAt.getTime() + random.int(3, 25) * DAY_MS + random.int(0, 86_399) * 1000),
  };
}

/** The Organizations `Account` shape of a sample account. */
function organizationAccount(account: SampleAccount, call: SampleCall) {
  const { method, at } = joined(account);
  const state = sampleAccountState(account);
  return {
    Id: account.id,
    Arn: `arn:aws:organizations::${management(call).id}:account/${SAMPLE_ORGANIZATION_ID}/${account.id}`,
    Email: account.email,
    Name: account.name,
    // Status is deprecated in favour of State but still returned; both have ACTIVE and SUSPENDED.
    Status: state,
    State: state,
    JoinedMethod: method,
    JoinedTimestamp: at,
  };
}

/** Only the management account or a delegated administrator (none here) may list or describe accounts. */
function requireManagement(call: SampleCall): void {
  if (!isManagement(call)) {
    throw awsError('AccessDeniedException', "You don't have permissions to access this resource.");
  }
}

function invalidInput(message: string, reason: string): Error {
  return Object.assign(awsError('InvalidInputException', message), { Reason: reason });
}

function describeAccount(call: SampleCall): object {
  requireManagement(call);
  const { AccountId } = call.input;
  if (AccountId === undefined)
    throw invalidInput('You must provide a value for AccountId.', 'INPUT_REQUIRED');
  if (!/^\d{12}$/.test(String(AccountId)))
    throw invalidInput('AccountId must be exactly 12 digits.', 'INVALID_PATTERN');
  const account = call.accounts.find((a) => a.id === AccountId);
  if (!account) throw awsError('AccountNotFoundException', "You specified an account that doesn't exist.");
  return { Account: organizationAccount(account, call) };
}

function listAccounts(call: SampleCall): object {
  requireManagement(call);
  const { MaxResults, NextToken } = call.input;
  if (MaxResults !== undefined && !(Number.isInteger(MaxResults) && MaxResults >= 1)) {
    throw invalidInput('MaxResults must be at least 1.', 'MIN_VALUE_EXCEEDED');
  }
  if (MaxResults > MAX_RESULTS)
    throw invalidInput(`MaxResults must be at most ${MAX_RESULTS}.`, 'MAX_VALUE_EXCEEDED');
  const { page, nextToken } = paginate(call.accounts, {
    token: NextToken,
    pageSize: Math.min(MaxResults ?? MAX_RESULTS, SERVER_PAGE_SIZE),
    request: 'ListAccounts',
    invalidToken: () =>
      invalidInput(
        'You specified an invalid value for nextToken. You must get the value from the response to a previous call to the API.',
        'INVALID_NEXT_TOKEN',
      ),
  });
  return {
    Accounts: page.map((a) => organizationAccount(a, call)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/** The sample organization's OU tree: the root holds the management account, the OUs the rest. */
const ROOT_ID = 'r-a360';
const OUS: ReadonlyArray<{ id: string; name: string; parent: string }> = [
  { id: 'ou-a360-sec00001', name: 'Security', parent: ROOT_ID },
  { id: 'ou-a360-inf00001', name: 'Infrastructure', parent: ROOT_ID },
  { id: 'ou-a360-wkl00001', name: 'Workloads', parent: ROOT_ID },
  { id: 'ou-a360-prd00001', name: 'Prod', parent: 'ou-a360-wkl00001' },
  { id: 'ou-a360-npd00001', name: 'NonProd', parent: 'ou-a360-wkl00001' },
  { id: 'ou-a360-sbx00001', name: 'Sandbox', parent: ROOT_ID },
];

export function sampleAccountParent(account: SampleAccount): string {
  if (account.index === SAMPLE_MANAGEMENT_ACCOUNT_INDEX) return ROOT_ID;
  switch (account.environment) {
    case 'security':
      return 'ou-a360-sec00001';
    case 'production':
      return account.product === null ? 'ou-a360-inf00001' : 'ou-a360-prd00001';
    case 'staging':
    case 'development':
      return 'ou-a360-npd00001';
    case 'sandbox':
      return 'ou-a360-sbx00001';
    default:
      return 'ou-a360-inf00001';
  }
}

function parentOf(call: SampleCall): string {
  const { ParentId } = call.input;
  if (
    typeof ParentId !== 'string' ||
    !/^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/.test(ParentId)
  ) {
    throw invalidInput('You specified an invalid value for ParentId.', 'INVALID_PATTERN');
  }
  if (ParentId !== ROOT_ID && !OUS.some((ou) => ou.id === ParentId)) {
    throw awsError(
      'ParentNotFoundException',
      "We can't find a root or OU with the ParentId that you specified.",
    );
  }
  return ParentId;
}

function pageOf<T>(call: SampleCall, items: readonly T[], request: string) {
  return paginate(items, {
    token: call.input.NextToken,
    pageSize: Math.min(call.input.MaxResults ?? MAX_RESULTS, SERVER_PAGE_SIZE),
    request,
    invalidToken: () => invalidInput('You specified an invalid value for nextToken.', 'INVALID_NEXT_TOKEN'),
  });
}

function listAccountsForParent(call: SampleCall): object {
  requireManagement(call);
  const parent = parentOf(call);
  const { page, nextToken } = pageOf(
    call,
    call.accounts.filter((a) => sampleAccountParent(a) === parent),
    `ListAccountsForParent ${parent}`,
  );
  return {
    Accounts: page.map((a) => organizationAccount(a, call)),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

function listOrganizationalUnitsForParent(call: SampleCall): object {
  requireManagement(call);
  const parent = parentOf(call);
  const owner = management(call);
  const { page, nextToken } = pageOf(
    call,
    OUS.filter((ou) => ou.parent === parent),
    `ListOrganizationalUnitsForParent ${parent}`,
  );
  return {
    OrganizationalUnits: page.map((ou) => ({
      Id: ou.id,
      Name: ou.name,
      Arn: `arn:aws:organizations::${owner.id}:ou/${SAMPLE_ORGANIZATION_ID}/${ou.id}`,
    })),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
}

/**
 * The tags an account carries in Organizations: every account its environment, workload accounts their product
 * in `a360:product`, and the shared platform accounts the `platform` product.
 */
export function sampleAccountTags(account: SampleAccount): Record<string, string> {
  const tags: Record<string, string> = { environment: account.environment };
  if (account.product !== null) tags['a360:product'] = account.product;
  else if (account.name === 'shared-services' || account.name === 'network-hub')
    tags['a360:product'] = 'platform';
  return tags;
}

function listTagsForResource(call: SampleCall): object {
  requireManagement(call);
  const { ResourceId } = call.input;
  if (ResourceId === undefined)
    throw invalidInput('You must provide a value for ResourceId.', 'INPUT_REQUIRED');
  const account = call.accounts.find((a) => a.id === ResourceId);
  if (!account) {
    throw awsError('TargetNotFoundException', "You specified a target that doesn't exist.");
  }
  const { page, nextToken } = paginate(
    Object.entries(sampleAccountTags(account)).map(([Key, Value]) => ({ Key, Value })),
    {
      token: call.input.NextToken,
      pageSize: 1,
      request: `ListTagsForResource ${account.id}`,
      invalidToken: () => invalidInput('You specified an invalid value for nextToken.', 'INVALID_NEXT_TOKEN'),
    },
  );
  return { Tags: page, ...(nextToken ? { NextToken: nextToken } : {}) };
}

/** Any account of the organization may describe the organization. */
function describeOrganization(call: SampleCall): object {
  const owner = management(call);
  return {
    Organization: {
      Id: SAMPLE_ORGANIZATION_ID,
      Arn: `arn:aws:organizations::${owner.id}:organization/${SAMPLE_ORGANIZATION_ID}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${owner.id}:account/${SAMPLE_ORGANIZATION_ID}/${owner.id}`,
      MasterAccountId: owner.id,
      MasterAccountEmail: owner.email,
      AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    },
  };
}

export const organizationsSimulator: ServiceSimulator = {
  service: 'Organizations',
  operations: {
    DescribeAccount: describeAccount,
    ListAccounts: listAccounts,
    DescribeOrganization: describeOrganization,
    ListAccountsForParent: listAccountsForParent,
    ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
    ListTagsForResource: listTagsForResource,
  },
  // Organizations has no switch to turn off: what an account without it gets is "not in an organization".
  notEnabled: () =>
    awsError(
      'AWSOrganizationsNotInUseException',
      "Your account isn't a member of an organization. To make this request, you must use the credentials of an account that belongs to an organization.",
    ),
  // The reference marks no output member required, but an account or organization without its Id is unusable,
  // so readers require the Id.
  malform(operation, output) {
    const copy = structuredClone(output) as Record<
      string,
      Record<string, unknown> | Array<Record<string, unknown>>
    >;
    if (operation === 'DescribeAccount') delete (copy.Account as Record<string, unknown>).Id;
    if (operation === 'ListAccounts' || operation === 'ListAccountsForParent') {
      delete (copy.Accounts as Array<Record<string, unknown>>)[0]?.Id;
    }
    if (operation === 'DescribeOrganization') delete (copy.Organization as Record<string, unknown>).Id;
    return copy;
  },
};
