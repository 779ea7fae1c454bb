import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { STSServiceException } from '@aws-sdk/client-sts';
import type {
  AwsCredentialIdentityProvider,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  Pluggable,
} from '@smithy/types';
import type { ClientFactoryOptions, CollectionScope } from '../../../functions/adapters/aws/clients.ts';

/** An STS error as the SDK deserializes it (query protocol: the error code is the name). */
export function stsError(name: string, message: string, httpStatusCode = 403): STSServiceException {
  return new STSServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message });
}

/** The current credentials of the tests: static, never looked up in the environment or ~/.aws. */
export const CALLER_KEY = 'AKIACALLERTEST000001';
export const callerCredentials: AwsCredentialIdentityProvider = async () => ({
  accessKeyId: CALLER_KEY,
  secretAccessKey: 'caller-secret',
});

/** The access key AssumeRole hands out for a role in an account, so a signature tells whose role signed it. */
export function assumedKey(accountId: string): string {
  return `ASIA${accountId}`;
}

/**
 * Answers AssumeRole on the STS clients `fromTemporaryCredentials` builds, before anything is signed or sent,
 * recording the exact input; `deny` lists the accounts whose role refuses the caller.
 */
export function fakeAssumeRole(options: { deny?: readonly string[] } = {}) {
  const calls: AssumeRoleCommandInput[] = [];
  const middleware =
    (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
    async (args: InitializeHandlerArguments<object>) => {
      if (context.commandName !== 'AssumeRoleCommand') return next(args);
      const input = args.input as AssumeRoleCommandInput;
      calls.push(structuredClone(input));
      const accountId = /^arn:aws:iam::(\d{12}):role\//.exec(input.RoleArn ?? '')?.[1] ?? 'unknown';
      if (options.deny?.includes(accountId)) {
        throw stsError(
          'AccessDenied',
          `User: arn:aws:iam::999999999999:user/tester is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
        );
      }
      return {
        output: {
          $metadata: {},
          Credentials: {
            AccessKeyId: assumedKey(accountId),
            SecretAccessKey: 'assumed-secret',
            SessionToken: 'assumed-token',
            Expiration: new Date(Date.now() + 3_600_000),
          },
        },
        response: undefined,
      };
    };
  // biome-ignore lint/suspicious/noExplicitAny: the plugin type fromTemporaryCredentials declares
  const plugin: Pluggable<any, any> = {
    applyToStack: (stack) => {
      stack.add(middleware as never, { step: 'initialize', priority: 'high' });
    },
  };
  return { plugin, calls };
}

export interface SignedCall {
  readonly accountId: string;
  readonly category: string;
  readonly runId: string;
  readonly accessKeyId: string | undefined;
}

/**
 * The sample organization's client options for the collectors (its answers below the SDK) plus a middleware
 * just before its answer that records which access key signed each request.
 */
export function answeredBySample(
  sampleOptions: ClientFactoryOptions,
  signed: SignedCall[],
): Omit<ClientFactoryOptions, 'credentials'> {
  const { credentials: _ignored, ...rest } = sampleOptions;
  return {
    ...rest,
    plugins: (scope: CollectionScope) => {
      const sample = sampleOptions.plugins?.(scope);
      return (region) => [
        ...(sample?.(region) ?? []),
        {
          applyToStack: (stack) => {
            (
              stack as unknown as {
                addRelativeTo(middleware: unknown, options: Record<string, unknown>): void;
              }
            ).addRelativeTo(
              (next: (args: unknown) => Promise<unknown>) => async (args: { request?: unknown }) => {
                const headers = (args.request as { headers?: Record<string, string> } | undefined)?.headers;
                const accessKeyId = /Credential=([^/]+)\//.exec(headers?.authorization ?? '')?.[1];
                signed.push({
                  accountId: scope.accountId,
                  category: scope.category,
                  runId: scope.runId,
                  accessKeyId,
                });
                return next(args);
              },
              { relation: 'before', toMiddleware: 'a360SampleOrganization', name: 'a360TestSignedBy' },
            );
          },
        },
      ];
    },
  };
}
