import {
  type AccountState,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListTagsForResourceCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createOrganizationDirectory } from '../../../functions/adapters/aws/organization-directory.ts';
import { DataContractError, SourceAccessError, TransientError } from '../../../functions/platform/errors.ts';
import { serviceError } from '../../support/collect-context.ts';

const organizations = mockClient(OrganizationsClient);
afterEach(() => organizations.reset());
afterAll(() => organizations.restore());

const client = () =>
  new OrganizationsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
const account = (id: string, state: AccountState = 'ACTIVE') => ({
  Id: id,
  Name: `name-${id}`,
  Email: `${id}@example.com`,
  State: state,
});

describe('the Organizations account directory', () => {
  it('lists every account through every page of ListAccounts', async () => {
    organizations
      .on(ListAccountsCommand, { NextToken: undefined })
      .resolves({ Accounts: [account('111111111111')], NextToken: 't1' })
      .on(ListAccountsCommand, { NextToken: 't1' })
      .resolves({ Accounts: [account('222222222222', 'SUSPENDED')] });
    const accounts = await createOrganizationDirectory(client()).list([]);
    expect(accounts).toEqual([
      { id: '111111111111', name: 'name-111111111111', email: '111111111111@example.com', state: 'ACTIVE' },
      {
        id: '222222222222',
        name: 'name-222222222222',
        email: '222222222222@example.com',
        state: 'SUSPENDED',
      },
    ]);
    expect(organizations.commandCalls(ListAccountsCommand).map((c) => c.args[0].input)).toEqual([
      { NextToken: undefined },
      { NextToken: 't1' },
    ]);
  });

  it('walks OUs recursively, every page of accounts and child OUs, each account once', async () => {
    organizations
      .on(ListAccountsForParentCommand, { ParentId: 'ou-a-1', NextToken: undefined })
      .resolves({ Accounts: [account('111111111111')], NextToken: 'p2' })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-a-1', NextToken: 'p2' })
      .resolves({ Accounts: [account('222222222222')] })
      .on(ListAccountsForParentCommand, { ParentId: 'ou-a-2' })
      .resolves({ Accounts: [account('333333333333')] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-a-1', NextToken: undefined })
      .resolves({ OrganizationalUnits: [], NextToken: 'o2' })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-a-1', NextToken: 'o2' })
      .resolves({ OrganizationalUnits: [{ Id: 'ou-a-2' }] })
      .on(ListOrganizationalUnitsForParentCommand, { ParentId: 'ou-a-2' })
      .resolves({ OrganizationalUnits: [] });
    const accounts = await createOrganizationDirectory(client()).list(['ou-a-1', 'ou-a-2']);
    expect(accounts.map((a) => a.id)).toEqual(['111111111111', '222222222222', '333333333333']);
  });

  it("reads an account's tags through every page", async () => {
    organizations
      .on(ListTagsForResourceCommand, { ResourceId: '111111111111', NextToken: undefined })
      .resolves({ Tags: [{ Key: 'a360:product', Value: 'payments,checkout' }], NextToken: 'n' })
      .on(ListTagsForResourceCommand, { ResourceId: '111111111111', NextToken: 'n' })
      .resolves({ Tags: [{ Key: 'environment', Value: 'production' }] });
    expect(await createOrganizationDirectory(client()).tags('111111111111')).toEqual({
      'a360:product': 'payments,checkout',
      environment: 'production',
    });
  });

  it('classifies errors: access denied, throttling, and an answer without a field the reader needs', async () => {
    const directory = createOrganizationDirectory(client());
    organizations
      .on(ListAccountsCommand)
      .rejects(serviceError('AccessDeniedException', "You don't have permissions to access this resource."));
    await expect(directory.list([])).rejects.toBeInstanceOf(SourceAccessError);
    organizations
      .on(ListTagsForResourceCommand)
      .rejects(serviceError('TooManyRequestsException', 'AWS Organizations can not complete your request.'));
    await expect(directory.tags('111111111111')).rejects.toBeInstanceOf(TransientError);
    organizations.on(ListAccountsCommand).resolves({});
    await expect(directory.list([])).rejects.toBeInstanceOf(DataContractError);
  });
});
