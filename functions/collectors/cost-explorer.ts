import {
  type CostExplorerClient,
  type Expression,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
  type ResultByTime,
} from '@aws-sdk/client-cost-explorer';
import { DataContractError } from '../platform/errors.ts';
import { required } from './aws-errors.ts';

/** Cost Explorer helpers shared by the categories that read it (cost, service-usage). */

export const isCostExplorerNotEnabled = ({ name, message }: { name: string; message: string }) =>
  name === 'AccessDeniedException' && /not enabled for cost explorer/i.test(message);

export function linkedAccountFilter(accountId: string): Expression {
  return { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [accountId] } };
}

/** Every page of a GetCostAndUsage query, to the last NextPageToken. */
export async function getCostAndUsageAllPages(
  client: CostExplorerClient,
  input: Omit<GetCostAndUsageCommandInput, 'NextPageToken'>,
): Promise<ResultByTime[]> {
  const results: ResultByTime[] = [];
  let token: string | undefined;
  do {
    const page: GetCostAndUsageCommandOutput = await client.send(
      new GetCostAndUsageCommand({ ...input, ...(token ? { NextPageToken: token } : {}) }),
    );
    results.push(...required(page.ResultsByTime, 'GetCostAndUsage ResultsByTime'));
    token = page.NextPageToken;
  } while (token);
  return results;
}

export function amountOf(metric: { Amount?: string | undefined } | undefined, path: string): number {
  const amount = Number(required(metric?.Amount, path));
  if (!Number.isFinite(amount)) throw new DataContractError(`response ${path} is not a number`);
  return amount;
}

/** A GetCostAndUsage request as a collector builds it (pages are the client's business). */
export type CostAndUsageQuery = Omit<GetCostAndUsageCommandInput, 'NextPageToken'>;

/** Answers to GetCostAndUsage requests, by `costAndUsageFingerprint` of the request. */
export type PrefetchedResponses = Readonly<Record<string, GetCostAndUsageCommandOutput>>;

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => [k, stable(v)]),
    );
  }
  return value;
}

/** The same request, whatever its key order: how a prefetched answer is found for a collector's request. */
export function costAndUsageFingerprint(query: object): string {
  const { NextPageToken: _page, ...rest } = query as GetCostAndUsageCommandInput;
  return JSON.stringify(stable(rest));
}

/**
 * Splits a collector's filter into the account it names (`LINKED_ACCOUNT` with one value, alone or inside a
 * top-level `And`) and the rest of the filter; `undefined` when the filter names no single account.
 */
export function withoutLinkedAccount(
  filter: Expression | undefined,
): { accountId: string; rest: Expression | undefined } | undefined {
  const single = (e: Expression) =>
    e.Dimensions?.Key === 'LINKED_ACCOUNT' && e.Dimensions.Values?.length === 1
      ? e.Dimensions.Values[0]
      : undefined;
  if (!filter) return undefined;
  const alone = single(filter);
  if (alone) return { accountId: alone, rest: undefined };
  if (!filter.And) return undefined;
  const index = filter.And.findIndex((e) => single(e) !== undefined);
  if (index < 0) return undefined;
  const others = filter.And.filter((_, i) => i !== index);
  return {
    accountId: single(filter.And[index] as Expression) as string,
    rest: others.length === 0 ? undefined : others.length === 1 ? others[0] : { And: others },
  };
}
