import { planRun } from '../core/plan-run.ts';
import { awsPlanDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('plan-run', () => awsPlanDeps(), planRun);
