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
