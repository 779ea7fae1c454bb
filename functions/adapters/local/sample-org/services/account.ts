import { SAMPLE_MANAGEMENT_ACCOUNT_INDEX, type SampleAccount } from '../accounts.ts';
import { Random } from '../random.ts';
import { accessDenied, awsError, type SampleCall, type ServiceSimulator } from '../simulator.ts';
import { sampleAccountState } from './organizations.ts';

/** The offices of the sample company; an account's primary contact is the office that runs it. */
interface Office {
  readonly company: string;
  readonly lines: readonly [string, ...string[]];
  readonly city: string;
  readonly stateOrRegion?: string;
  readonly districtOrCounty?: string;
  readonly postalCode: string;
  readonly countryCode: string;
  /** The switchboard without its last digits; contacts get their own extension. */
  readonly phonePrefix: string;
  readonly lead: string;
}

const HEADQUARTERS: Office = {
  company: 'Northwind Traders Ltd',
  lines: ['1 Canada Square', 'Level 23', 'Canary Wharf'],
  city: 'London',
  stateOrRegion: 'Greater London',
  postalCode: 'E14 5AB',
  countryCode: 'GB',
  phonePrefix: '+44 20 7946 0',
  lead: 'Eleanor Whitfield',
};

const OFFICES: readonly Office[] = [
  HEADQUARTERS,
  {
    company: 'Northwind Traders Inc.',
    lines: ['2101 4th Avenue', 'Suite 1400'],
    city: 'Seattle',
    stateOrRegion: 'WA',
    postalCode: '98121',
    countryCode: 'US',
    phonePrefix: '+1 206-555-0',
    lead: 'Marcus Oyelaran',
  },
  {
    company: 'Northwind Traders GmbH',
    lines: ['Friedrichstraße 68'],
    city: 'Berlin',
    stateOrRegion: 'Berlin',
    postalCode: '10117',
    countryCode: 'DE',
    phonePrefix: '+49 30 23125 4',
    lead: 'Lukas Hoffmann',
  },
  {
    company: 'Northwind Traders Ireland Ltd',
    lines: ['2 Grand Canal Square'],
    city: 'Dublin',
    districtOrCounty: 'County Dublin',
    postalCode: 'D02 A342',
    countryCode: 'IE',
    phonePrefix: '+353 1 555 0',
    lead: 'Aoife Brennan',
  },
  {
    company: 'Northwind Traders Pty Ltd',
    lines: ['Level 12', '60 Margaret Street'],
    city: 'Sydney',
    stateOrRegion: 'NSW',
    postalCode: '2000',
    countryCode: 'AU',
    phonePrefix: '+61 2 5550 1',
    lead: 'Chloe Nguyen',
  },
  {
    company: 'Northwind Traders K.K.',
    lines: ['Marunouchi Trust Tower 14F', '1-8-3 Marunouchi'],
    city: 'Chiyoda-ku',
    stateOrRegion: 'Tokyo',
    postalCode: '100-0005',
    countryCode: 'JP',
    phonePrefix: '+81 3-4578-1',
    lead: 'Kenji Watanabe',
  },
];

const ENGINEERS = [
  'Sofia Lindqvist',
  'Daniel Okafor',
  'Amelia Hart',
  'Ravi Menon',
  'Julia Kowalski',
  'Tom Becker',
];
const WEBSITE = 'https://www.northwind.example';

/** Platform accounts are run from headquarters; a product's accounts all belong to one office. */
function officeOf(account: SampleAccount): Office {
  if (account.product === null && account.environment !== 'sandbox') return HEADQUARTERS;
  return new Random(account.product ?? account.id, 'office').pick(OFFICES);
}

function phone(office: Office, random: Random): string {
  return `${office.phonePrefix}${random.digits(3)}`;
}

/** Whether the account has each alternate contact: the management account all, sandboxes at most billing. */
const CONTACT_SHARE: Record<SampleAccount['environment'], Record<AlternateContactType, number>> = {
  management: { BILLING: 1, OPERATIONS: 1, SECURITY: 1 },
  security: { BILLING: 1, OPERATIONS: 1, SECURITY: 1 },
  production: { BILLING: 1, OPERATIONS: 1, SECURITY: 0.85 },
  staging: { BILLING: 1, OPERATIONS: 0.8, SECURITY: 0.6 },
  development: { BILLING: 1, OPERATIONS: 0.5, SECURITY: 0.4 },
  sandbox: { BILLING: 0.5, OPERATIONS: 0, SECURITY: 0 },
};

const ALTERNATE_CONTACT_TYPES = ['BILLING', 'OPERATIONS', 'SECURITY'] as const;
type AlternateContactType = (typeof ALTERNATE_CONTACT_TYPES)[number];

interface AlternateContact {
  Name: string;
  Title: string;
  EmailAddress: string;
  PhoneNumber: string;
  AlternateContactType: AlternateContactType;
}

