import { fileURLToPath } from 'node:url';
import {
  Duration,
  type aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  RemovalPolicy,
} from 'aws-cdk-lib';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface A360FunctionProps {
  /** The file in functions/handlers/ (without .ts). */
  readonly handler: string;
  readonly functionName: string;
  readonly description: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  /** Ship sql/ beside the code: the load Lambdas apply migrations on first use. */
  readonly withSql?: boolean;
  readonly role?: iam.IRole;
}

/**
 * One of a360's Lambdas: Node 22 on arm64, an ESM bundle built by the local esbuild (no Docker), X-Ray
 * tracing, a log group with a retention, Powertools settings. Local-only packages never reach the bundle
 * (a test bundles every handler and checks).
 */
export class A360Function extends NodejsFunction {
  constructor(scope: Construct, id: string, props: A360FunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: `${PROJECT_ROOT}functions/handlers/${props.handler}.ts`,
      handler: 'handler',
      functionName: props.functionName,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.minutes(5),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      ...(props.role ? { role: props.role } : {}),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'a360',
        POWERTOOLS_METRICS_NAMESPACE: 'a360',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...(props.withSql ? { A360_SQL_DIR: '/var/task/sql' } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        mainFields: ['module', 'main'],
        // Some dependencies are CommonJS and call require(): give the ESM bundle one.
        banner:
          "import { createRequire as __a360Require } from 'node:module'; const require = __a360Require(import.meta.url);",
        ...(props.withSql
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) => [
                  `cp -r "${inputDir}/sql" "${outputDir}/sql"`,
                ],
              },
            }
          : {}),
      },
    });
  }
}
