import { mergeSnapshot } from '../core/merge-snapshot.ts';
import { awsCollectDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler(
  'merge-snapshot',
  (log, context) => awsCollectDeps(log, context.invokedFunctionArn),
  mergeSnapshot,
);
