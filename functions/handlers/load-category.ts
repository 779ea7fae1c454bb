import { loadCategory } from '../core/load-category.ts';
import { awsLoadDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('load-category', (log) => awsLoadDeps(log), loadCategory);
