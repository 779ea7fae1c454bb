import { settleOrchestration } from '../core/settle-run.ts';
import { awsLoadDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('settle-run', (log) => awsLoadDeps(log), settleOrchestration);
