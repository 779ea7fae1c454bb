import { collectCategory } from '../core/collect-category.ts';
import { awsCollectDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

/** Deployed once per category (its own role and limits); the category comes in the input. */
export const handler = lambdaHandler(
  'collect-category',
  (log, context) => awsCollectDeps(log, context.invokedFunctionArn),
  collectCategory,
);
