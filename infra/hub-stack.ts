import {
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  Duration,
  aws_ec2 as ec2,
  aws_events as events,
  aws_iam as iam,
  aws_kms as kms,
  RemovalPolicy,
  aws_rds as rds,
  Stack,
  type StackProps,
  aws_s3 as s3,
  aws_sqs as sqs,
  aws_events_targets as targets,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { getCategory } from '../functions/collectors/registry.ts';
import { ENV } from '../functions/platform/env.ts';
import type { A360Config } from './config.ts';
import { AslStateMachine } from './constructs/asl-state-machine.ts';
import { A360Function } from './constructs/function.ts';
import { acceptFindings } from './constructs/nag.ts';

/** Why an AwsSolutions finding is acceptable, next to the resource it is about. */
function acknowledge(scope: Construct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/** The IAM role name of a category's collector: the member role trusts exactly these names. */
export function collectorRoleName(prefix: string, category: string): string {
  return `${prefix}-collect-${category}`.slice(0, 64);
}

/**
 * Where the Lambdas' Powertools Metrics land: namespace and `service` dimension as functions/platform/observability.ts
 * and A360Function's `POWERTOOLS_*` variables set them. Powertools adds `service` to every EMF document, so a
 * metric is `{ service, Category }` and a query must name both dimensions to match it.
 */
export const METRICS_NAMESPACE = 'a360';
export const METRICS_SERVICE = 'a360';

/** A per-category metric as the collect and load Lambdas emit it (EMF, dimensions `service` and `Category`). */
export function categoryMetric(
  category: string,
  metricName: string,
  options: cloudwatch.MetricOptions = {},
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: METRICS_SERVICE, Category: category },
    label: category,
    ...options,
  });
}

/**
 * The hub (analytics) account: the data bucket and its KMS key, Aurora Serverless v2 with the Data API, one
 * Lambda per data category with its own least-privilege role, the plan/merge/load/finalize/discover/settle
 * Lambdas, the collect, load and orchestrate state machines, schedules, the sender S3-event rule and the DLQ.
 */
