import { prefetchCostExplorer } from '../core/prefetch-cost-explorer.ts';
import { awsPrefetchDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler(
  'prefetch-cost-explorer',
  (log) => awsPrefetchDeps(log),
  prefetchCostExplorer,
);
