import { prepareLoad } from '../core/prepare-load.ts';
import { awsLoadDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('prepare-load', (log) => awsLoadDeps(log), prepareLoad);
