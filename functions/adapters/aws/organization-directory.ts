import {
  type Account,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { classifyAwsError, required } from '../../collectors/aws-errors.ts';
import type { AccountDirectory, DirectoryAccount } from '../../ports.ts';

/** Each paginated Organizations list, to the last NextToken. */
async function allPages<T>(
  fetch: (token: string | undefined) => Promise<{ items: T[]; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetch(token);
    items.push(...page.items);
    token = page.next;
  } while (token);
  return items;
}

function toDirectoryAccount(account: Account, path: string): DirectoryAccount {
  return {
    id: required(account.Id, `${path}.Id`),
    name: account.Name ?? required(account.Id, `${path}.Id`),
    email: account.Email ?? null,
    // `State` replaces the deprecated `Status`; older answers only have the latter.
    state: account.State ?? account.Status ?? 'UNKNOWN',
  };
}

/**
 * AWS Organizations as the hub sees it (the management account, or a delegated administrator): every account,
 * or the accounts under some OUs, recursively.
 */
export function createOrganizationDirectory(client: OrganizationsClient): AccountDirectory {
  const accountsUnder = async (parentId: string): Promise<DirectoryAccount[]> => {
    const direct = await allPages(async (token) => {
      const page = await client.send(
        new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token }),
      );
      return { items: required(page.Accounts, 'ListAccountsForParent Accounts'), next: page.NextToken };
    });
    const children = await allPages(async (token) => {
      const page = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token }),
      );
      return {
        items: required(page.OrganizationalUnits, 'ListOrganizationalUnitsForParent OrganizationalUnits'),
        next: page.NextToken,
      };
    });
    const nested: DirectoryAccount[] = [];
    for (const child of children)
      nested.push(...(await accountsUnder(required(child.Id, 'OrganizationalUnits[].Id'))));
    return [
      ...direct.map((a, i) => toDirectoryAccount(a, `ListAccountsForParent Accounts[${i}]`)),
      ...nested,
    ];
  };
  return {
    async list(organizationalUnits) {
      try {
        if (organizationalUnits.length === 0) {
          const accounts = await allPages(async (token) => {
            const page = await client.send(new ListAccountsCommand({ NextToken: token }));
            return { items: required(page.Accounts, 'ListAccounts Accounts'), next: page.NextToken };
          });
          return accounts.map((a, i) => toDirectoryAccount(a, `ListAccounts Accounts[${i}]`));
        }
        const found = new Map<string, DirectoryAccount>();
        for (const ou of organizationalUnits)
          for (const account of await accountsUnder(ou)) found.set(account.id, account);
        return [...found.values()];
      } catch (error) {
        throw classifyAwsError(error);
      }
    },
    async tags(accountId) {
      try {
        const tags = await allPages(async (token) => {
          const page = await client.send(
            new ListTagsForResourceCommand({ ResourceId: accountId, NextToken: token }),
          );
          return { items: page.Tags ?? [], next: page.NextToken };
        });
        return Object.fromEntries(
          tags.map((tag, i) => [
            required(tag.Key, `ListTagsForResource Tags[${i}].Key`),
            required(tag.Value, `ListTagsForResource Tags[${i}].Value`),
          ]),
        );
      } catch (error) {
        throw classifyAwsError(error);
      }
    },
  };
}
