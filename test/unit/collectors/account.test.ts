import {
  AccountClient,
  GetAccountInformationCommand,
  GetAlternateContactCommand,
  GetContactInformationCommand,
} from '@aws-sdk/client-account';
import { DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { accountCollector } from '../../../functions/collectors/account.ts';
import {
  DataContractError,
  SourceAccessError,
  SourceRequestError,
  TransientError,
} from '../../../functions/platform/errors.ts';
import { collectContext, serviceError } from '../../support/collect-context.ts';

const accountApi = mockClient(AccountClient);
const organizations = mockClient(OrganizationsClient);
afterEach(() => {
  accountApi.reset();
  organizations.reset();
});
afterAll(() => {
  accountApi.restore();
  organizations.restore();
});

const window = { period: 'DAILY' as const, start: '2026-11-25', end: '2026-11-26' };
const accountId = '123456789012';
const created = new Date('2021-03-04T10:11:12Z');

function accountInformation(overrides: Record<string, unknown> = {}) {
  accountApi.on(GetAccountInformationCommand).resolves({
    AccountId: accountId,
    AccountName: 'payments-prod',
    AccountCreatedDate: created,
    AccountState: 'ACTIVE',
    ...overrides,
  });
}

const contactInformation = {
  FullName: 'Eleanor Whitfield',
  AddressLine1: '1 Canada Square',
  AddressLine2: 'Level 23',
  City: 'London',
  StateOrRegion: 'Greater London',
  PostalCode: 'E14 5AB',
  CountryCode: 'GB',
  PhoneNumber: '+44 20 7946 0321',
  CompanyName: 'Northwind Traders Ltd',
  WebsiteUrl: 'https://www.northwind.example',
};

const billing = {
  Name: 'Priya Raman',
  Title: 'Head of Cloud Finance',
  EmailAddress: 'aws-billing@northwind.example',
  PhoneNumber: '+44 20 7946 0388',
  AlternateContactType: 'BILLING' as const,
};
const operations = {
  Name: 'Ravi Menon',
  Title: 'Engineering Manager',
  EmailAddress: 'payments-ops@northwind.example',
  PhoneNumber: '+44 20 7946 0412',
  AlternateContactType: 'OPERATIONS' as const,
};

const notFound = () =>
  serviceError('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', 404);

function memberAccount() {
  accountInformation();
  accountApi.on(GetContactInformationCommand).resolves({ ContactInformation: contactInformation });
  accountApi
    .on(GetAlternateContactCommand, { AlternateContactType: 'BILLING' })
    .resolves({ AlternateContact: billing });
  accountApi
    .on(GetAlternateContactCommand, { AlternateContactType: 'OPERATIONS' })
    .resolves({ AlternateContact: operations });
  accountApi.on(GetAlternateContactCommand, { AlternateContactType: 'SECURITY' }).rejects(notFound());
  organizations
    .on(DescribeAccountCommand)
    .rejects(serviceError('AccessDeniedException', "You don't have permissions to access this resource."));
}

describe('account collector', () => {
  it('collects a member account: own settings, contacts with phones, why Organizations is silent', async () => {
    memberAccount();
    const result = await accountCollector.collect(collectContext({ window }));

    expect(accountApi.commandCalls(GetAccountInformationCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(accountApi.commandCalls(GetContactInformationCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(accountApi.commandCalls(GetAlternateContactCommand).map((c) => c.args[0].input)).toEqual([
      { AlternateContactType: 'BILLING' },
      { AlternateContactType: 'OPERATIONS' },
      { AlternateContactType: 'SECURITY' },
    ]);
    expect(organizations.commandCalls(DescribeAccountCommand).map((c) => c.args[0].input)).toEqual([
      { AccountId: accountId },
    ]);
    expect(result.payload).toEqual({
      account_id: accountId,
      account_name: 'payments-prod',
      account_email: null,
      account_status: 'ACTIVE',
      account_arn: null,
      joined_method: null,
      joined_timestamp: null,
      account_created_at: '2021-03-04T10:11:12.000Z',
      organization_note:
        "Organizations.DescribeAccount: AccessDeniedException: You don't have permissions to access this resource. " +
        '(only the management account or a delegated administrator sees email, ARN and join details)',
      contact_info: {
        full_name: 'Eleanor Whitfield',
        address_line1: '1 Canada Square',
        address_line2: 'Level 23',
        address_line3: null,
        city: 'London',
        state_or_region: 'Greater London',
        district_or_county: null,
        postal_code: 'E14 5AB',
        country_code: 'GB',
        phone_number: '+44 20 7946 0321',
        company_name: 'Northwind Traders Ltd',
        website_url: 'https://www.northwind.example',
      },
      alternate_contacts: {
        billing: {
          name: 'Priya Raman',
          title: 'Head of Cloud Finance',
          email: 'aws-billing@northwind.example',
          phone: '+44 20 7946 0388',
        },
        operations: {
          name: 'Ravi Menon',
          title: 'Engineering Manager',
          email: 'payments-ops@northwind.example',
          phone: '+44 20 7946 0412',
        },
        security: null,
      },
    });
    expect(result.rows).toBe(4);
    expect(result.skippedReason).toBeUndefined();
    expect(accountCollector.schema.safeParse(result.payload).success).toBe(true);
  });

  it('takes email, ARN, join details and state from DescribeAccount when it answers', async () => {
    accountInformation({ AccountName: undefined });
    accountApi
      .on(GetContactInformationCommand)
      .rejects(serviceError('ResourceNotFoundException', 'not found', 404));
    accountApi.on(GetAlternateContactCommand).rejects(notFound());
    organizations.on(DescribeAccountCommand).resolves({
      Account: {
        Id: accountId,
        Arn: `arn:aws:organizations::111122223333:account/o-abc123defg/${accountId}`,
        Email: 'aws+payments-prod@example.com',
        Name: 'Payments Production',
        Status: 'PENDING_CLOSURE',
        State: 'PENDING_CLOSURE',
        JoinedMethod: 'INVITED',
        JoinedTimestamp: new Date('2022-01-02T03:04:05Z'),
      },
    });
    const result = await accountCollector.collect(collectContext({ window }));
    expect(result.payload).toMatchObject({
      account_name: 'Payments Production',
      account_email: 'aws+payments-prod@example.com',
      account_status: 'PENDING_CLOSURE',
      account_arn: `arn:aws:organizations::111122223333:account/o-abc123defg/${accountId}`,
      joined_method: 'INVITED',
      joined_timestamp: '2022-01-02T03:04:05.000Z',
      account_created_at: '2021-03-04T10:11:12.000Z',
      organization_note: null,
      contact_info: null,
      alternate_contacts: { billing: null, operations: null, security: null },
    });
    expect(result.rows).toBe(1);
  });

  it('falls back to the deprecated Status when neither State is given', async () => {
    accountInformation({ AccountState: undefined });
    accountApi.on(GetContactInformationCommand).resolves({ ContactInformation: contactInformation });
    accountApi.on(GetAlternateContactCommand).rejects(notFound());
    organizations.on(DescribeAccountCommand).resolves({ Account: { Id: accountId, Status: 'SUSPENDED' } });
    const result = await accountCollector.collect(collectContext({ window }));
    expect(result.payload.account_status).toBe('SUSPENDED');
  });

  it.each([
    ['AWSOrganizationsNotInUseException', "Your account isn't a member of an organization."],
    ['AccountNotFoundException', "You specified an account that doesn't exist."],
  ])('records %s from DescribeAccount as a note, not a failure', async (name, message) => {
    memberAccount();
    organizations.on(DescribeAccountCommand).rejects(serviceError(name, message));
    const result = await accountCollector.collect(collectContext({ window }));
    expect(result.payload.organization_note).toContain(`${name}: ${message}`);
    expect(result.payload.account_email).toBeNull();
  });

  it.each([
    [
      'GetAccountInformation',
      'AccessDeniedException',
      'not authorized to perform: account:GetAccountInformation',
      403,
      SourceAccessError,
    ],
    ['GetAccountInformation', 'TooManyRequestsException', 'Rate exceeded', 429, TransientError],
    ['GetContactInformation', 'InternalServerException', 'boom', 500, TransientError],
    ['GetAlternateContact', 'ValidationException', '1 validation error detected', 400, SourceRequestError],
    ['DescribeAccount', 'TooManyRequestsException', 'Rate exceeded', 400, TransientError],
    ['DescribeAccount', 'ServiceException', 'internal error', 500, TransientError],
  ])('classifies %s %s', async (operation, name, message, status, type) => {
    memberAccount();
    const error = serviceError(name, message, status);
    if (operation === 'GetAccountInformation') accountApi.on(GetAccountInformationCommand).rejects(error);
    if (operation === 'GetContactInformation') accountApi.on(GetContactInformationCommand).rejects(error);
    if (operation === 'GetAlternateContact') accountApi.on(GetAlternateContactCommand).rejects(error);
    if (operation === 'DescribeAccount') organizations.on(DescribeAccountCommand).rejects(error);
    await expect(accountCollector.collect(collectContext({ window }))).rejects.toBeInstanceOf(type);
  });

  it('reads nothing else when the credentials belong to another account', async () => {
    memberAccount();
    accountInformation({ AccountId: '210987654321' });
    const error = await accountCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toBe(
      'GetAccountInformation answered for account 210987654321, not 123456789012',
    );
    expect(accountApi.commandCalls(GetContactInformationCommand)).toHaveLength(0);
    expect(organizations.commandCalls(DescribeAccountCommand)).toHaveLength(0);
  });

  it.each([
    ['GetAccountInformation AccountId', () => accountInformation({ AccountId: undefined })],
    [
      'GetContactInformation ContactInformation.CountryCode',
      () =>
        accountApi
          .on(GetContactInformationCommand)
          .resolves({ ContactInformation: { ...contactInformation, CountryCode: undefined } }),
    ],
    [
      'GetAlternateContact(OPERATIONS) AlternateContact',
      () => accountApi.on(GetAlternateContactCommand, { AlternateContactType: 'OPERATIONS' }).resolves({}),
    ],
    [
      'DescribeAccount Account.Id',
      () => organizations.on(DescribeAccountCommand).resolves({ Account: { Email: 'a@b.c' } }),
    ],
  ])('rejects a response without %s, naming it', async (path, breakIt) => {
    memberAccount();
    breakIt();
    const error = await accountCollector.collect(collectContext({ window })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataContractError);
    expect((error as Error).message).toBe(`response is missing ${path}`);
  });
});