/** The account's alternate contacts, by type; a type it has not set is absent. */
export function sampleAlternateContacts(
  account: SampleAccount,
): Partial<Record<AlternateContactType, AlternateContact>> {
  const random = new Random(account.id, 'alternate-contacts');
  const team = account.product ?? (account.environment === 'sandbox' ? account.name : 'platform');
  const isManagement = account.index === SAMPLE_MANAGEMENT_ACCOUNT_INDEX;
  const byType: Record<AlternateContactType, Omit<AlternateContact, 'AlternateContactType'>> = {
    BILLING: {
      Name: 'Priya Raman',
      Title: 'Head of Cloud Finance',
      EmailAddress: 'aws-billing@northwind.example',
      PhoneNumber: `${HEADQUARTERS.phonePrefix}388`,
    },
    OPERATIONS: {
      Name: new Random(team, 'operations').pick(ENGINEERS),
      Title: account.product ? 'Engineering Manager' : 'Head of Platform Engineering',
      EmailAddress: `${team}-ops@northwind.example`,
      PhoneNumber: phone(officeOf(account), random),
    },
    SECURITY: {
      Name: isManagement ? 'Tomasz Nowak' : 'Security Operations Centre',
      Title: isManagement ? 'Chief Information Security Officer' : 'SOC Duty Manager',
      EmailAddress: 'security@northwind.example',
      PhoneNumber: `${HEADQUARTERS.phonePrefix}999`,
    },
  };
  const contacts: Partial<Record<AlternateContactType, AlternateContact>> = {};
  for (const type of ALTERNATE_CONTACT_TYPES) {
    if (random.chance(CONTACT_SHARE[account.environment][type])) {
      contacts[type] = { ...byType[type], AlternateContactType: type };
    }
  }
  return contacts;
}

/**
 * The primary contact. Every account has one (AWS asks for it at sign-up); a personal sandbox is registered
 * to its engineer, without the company's name and website.
 */
export function sampleContactInformation(account: SampleAccount) {
  const office = officeOf(account);
  const random = new Random(account.id, 'contact');
  const personal = account.environment === 'sandbox';
  const [line1, line2, line3] = office.lines;
  return {
    FullName: personal ? random.pick(ENGINEERS) : office.lead,
    AddressLine1: line1,
    ...(line2 ? { AddressLine2: line2 } : {}),
    ...(line3 ? { AddressLine3: line3 } : {}),
    City: office.city,
    ...(office.stateOrRegion ? { StateOrRegion: office.stateOrRegion } : {}),
    ...(office.districtOrCounty ? { DistrictOrCounty: office.districtOrCounty } : {}),
    PostalCode: office.postalCode,
    CountryCode: office.countryCode,
    PhoneNumber: phone(office, random),
    ...(personal ? {} : { CompanyName: office.company, WebsiteUrl: WEBSITE }),
  };
}

function validation(message: string): Error {
  return awsError('ValidationException', `1 validation error detected: ${message}`);
}

/**
 * The account an operation is about. Without AccountId it is the caller's own, which works everywhere; naming
 * an account needs the management account (trusted access is on in the sample organization), and the
 * management account may not name itself.
 */
function target(call: SampleCall): SampleAccount {
  const { AccountId } = call.input;
  if (AccountId === undefined) return call.account;
  if (!/^\d{12}$/.test(String(AccountId))) {
    throw validation(
      `Value '${AccountId}' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^\\d{12}$`,
    );
  }
  const named = call.accounts.find((a) => a.id === AccountId);
  if (call.account.index !== SAMPLE_MANAGEMENT_ACCOUNT_INDEX || !named || named.id === call.account.id) {
    throw accessDenied(
      call,
      `account:${call.operation} on resource: arn:aws:account::${call.account.id}:account`,
    );
  }
  return named;
}

function getAccountInformation(call: SampleCall): object {
  const account = target(call);
  return {
    AccountId: account.id,
    AccountName: account.name,
    AccountCreatedDate: account.joinedAt,
    AccountState: sampleAccountState(account),
  };
}

function getContactInformation(call: SampleCall): object {
  return { ContactInformation: sampleContactInformation(target(call)) };
}

function getAlternateContact(call: SampleCall): object {
  const { AlternateContactType: type } = call.input;
  if (type === undefined) {
    throw validation(
      "Value null at 'alternateContactType' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!(ALTERNATE_CONTACT_TYPES as readonly string[]).includes(type)) {
    throw validation(
      `Value '${type}' at 'alternateContactType' failed to satisfy constraint: Member must satisfy enum value set: [SECURITY, OPERATIONS, BILLING]`,
    );
  }
  const contact = sampleAlternateContacts(target(call))[type as AlternateContactType];
  if (!contact) {
    throw awsError('ResourceNotFoundException', 'No contact of the inputted alternate contact type found.', {
      status: 404,
    });
  }
  return { AlternateContact: contact };
}

export const accountSimulator: ServiceSimulator = {
  service: 'Account',
  operations: {
    GetAccountInformation: getAccountInformation,
    GetContactInformation: getContactInformation,
    GetAlternateContact: getAlternateContact,
  },
  // The Account API cannot be switched off for an account's own settings (called without AccountId, as the
  // collector does). Its only "not enabled" is trusted access with Organizations, needed to name another
  // account, and AWS answers that with AccessDeniedException: an access problem, not a skipped service.
  notEnabled: (call) =>
    accessDenied(
      call,
      `account:${call.operation} (Your organization must first enable trusted access with AWS Account Management.)`,
    ),
  malform(operation, output) {
    const copy = structuredClone(output) as Record<string, unknown>;
    if (operation === 'GetAccountInformation') delete copy.AccountId;
    // CountryCode is a required member of ContactInformation in the API model.
    if (operation === 'GetContactInformation')
      delete (copy.ContactInformation as Record<string, unknown>).CountryCode;
    if (operation === 'GetAlternateContact') delete copy.AlternateContact;
    return copy;
  },
};
