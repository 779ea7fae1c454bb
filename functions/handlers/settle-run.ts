import { settleOrchestration } from '../core/settle-run.ts';
import { awsSettleDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('settle-run', (log) => awsSettleDeps(log), settleOrchestration);
