import {
  AccountClient,
  GetAlternateContactCommand,
  GetContactInformationCommand,
} from '@aws-sdk/client-account';
import {
  DescribeAccountCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import { describe, expect, it } from 'vitest';
import { createClientFactory } from '../../../functions/adapters/aws/clients.ts';
import { SAMPLE_ORGANIZATION_ID } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { SampleOrganization } from '../../../functions/adapters/local/sample-org/organization.ts';
import { accountSimulator } from '../../../functions/adapters/local/sample-org/services/account.ts';
import {
  organizationsSimulator,
  sampleAccountState,
  sampleAccountTags,
} from '../../../functions/adapters/local/sample-org/services/organizations.ts';
import { accountCollector } from '../../../functions/collectors/account.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { collectFromSample, SAMPLE_REGIONS } from '../../support/sample.ts';

const now = new Date('2026-11-26T06:00:00Z');
const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const simulators = [accountSimulator, organizationsSimulator];

/** Real SDK clients of one sample account, for the operations the collector does not call. */
function clientsOf(accountIndex: number, accounts = 12) {
  const org = new SampleOrganization({
    accounts,
    regions: SAMPLE_REGIONS,
    simulators,
    clock: { now: () => now },
  });
  const account = org.accounts[accountIndex];
  if (!account) throw new Error('no such sample account');
  const stats = { apiCalls: 0, throttled: 0 };
  const clients = createClientFactory(
    org.clientOptions(),
    { accountId: account.id, category: 'account', runId: 'r-sample' },
    stats,
  );
  return {
    org,
    account,
    stats,
    accountApi: clients.client(AccountClient, 'us-east-1'),
    organizations: clients.client(OrganizationsClient, 'us-east-1'),
  };
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error & { Reason?: string },
  );

describe('account collector against the sample organization', () => {
  it('collects a member account; Organizations denies it as AWS denies a member', async () => {
    const { result, stats, account } = await collectFromSample(accountCollector, { simulators, window, now });
    expect(accountCollector.schema.safeParse(result.payload).success).toBe(true);
    expect(stats.apiCalls).toBe(6);
    expect(result.payload).toMatchObject({
      account_id: account.id,
      account_name: account.name,
      account_status: 'ACTIVE',
      account_created_at: account.joinedAt.toISOString(),
      account_email: null,
      account_arn: null,
      joined_method: null,
      joined_timestamp: null,
    });
    expect(result.payload.organization_note).toMatch(
      /^Organizations\.DescribeAccount: AccessDeniedException: You don't have permissions to access this resource\./,
    );
    expect(result.payload.contact_info?.country_code).toMatch(/^[A-Z]{2}$/);
    expect(result.payload.contact_info?.company_name).toMatch(/^Northwind Traders/);
    expect(result.payload.alternate_contacts.billing).toEqual({
      name: 'Priya Raman',
      title: 'Head of Cloud Finance',
      email: 'aws-billing@northwind.example',
      phone: '+44 20 7946 0388',
    });
  });

  it('collects the management account completely, Organizations included', async () => {
    const { result, account, org } = await collectFromSample(accountCollector, {
      simulators,
      window,
      now,
      accountIndex: 0,
    });
    expect(result.payload).toEqual({
      account_id: account.id,
      account_name: 'org-management',
      account_email: 'aws+org-management@example.com',
      account_status: 'ACTIVE',
      account_arn: `arn:aws:organizations::${account.id}:account/${SAMPLE_ORGANIZATION_ID}/${account.id}`,
      joined_method: 'INVITED',
      joined_timestamp: account.joinedAt.toISOString(),
      account_created_at: account.joinedAt.toISOString(),
      organization_note: null,
      contact_info: {
        full_name: 'Eleanor Whitfield',
        address_line1: '1 Canada Square',
        address_line2: 'Level 23',
        address_line3: 'Canary Wharf',
        city: 'London',
        state_or_region: 'Greater London',
        district_or_county: null,
        postal_code: 'E14 5AB',
        country_code: 'GB',
        phone_number: expect.stringMatching(/^\+44 20 7946 0\d{3}$/),
        company_name: 'Northwind Traders Ltd',
        website_url: 'https://www.northwind.example',
      },
      alternate_contacts: {
        billing: expect.objectContaining({ email: 'aws-billing@northwind.example' }),
        operations: expect.objectContaining({
          email: 'platform-ops@northwind.example',
          phone: expect.any(String),
        }),
        security: {
          name: 'Tomasz Nowak',
          title: 'Chief Information Security Officer',
          email: 'security@northwind.example',
          phone: '+44 20 7946 0999',
        },
      },
    });
    expect(org.accounts[0]?.id).toBe(account.id);
    expect(result.rows).toBe(5);
  });

  it('varies: offices in several countries, missing contacts, a suspended sandbox', async () => {
    const payloads = [];
    for (let accountIndex = 0; accountIndex < 40; accountIndex++) {
      const { result } = await collectFromSample(accountCollector, {
        simulators,
        window,
        now,
        accountIndex,
        accounts: 40,
      });
      payloads.push(result.payload);
    }
    const countries = new Set(payloads.map((p) => p.contact_info?.country_code));
    expect(countries.size).toBeGreaterThanOrEqual(3);
    expect(payloads.some((p) => p.alternate_contacts.security === null)).toBe(true);
    expect(payloads.some((p) => p.alternate_contacts.operations === null)).toBe(true);
    expect(payloads.filter((p) => p.organization_note === null)).toHaveLength(1);
    const sandboxes = payloads.filter((p) => p.account_name?.startsWith('sandbox-'));
    expect(sandboxes.length).toBeGreaterThanOrEqual(3);
    expect(sandboxes.some((p) => p.account_status === 'SUSPENDED')).toBe(true);
    expect(sandboxes.every((p) => p.contact_info?.company_name === null)).toBe(true);
    expect(
      payloads
        .filter((p) => p.account_status !== 'ACTIVE')
        .every((p) => p.account_name?.startsWith('sandbox-')),
    ).toBe(true);
  });

  it('is deterministic', async () => {
    const a = await collectFromSample(accountCollector, { simulators, window, now, accountIndex: 8 });
    const b = await collectFromSample(accountCollector, {
      simulators,
      window,
      now: new Date('2026-12-01T00:00:00Z'),
      accountIndex: 8,
    });
    expect(a.result.payload).toEqual(b.result.payload);
  });

  it.each([
    // The Account API has no "not enabled" for an account's own settings: AWS's nearest is access denied.
    ['not-enabled', SourceAccessError, /trusted access with AWS Account Management/],
    ['access-denied', SourceAccessError, /not authorized to perform: account:GetAccountInformation/],
    ['malformed', DataContractError, /response is missing GetAccountInformation AccountId/],
    ['throttle-always', TransientError, /ThrottlingException/],
  ] as const)('answers the %s fault as AWS does', async (kind, type, message) => {
    const error = await errorOf(
      collectFromSample(accountCollector, {
        simulators,
        window,
        now,
        faults: [{ category: 'account', kind }],
      }),
    );
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(message);
  });
});

describe('Account simulator', () => {
  it('validates the contact type; a contact not set is ResourceNotFoundException', async () => {
    const { accountApi } = clientsOf(0);
    const invalid = await errorOf(
      accountApi.send(new GetAlternateContactCommand({ AlternateContactType: 'LEGAL' as never })),
    );
    expect(invalid.name).toBe('ValidationException');
    expect(invalid.message).toContain('Member must satisfy enum value set: [SECURITY, OPERATIONS, BILLING]');

    const org = clientsOf(0, 40).org;
    const sandbox = org.accounts.find((a) => a.environment === 'sandbox');
    if (!sandbox) throw new Error('no sandbox');
    const missing = await errorOf(
      clientsOf(sandbox.index, 40).accountApi.send(
        new GetAlternateContactCommand({ AlternateContactType: 'SECURITY' }),
      ),
    );
    expect(missing.name).toBe('ResourceNotFoundException');
  });

  it('lets only the management account name another account', async () => {
    const member = clientsOf(6);
    const management = clientsOf(0);
    const denied = await errorOf(
      member.accountApi.send(new GetContactInformationCommand({ AccountId: management.account.id })),
    );
    expect(denied.name).toBe('AccessDeniedException');
    const answer = await management.accountApi.send(
      new GetContactInformationCommand({ AccountId: member.account.id }),
    );
    expect(answer.ContactInformation?.FullName).toBeTruthy();
    const itself = await errorOf(
      management.accountApi.send(new GetContactInformationCommand({ AccountId: management.account.id })),
    );
    expect(itself.name).toBe('AccessDeniedException');
  });
});

describe('Organizations simulator', () => {
  it('pages ListAccounts for the management account, every account once, with the real state', async () => {
    const { organizations, org, stats } = clientsOf(0, 30);
    const ids: string[] = [];
    const states: string[] = [];
    for await (const page of paginateListAccounts({ client: organizations, pageSize: 20 }, {})) {
      expect(page.Accounts?.length).toBeLessThanOrEqual(5);
      for (const a of page.Accounts ?? []) {
        ids.push(a.Id as string);
        states.push(a.State as string);
      }
    }
    expect(stats.apiCalls).toBe(6);
    expect(ids).toEqual(org.accounts.map((a) => a.id));
    expect(states).toEqual(org.accounts.map((a) => sampleAccountState(a)));
  });

  it('checks MaxResults and the token as Organizations does', async () => {
    const { organizations } = clientsOf(0);
    const tooMany = await errorOf(organizations.send(new ListAccountsCommand({ MaxResults: 21 })));
    expect([tooMany.name, tooMany.Reason]).toEqual(['InvalidInputException', 'MAX_VALUE_EXCEEDED']);
    const badToken = await errorOf(organizations.send(new ListAccountsCommand({ NextToken: 'forged' })));
    expect([badToken.name, badToken.Reason]).toEqual(['InvalidInputException', 'INVALID_NEXT_TOKEN']);
  });

  it('denies ListAccounts and DescribeAccount to members, DescribeOrganization to none', async () => {
    const member = clientsOf(6);
    expect((await errorOf(member.organizations.send(new ListAccountsCommand({})))).name).toBe(
      'AccessDeniedException',
    );
    expect(
      (await errorOf(member.organizations.send(new DescribeAccountCommand({ AccountId: member.account.id }))))
        .name,
    ).toBe('AccessDeniedException');
    const { Organization } = await member.organizations.send(new DescribeOrganizationCommand({}));
    const managementId = member.org.accounts[0]?.id;
    expect(Organization).toEqual({
      Id: SAMPLE_ORGANIZATION_ID,
      Arn: `arn:aws:organizations::${managementId}:organization/${SAMPLE_ORGANIZATION_ID}`,
      FeatureSet: 'ALL',
      MasterAccountArn: `arn:aws:organizations::${managementId}:account/${SAMPLE_ORGANIZATION_ID}/${managementId}`,
      MasterAccountId: managementId,
      MasterAccountEmail: 'aws+org-management@example.com',
      AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
    });
  });

  it('answers DescribeAccount for an unknown account with AccountNotFoundException', async () => {
    const { organizations } = clientsOf(0);
    const error = await errorOf(
      organizations.send(new DescribeAccountCommand({ AccountId: '999999999999' })),
    );
    expect(error.name).toBe('AccountNotFoundException');
  });

  it('answers ListTagsForResource page by page for the management account only, and TargetNotFound for a stranger', async () => {
    const { organizations, org } = clientsOf(0, 30);
    const workload = org.accounts.find((a) => a.product !== null);
    if (!workload) throw new Error('no workload account');
    const tags: Record<string, string> = {};
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await organizations.send(
        new ListTagsForResourceCommand({ ResourceId: workload.id, NextToken: token }),
      );
      for (const tag of page.Tags ?? []) tags[tag.Key as string] = tag.Value as string;
      token = page.NextToken;
      pages += 1;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(tags).toEqual(sampleAccountTags(workload));
    expect(tags['a360:product']).toBe(workload.product);
    const stranger = await errorOf(
      organizations.send(new ListTagsForResourceCommand({ ResourceId: '999999999999' })),
    );
    expect(stranger.name).toBe('TargetNotFoundException');
    const member = clientsOf(6);
    const denied = await errorOf(
      member.organizations.send(new ListTagsForResourceCommand({ ResourceId: workload.id })),
    );
    expect(denied.name).toBe('AccessDeniedException');
  });
});
