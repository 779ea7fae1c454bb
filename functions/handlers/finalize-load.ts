import { finalizeOrReject } from '../core/finalize-load.ts';
import { awsLoadDeps } from '../platform/aws-deps.ts';
import { lambdaHandler } from '../platform/lambda.ts';

/** Serves FinalizeLoad and RejectSnapshot (a snapshot PrepareLoad refused). */
export const handler = lambdaHandler('finalize-load', (log) => awsLoadDeps(log), finalizeOrReject);
