import {
  AccountClient,
  type AlternateContactType,
  GetAccountInformationCommand,
  GetAlternateContactCommand,
  GetContactInformationCommand,
} from '@aws-sdk/client-account';
import { type Account, DescribeAccountCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { z } from 'zod';
import { DataContractError } from '../platform/errors.ts';
import { classifyAwsError, required } from './aws-errors.ts';
import { type CollectContext, defineCollector } from './types.ts';

const timestamp = z.iso.datetime().nullable();

const alternateContactSchema = z.object({
  name: z.string().nullable(),
  title: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});

export const accountPayloadSchema = z.object({
  account_id: z.string().regex(/^\d{12}$/),
  account_name: z.string().min(1).nullable(),
  /** From Organizations: null when the account may not describe itself (see organization_note). */
  account_email: z.string().nullable(),
  /** The account's state (ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ...) as AWS reports it. */
  account_status: z.string().min(1).nullable(),
  account_arn: z.string().nullable(),
  joined_method: z.string().nullable(),
  /** When the account joined the organization (Organizations). */
  joined_timestamp: timestamp,
  /** When the account was created (Account API). */
  account_created_at: timestamp,
  /** Why the Organizations fields are null (a member account may not call DescribeAccount), or null. */
  organization_note: z.string().nullable(),
  /** The primary contact; null when the account has none. */
  contact_info: z
    .object({
      full_name: z.string(),
      address_line1: z.string(),
      address_line2: z.string().nullable(),
      address_line3: z.string().nullable(),
      city: z.string(),
      state_or_region: z.string().nullable(),
      district_or_county: z.string().nullable(),
      postal_code: z.string(),
      country_code: z.string(),
      phone_number: z.string(),
      company_name: z.string().nullable(),
      website_url: z.string().nullable(),
    })
    .nullable(),
  /** Each alternate contact, null when the account has not set it. */
  alternate_contacts: z.object({
    billing: alternateContactSchema.nullable(),
    operations: alternateContactSchema.nullable(),
    security: alternateContactSchema.nullable(),
  }),
});
export type AccountPayload = z.infer<typeof accountPayloadSchema>;
type ContactInfo = NonNullable<AccountPayload['contact_info']>;
type AlternateContact = NonNullable<AccountPayload['alternate_contacts']['billing']>;

/**
 * What DescribeAccount answers when the account may not describe itself: a member account that is not a
 * delegated administrator (AccessDeniedException), or an account outside any organization.
 */
const ORGANIZATION_UNAVAILABLE = new Set([
  'AccessDeniedException',
  'AWSOrganizationsNotInUseException',
  'AccountNotFoundException',
]);

const errorName = (error: unknown) => (error as { name?: string } | null)?.name ?? '';

/** The Account API answers ResourceNotFoundException for a contact that was never set. */
async function unlessNotFound<T>(call: Promise<T>): Promise<T | null> {
  try {
    return await call;
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return null;
    throw error;
  }
}

/**
 * The calls omit AccountId: the Account API then answers for the caller's own account, which works in every
 * account (with AccountId it needs the management account and trusted access, and the management account may
 * not name itself).
 */
async function accountInformation(ctx: CollectContext, client: AccountClient) {
  const response = await client.send(new GetAccountInformationCommand({}));
  // The reference marks no output member required, but the id is what proves these are the right credentials.
  const id = required(response.AccountId, 'GetAccountInformation AccountId');
  if (id !== ctx.accountId) {
    throw new DataContractError(`GetAccountInformation answered for account ${id}, not ${ctx.accountId}`);
  }
  return {
    name: response.AccountName || null,
    state: response.AccountState ?? null,
    createdAt: response.AccountCreatedDate?.toISOString() ?? null,
  };
}

async function contactInformation(client: AccountClient): Promise<ContactInfo | null> {
  const response = await unlessNotFound(client.send(new GetContactInformationCommand({})));
  if (response === null) return null;
  const contact = required(response.ContactInformation, 'GetContactInformation ContactInformation');
  const field = (name: keyof typeof contact) =>
    required(contact[name], `GetContactInformation ContactInformation.${name}`) as string;
  return {
    full_name: field('FullName'),
    address_line1: field('AddressLine1'),
    address_line2: contact.AddressLine2 ?? null,
    address_line3: contact.AddressLine3 ?? null,
    city: field('City'),
    state_or_region: contact.StateOrRegion ?? null,
    district_or_county: contact.DistrictOrCounty ?? null,
    postal_code: field('PostalCode'),
    country_code: field('CountryCode'),
    phone_number: field('PhoneNumber'),
    company_name: contact.CompanyName ?? null,
    website_url: contact.WebsiteUrl ?? null,
  };
}

async function alternateContact(
  client: AccountClient,
  type: AlternateContactType,
): Promise<AlternateContact | null> {
  const response = await unlessNotFound(
    client.send(new GetAlternateContactCommand({ AlternateContactType: type })),
  );
  if (response === null) return null;
  // A contact that is not set is a ResourceNotFoundException, so a success without the contact is broken.
  const contact = required(response.AlternateContact, `GetAlternateContact(${type}) AlternateContact`);
  return {
    name: contact.Name ?? null,
    title: contact.Title ?? null,
    email: contact.EmailAddress ?? null,
    phone: contact.PhoneNumber ?? null,
  };
}

/** The account as its organization sees it, or why that is not visible with these credentials. */
async function membership(
  ctx: CollectContext,
  client: OrganizationsClient,
): Promise<{ account: Account | null; note: string | null }> {
  try {
    const response = await client.send(new DescribeAccountCommand({ AccountId: ctx.accountId }));
    const account = required(response.Account, 'DescribeAccount Account');
    const id = required(account.Id, 'DescribeAccount Account.Id');
    if (id !== ctx.accountId) {
      throw new DataContractError(`DescribeAccount answered for account ${id}, not ${ctx.accountId}`);
    }
    return { account, note: null };
  } catch (error) {
    const name = errorName(error);
    if (!ORGANIZATION_UNAVAILABLE.has(name)) throw error;
    const message = (error as Error).message;
    return {
      account: null,
      note:
        `Organizations.DescribeAccount: ${name}: ${message} ` +
        '(only the management account or a delegated administrator sees email, ARN and join details)',
    };
  }
}

export const accountCollector = defineCollector({
  id: 'account',
  title: 'Account: name, state, organization membership, primary and alternate contacts',
  scope: 'global',
  actions: [
    'account:GetAccountInformation',
    'account:GetContactInformation',
    'account:GetAlternateContact',
    'organizations:DescribeAccount',
  ],
  tables: ['accounts', 'contact_info', 'alternate_contacts'],
  schema: accountPayloadSchema,
  async collect(ctx) {
    const accountApi = ctx.clients.client(AccountClient, ctx.homeRegion);
    const organizations = ctx.clients.client(OrganizationsClient, ctx.homeRegion);
    try {
      // First, alone: it checks that the credentials are this account's before anything else is read.
      const information = await accountInformation(ctx, accountApi);
      const [contact, billing, operations, security, organization] = await Promise.all([
        contactInformation(accountApi),
        alternateContact(accountApi, 'BILLING'),
        alternateContact(accountApi, 'OPERATIONS'),
        alternateContact(accountApi, 'SECURITY'),
        membership(ctx, organizations),
      ]);
      const member = organization.account;
      const payload: AccountPayload = {
        account_id: ctx.accountId,
        account_name: information.name ?? (member?.Name || null),
        account_email: member?.Email ?? null,
        // State replaces Organizations' deprecated Status; the Account API's own state covers members.
        account_status: member?.State ?? information.state ?? member?.Status ?? null,
        account_arn: member?.Arn ?? null,
        joined_method: member?.JoinedMethod ?? null,
        joined_timestamp: member?.JoinedTimestamp?.toISOString() ?? null,
        account_created_at: information.createdAt,
        organization_note: organization.note,
        contact_info: contact,
        alternate_contacts: { billing, operations, security },
      };
      const contacts = [billing, operations, security].filter((c) => c !== null).length;
      return { payload, rows: 1 + (contact ? 1 : 0) + contacts };
    } catch (error) {
      throw classifyAwsError(error);
    }
  },
});