export class HubStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, config: A360Config, props: StackProps = {}) {
    super(scope, id, props);
    const { prefix } = config;

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${prefix}`,
      description: 'a360: snapshots, database, dead-letter queue',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // S3 server access logs cannot be delivered to an SSE-KMS bucket: this one uses SSE-S3.
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      accessLogs,
      'AwsSolutions-S1',
      'This bucket is the access-log destination; logging it to itself would loop.',
    );

    this.bucket = new s3.Bucket(this, 'Data', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-bucket/',
      eventBridgeEnabled: true,
      lifecycleRules: [
        { prefix: 'staging/', expiration: Duration.days(7) },
        { prefix: 'orchestration/', expiration: Duration.days(30) },
        {
          prefix: 'loaded/',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
        },
        { noncurrentVersionExpiration: Duration.days(90) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.allowSenders(config);

    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: { rejected: { trafficType: ec2.FlowLogTrafficType.REJECT } },
    });

    const database = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_16_6 }),
      writer: rds.ClusterInstance.serverlessV2('writer'),
      serverlessV2MinCapacity: config.database.minCapacity,
      serverlessV2MaxCapacity: config.database.maxCapacity,
      enableDataApi: true,
      manageMasterUserPassword: true,
      defaultDatabaseName: config.database.name,
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      storageEncryptionKey: this.key,
      iamAuthentication: true,
      deletionProtection: config.database.deletionProtection,
      backup: { retention: Duration.days(7) },
      cloudwatchLogsExports: ['postgresql'],
      port: 5433,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    const cfnCluster = database.node.defaultChild as rds.CfnDBCluster;
    const secretArn = cfnCluster.attrMasterUserSecretSecretArn;
    acknowledge(
      database,
      'AwsSolutions-SMG4',
      'The master secret is managed by RDS, which rotates it itself (every 7 days).',
    );
    acknowledge(
      database,
      'AwsSolutions-RDS6',
      'IAM database authentication is on; the Data API connects with the managed secret.',
    );

    const dlq = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${prefix}-dead-letters`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      dlq,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue itself: FinalizeLoad sends one message per failed category.',
    );
    const deadLettersWaiting = new cloudwatch.Alarm(this, 'DeadLettersWaiting', {
      alarmName: `${prefix}-dead-letters-waiting`,
      alarmDescription:
        'Failed account x category slices are waiting in the DLQ; each message holds the input that reruns it.',
      metric: dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const categoriesFailed = this.categoriesFailedAlarm(prefix);

    const storageEnvironment = { [ENV.bucket]: this.bucket.bucketName, [ENV.kmsKeyId]: this.key.keyArn };
    const loadEnvironment = {
      ...storageEnvironment,
      [ENV.dbClusterArn]: database.clusterArn,
      [ENV.dbSecretArn]: secretArn,
      [ENV.dbName]: config.database.name,
      [ENV.dlqUrl]: dlq.queueUrl,
    };

    const collectors = new Map<string, A360Function>();
    for (const category of config.enabledCategories) {
      const { collector } = getCategory(category);
      const role = new iam.Role(this, `Collect${pascal(category)}Role`, {
        roleName: collectorRoleName(prefix, category),
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `a360 ${category} collector`,
      });
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheSource',
          actions: [...collector.actions, ...(collector.dependentActions ?? [])],
          resources: ['*'],
        }),
      );
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'AssumeTheMemberRole',
          actions: ['sts:AssumeRole'],
          resources: [`arn:${this.partition}:iam::*:role/${config.memberRoleName}`],
        }),
      );
      this.bucket.grantReadWrite(role, 'staging/*');
      // The organization-wide Cost Explorer answers orchestrate prefetched for this account.
      if (collector.costAndUsageQueries) this.bucket.grantRead(role, 'orchestration/*');
      acceptFindings(
        role,
        'AwsSolutions-IAM5',
        'Read-only list/describe actions of this category (declared in its collector, nothing more) take no resource ARN; the member role is assumed in any account of the organization; staging/* of this bucket is run data.',
      );
      acceptFindings(
        role,
        'AwsSolutions-IAM4',
        'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
      );
      const fn = new A360Function(this, `Collect${pascal(category)}`, {
        handler: 'collect-category',
        functionName: `${prefix}-collect-${category}`,
        description: `a360: collects ${category} for one account`,
        role,
        timeout: Duration.minutes(15),
        memorySize: 512,
        environment: {
          ...storageEnvironment,
          [ENV.homeRegion]: config.homeRegion,
          [ENV.memberRoleName]: config.memberRoleName,
          ...(config.externalId ? { [ENV.externalId]: config.externalId } : {}),
          ...(collector.actions.some((action) => action.startsWith('ce:'))
            ? { [ENV.costExplorerSource]: config.costExplorer.source }
            : {}),
        },
      });
      role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
      );
      collectors.set(category, fn);
    }

    const plan = new A360Function(this, 'PlanRun', {
      handler: 'plan-run',
      functionName: `${prefix}-plan-run`,
      description: 'a360: resolves window, categories and run id for one account',
      memorySize: 256,
      environment: {
        [ENV.regions]: config.regions.join(','),
        [ENV.categories]: config.enabledCategories.join(','),
        [ENV.collectorFunctions]: this.toJsonString(
          Object.fromEntries([...collectors].map(([category, fn]) => [category, fn.functionName])),
        ),
      },
    });
    const merge = new A360Function(this, 'MergeSnapshot', {
      handler: 'merge-snapshot',
      functionName: `${prefix}-merge-snapshot`,
      description: "a360: merges the staged parts into the account's snapshot",
      environment: { ...storageEnvironment, [ENV.homeRegion]: config.homeRegion },
    });
    this.bucket.grantReadWrite(merge);
    this.bucket.grantDelete(merge);
    const loaders = ['prepare-load', 'load-category', 'finalize-load', 'settle-run'].map(
      (handler) =>
        new A360Function(this, pascal(handler), {
          handler,
          functionName: `${prefix}-${handler}`,
          description: `a360: ${handler.replace('-', ' ')}`,
          timeout: Duration.minutes(handler === 'load-category' ? 15 : 5),
          memorySize: handler === 'load-category' ? 1024 : 512,
          environment:
            handler === 'settle-run'
              ? {
                  ...loadEnvironment,
                  ...(config.customerName ? { [ENV.customerName]: config.customerName } : {}),
                  ...(config.partnerName ? { [ENV.partnerName]: config.partnerName } : {}),
                }
              : loadEnvironment,
          withSql: true,
        }),
    );
    const [prepare, load, finalize, settle] = loaders as [
      A360Function,
      A360Function,
      A360Function,
      A360Function,
    ];
    for (const fn of loaders) {
      database.grantDataApiAccess(fn);
      this.bucket.grantRead(fn);
    }
    this.bucket.grantReadWrite(finalize);
    this.bucket.grantDelete(finalize);
    dlq.grantSendMessages(finalize);
    dlq.grantSendMessages(settle);
    // SettleRun writes the run's rerun inputs next to its account list.
    this.bucket.grantPut(settle, 'orchestration/*');
    const discover = new A360Function(this, 'DiscoverAccounts', {
      handler: 'discover-accounts',
      functionName: `${prefix}-discover-accounts`,
      description: 'a360: finds the accounts to collect (list or AWS Organizations)',
      environment: {
        ...storageEnvironment,
        [ENV.categories]: config.enabledCategories.join(','),
        [ENV.accountSource]: this.toJsonString(config.accounts),
        [ENV.maxConcurrency]: String(config.orchestration.maxConcurrency),
        [ENV.toleratedFailurePercentage]: String(config.orchestration.toleratedFailurePercentage),
        [ENV.products]: this.toJsonString(config.products),
      },
    });
    this.bucket.grantReadWrite(discover, 'cache/*');
    this.bucket.grantReadWrite(discover, 'orchestration/*');
    discover.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ListTheOrganization',
        actions: [
          'organizations:ListAccounts',
          'organizations:ListAccountsForParent',
          'organizations:ListOrganizationalUnitsForParent',
          'organizations:ListTagsForResource',
        ],
        resources: ['*'],
      }),
    );
    const prefetchRole = new iam.Role(this, 'PrefetchCostExplorerRole', {
      // A name the member role trusts (`<prefix>-collect-*`): in organization mode with a separate management
      // account, this function reads Cost Explorer there through that account's member role.
      roleName: collectorRoleName(prefix, 'cost-explorer-prefetch'),
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'a360 organization-wide Cost Explorer requests',
    });
    prefetchRole.addManagedPolicy(
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole'),
    );
    const { costExplorer } = config;
    const managementRoleArn = costExplorer.managementAccount
      ? `arn:${this.partition}:iam::${costExplorer.managementAccount}:role/${config.memberRoleName}`
      : undefined;
    const prefetch = new A360Function(this, 'PrefetchCostExplorer', {
      handler: 'prefetch-cost-explorer',
      functionName: `${prefix}-prefetch-cost-explorer`,
      description: "a360: the organization's Cost Explorer requests, once per run",
      role: prefetchRole,
      timeout: Duration.minutes(15),
      environment: {
        ...storageEnvironment,
        [ENV.homeRegion]: config.homeRegion,
        [ENV.costExplorerSource]: costExplorer.source,
        ...(managementRoleArn ? { [ENV.costExplorerRoleArn]: managementRoleArn } : {}),
        ...(config.externalId ? { [ENV.externalId]: config.externalId } : {}),
      },
    });
    this.bucket.grantReadWrite(prefetch, 'orchestration/*');
    acceptFindings(
      prefetchRole,
      'AwsSolutions-IAM4',
      'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
    );
    acceptFindings(
      prefetchRole,
      'AwsSolutions-IAM5',
      "Cost Explorer reads take no resource ARN; the other wildcards are CDK grants on this stack's orchestration/* prefix and KMS key.",
    );
    if (costExplorer.source === 'organization') {
      prefetchRole.addToPolicy(
        managementRoleArn
          ? new iam.PolicyStatement({
              sid: 'ReadTheManagementAccountCostExplorer',
              actions: ['sts:AssumeRole'],
              resources: [managementRoleArn],
            })
          : new iam.PolicyStatement({
              sid: 'ReadTheOrganizationCostExplorer',
              actions: ['ce:GetCostAndUsage'],
              resources: ['*'],
            }),
      );
    }
    for (const fn of [plan, merge, ...loaders, discover, prefetch]) {
      acceptFindings(
        fn,
        'AwsSolutions-IAM4',
        'AWSLambdaBasicExecutionRole only lets the function write its own CloudWatch logs.',
      );
      acceptFindings(
        fn,
        'AwsSolutions-IAM5',
        "Wildcards are CDK grants on this stack's bucket prefixes and KMS key (s3:GetObject*, kms:GenerateDataKey*), X-Ray, and Organizations and Cost Explorer read actions that take no resource.",
      );
    }
    for (const fn of [...collectors.values(), plan, merge, ...loaders, discover, prefetch]) {
      acknowledge(
        fn,
        'AwsSolutions-L1',
        'Node.js 22 is the runtime a360 is built and tested on (Lambda nodejs22.x).',
      );
    }

    const loadMachine = new AslStateMachine(this, 'Load', {
      file: 'load',
      stateMachineName: `${prefix}-load`,
      substitutions: {
        PrepareLoadFunctionArn: prepare.functionArn,
        LoadCategoryFunctionArn: load.functionArn,
        FinalizeLoadFunctionArn: finalize.functionArn,
      },
    });
    const collectMachine = new AslStateMachine(this, 'Collect', {
      file: 'collect',
      stateMachineName: `${prefix}-collect`,
      substitutions: {
        PlanRunFunctionArn: plan.functionArn,
        MergeSnapshotFunctionArn: merge.functionArn,
        LoadStateMachineArn: loadMachine.stateMachineArn,
      },
    });
    const orchestrateMachine = new AslStateMachine(this, 'Orchestrate', {
      file: 'orchestrate',
      stateMachineName: `${prefix}-orchestrate`,
      substitutions: {
        DiscoverAccountsFunctionArn: discover.functionArn,
        PrefetchCostExplorerFunctionArn: prefetch.functionArn,
        SettleRunFunctionArn: settle.functionArn,
        CollectStateMachineArn: collectMachine.stateMachineArn,
        LoadStateMachineArn: loadMachine.stateMachineArn,
        DataBucketName: this.bucket.bucketName,
      },
    });
    for (const fn of [prepare, load, finalize]) fn.grantInvoke(loadMachine);
    for (const fn of [plan, merge, ...collectors.values()]) fn.grantInvoke(collectMachine);
    loadMachine.grantStartExecution(collectMachine);
    for (const fn of [discover, prefetch, settle]) fn.grantInvoke(orchestrateMachine);
    // Reads the account list (ItemReader) and writes the Map Run's results (ResultWriter).
    this.bucket.grantReadWrite(orchestrateMachine, 'orchestration/*');
    for (const child of [collectMachine, loadMachine]) {
      child.grantStartExecution(orchestrateMachine);
      child.grantRead(orchestrateMachine);
      child.grantExecution(orchestrateMachine, 'states:StopExecution');
    }
    // .sync child executions are followed through EventBridge managed rules; Distributed Maps start child runs of themselves.
    orchestrateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'FollowChildExecutions',
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          `arn:${this.partition}:events:${this.region}:${this.account}:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule`,
        ],
      }),
    );
    orchestrateMachine.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'RunDistributedMapChildren',
        actions: ['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution'],
        resources: [
          `arn:${this.partition}:states:${this.region}:${this.account}:stateMachine:${prefix}-orchestrate`,
          `arn:${this.partition}:states:${this.region}:${this.account}:execution:${prefix}-orchestrate/*`,
          `arn:${this.partition}:states:${this.region}:${this.account}:mapRun:${prefix}-orchestrate/*`,
        ],
      }),
    );
    for (const machine of [collectMachine, loadMachine, orchestrateMachine]) {
      acceptFindings(
        machine,
        'AwsSolutions-IAM5',
        'Invoke grants cover function versions (:*), X-Ray needs *, and child executions of the a360 state machines are named at run time.',
      );
    }

    for (const [name, expression, period] of [
      ['DailyRun', config.schedules.daily, 'DAILY'],
      ['MonthlyRun', config.schedules.monthly, 'MONTHLY'],
    ] as const) {
      if (!expression) continue;
      new events.Rule(this, name, {
        ruleName: `${prefix}-${period.toLowerCase()}`,
        description: `a360: the ${period.toLowerCase()} run of every account`,
        schedule: events.Schedule.expression(expression),
        targets: [
          new targets.SfnStateMachine(orchestrateMachine, {
            input: events.RuleTargetInput.fromObject({ period, trigger: 'schedule' }),
          }),
        ],
      });
    }
    if (config.senders.length > 0) {
      new events.Rule(this, 'SenderSnapshots', {
        ruleName: `${prefix}-sender-snapshots`,
        description: 'a360: loads a snapshot a sender account wrote to the hub bucket',
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [this.bucket.bucketName] },
            object: { key: [{ prefix: 'data/' }] },
            requester: config.senders,
          },
        },
        targets: [
          new targets.SfnStateMachine(loadMachine, {
            input: events.RuleTargetInput.fromObject({
              snapshotKey: events.EventField.fromPath('$.detail.object.key'),
              trigger: 'sender',
            }),
          }),
        ],
      });
    }

    const dashboard = this.dashboard(prefix, config.enabledCategories, {
      alarms: [categoriesFailed, deadLettersWaiting],
      dlq,
      database,
      machines: { collect: collectMachine, load: loadMachine, orchestrate: orchestrateMachine },
    });

    // CDK's own Lambda that turns on the bucket's EventBridge notifications.
    for (const child of this.node.children.filter((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    )) {
      acceptFindings(
        child,
        'AwsSolutions-IAM4',
        "CDK's bucket-notification custom resource uses the basic execution role for its logs.",
      );
      acceptFindings(
        child,
        'AwsSolutions-IAM5',
        "CDK's bucket-notification custom resource must manage notifications of this bucket.",
      );
    }

    new CfnOutput(this, 'BucketName', {
      value: this.bucket.bucketName,
      description: 'Snapshots: data/, loaded/, staging/',
    });
    new CfnOutput(this, 'KmsKeyArn', {
      value: this.key.keyArn,
      description: 'Encrypts the bucket, the database and the DLQ; senders need it',
    });
    new CfnOutput(this, 'DatabaseClusterArn', {
      value: database.clusterArn,
      description: 'For the RDS Data API and the a360 CLI',
    });
    new CfnOutput(this, 'DatabaseEndpoint', {
      value: database.clusterEndpoint.socketAddress,
      description: 'For QuickSight or another BI tool (VPC connection)',
    });
    new CfnOutput(this, 'DatabaseSecretArn', {
      value: secretArn,
      description: 'The managed master secret (Data API, BI tools)',
    });
    new CfnOutput(this, 'DatabaseName', { value: config.database.name });
    new CfnOutput(this, 'DatabaseSecurityGroupId', {
      value: database.connections.securityGroups.map((g) => g.securityGroupId).join(','),
      description: "Allow your BI tool's VPC connection here",
    });
    new CfnOutput(this, 'VpcId', { value: vpc.vpcId });
    new CfnOutput(this, 'DatabaseSubnetIds', { value: vpc.isolatedSubnets.map((s) => s.subnetId).join(',') });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: dlq.queueUrl });
    new CfnOutput(this, 'DeadLettersWaitingAlarmArn', {
      value: deadLettersWaiting.alarmArn,
      description: 'In ALARM while a dead letter waits in the DLQ',
    });
    new CfnOutput(this, 'CategoriesFailedAlarmArn', {
      value: categoriesFailed.alarmArn,
      description: 'In ALARM after an hour in which a load ended with failed categories',
    });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboardName });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${dashboard.dashboardName}`,
      description: 'The CloudWatch dashboard of the pipeline',
    });
    new CfnOutput(this, 'CollectStateMachineArn', { value: collectMachine.stateMachineArn });
    new CfnOutput(this, 'LoadStateMachineArn', { value: loadMachine.stateMachineArn });
    new CfnOutput(this, 'OrchestrateStateMachineArn', { value: orchestrateMachine.stateMachineArn });
  }

  /**
   * `<prefix>-categories-failed`: ALARM after an hour in which a load ended with failed categories, counted by
   * FinalizeLoad once per load after every retry (`CategoriesFailed`, Category `all`), so a retried attempt
   * that then succeeded does not fire it. Accounts whose executions failed as a whole reach the DLQ instead.
   */
  private categoriesFailedAlarm(prefix: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, 'CategoriesFailed', {
      alarmName: `${prefix}-categories-failed`,
      alarmDescription:
        'A load ended with failed account x category slices in the last hour (after retries). The ledger (a360 status) and the DLQ say which; a360 rerun or dlq redrive completes them.',
      // A plain metric (no label), so the alarm reads it directly rather than through metric math.
      metric: new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'CategoriesFailed',
        dimensionsMap: { service: METRICS_SERVICE, Category: 'all' },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.hours(1),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** The `<prefix>` CloudWatch dashboard: per-category pipeline metrics, the DLQ, the state machines, Aurora. */
  private dashboard(
    prefix: string,
    categories: readonly string[],
    parts: {
      alarms: cloudwatch.IAlarm[];
      dlq: sqs.Queue;
      database: rds.DatabaseCluster;
      machines: Record<'collect' | 'load' | 'orchestrate', AslStateMachine>;
    },
  ): cloudwatch.Dashboard {
    const hour = Duration.hours(1);
    const perCategory = (metricName: string, statistic: string) =>
      categories.map((category) => categoryMetric(category, metricName, { statistic, period: hour }));
    const graph = (
      title: string,
      left: cloudwatch.IMetric[],
      props: Partial<cloudwatch.GraphWidgetProps> = {},
    ) =>
      new cloudwatch.GraphWidget({
        title,
        left,
        width: 12,
        height: 6,
        legendPosition: cloudwatch.LegendPosition.RIGHT,
        ...props,
      });
    const { SUM, MAXIMUM, p } = cloudwatch.Stats;
    const machineWidgets = (['collect', 'load', 'orchestrate'] as const).map((name) => {
      const machine = parts.machines[name];
      const options = { period: hour, statistic: SUM };
      return new cloudwatch.GraphWidget({
        title: `${prefix}-${name} executions`,
        left: [
          machine.metricSucceeded({ ...options, label: 'Succeeded', color: cloudwatch.Color.GREEN }),
          machine.metricFailed({ ...options, label: 'Failed', color: cloudwatch.Color.RED }),
          machine.metricTimedOut({ ...options, label: 'Timed out', color: cloudwatch.Color.ORANGE }),
          machine.metricAborted({ ...options, label: 'Aborted', color: cloudwatch.Color.GREY }),
        ],
        width: 8,
        height: 6,
      });
    });
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: parts.alarms, width: 12, height: 3 }),
          new cloudwatch.TextWidget({
            markdown: `Per-category metrics of the collect and load Lambdas (namespace \`${METRICS_NAMESPACE}\`, dimensions \`Category\` and \`service\`), hourly. \`CategoryFailed\` counts failed attempts, including ones a retry later fixed; the DLQ holds what is still failed, with the input that reruns it.`,
            width: 12,
            height: 3,
          }),
        ],
        [
          graph('Failed attempts per category (CategoryFailed)', perCategory('CategoryFailed', SUM), {
            view: cloudwatch.GraphWidgetView.BAR,
          }),
          graph('Categories loaded and failed per load (final)', [
            categoryMetric('all', 'CategoriesLoaded', { statistic: SUM, period: hour, label: 'Loaded' }),
            categoryMetric('all', 'CategoriesFailed', { statistic: SUM, period: hour, label: 'Failed' }),
          ]),
        ],
        [
          graph('Rows collected', perCategory('RowsCollected', SUM)),
          graph('Rows loaded', perCategory('RowsLoaded', SUM)),
        ],
        [
          graph('Collect duration p50 (ms)', perCategory('CollectDurationMs', p(50))),
          graph('Collect duration max (ms)', perCategory('CollectDurationMs', MAXIMUM)),
        ],
        [
          graph('Load duration p50 (ms)', perCategory('LoadDurationMs', p(50))),
          graph('Load duration max (ms)', perCategory('LoadDurationMs', MAXIMUM)),
        ],
        [
          graph('API calls', perCategory('ApiCalls', SUM)),
          graph('Throttled API calls', perCategory('Throttles', SUM)),
        ],
        [
          graph(
            'Dead-letter queue',
            [
              parts.dlq.metricApproximateNumberOfMessagesVisible({
                statistic: MAXIMUM,
                period: Duration.minutes(5),
                label: 'Messages waiting',
              }),
            ],
            {
              right: [
                parts.dlq.metricApproximateAgeOfOldestMessage({
                  statistic: MAXIMUM,
                  period: Duration.minutes(5),
                  label: 'Age of the oldest (s)',
                }),
              ],
              legendPosition: cloudwatch.LegendPosition.BOTTOM,
            },
          ),
          graph(
            'Aurora capacity (ACU)',
            [
              parts.database.metricServerlessDatabaseCapacity({
                statistic: MAXIMUM,
                period: Duration.minutes(5),
                label: 'ServerlessDatabaseCapacity (max)',
              }),
            ],
            { legendPosition: cloudwatch.LegendPosition.BOTTOM },
          ),
        ],
        machineWidgets,
      ],
    });
  }

  /**
   * Senders (the push model) may use only their own account's prefixes: `staging/<account>/` for the parts of
   * a collection (written, read back and deleted by the merge) and `data/<account>/` for the snapshot (written,
   * and read when a rerun merges into it). They cannot list the bucket or touch another account's keys, and
   * use the hub key only through S3.
   */
  private allowSenders(config: A360Config): void {
    for (const sender of config.senders) {
      this.bucket.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Sender${sender}UsesItsOwnPrefixes`,
          principals: [new iam.AccountPrincipal(sender)],
          actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
          resources: [
            this.bucket.arnForObjects(`staging/${sender}/*`),
            this.bucket.arnForObjects(`data/${sender}/*`),
          ],
        }),
      );
    }
    if (config.senders.length > 0) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'SendersUseTheKeyThroughS3',
          principals: config.senders.map((sender) => new iam.AccountPrincipal(sender)),
          actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${this.region}.amazonaws.com` } },
        }),
      );
    }
  }
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
