import { discoverAccounts } from '../core/discover-accounts.ts';
import { awsDiscoverDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

export const handler = lambdaHandler('discover-accounts', (log) => awsDiscoverDeps(log), discoverAccounts);
