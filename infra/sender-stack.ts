import {
  CfnOutput,
  CfnParameter,
  Duration,
  aws_events as events,
  aws_iam as iam,
  Stack,
  type StackProps,
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

/**
 * The push model of the original system: a member account runs `collect` for itself and writes its snapshot
 * to the hub bucket with the hub key; the hub's S3-event rule loads it. The hub bucket policy lets a sender
 * write only under `data/<its own account>/`.
 */
export class SenderStack extends Stack {
  constructor(scope: Construct, id: string, config: A360Config, props: StackProps = {}) {
    super(scope, id, props);
    const { prefix } = config;
    const hubBucket = new CfnParameter(this, 'HubBucketName', {
      type: 'String',
      description: 'The hub stack output BucketName',
    }).valueAsString;
    const hubKey = new CfnParameter(this, 'HubKmsKeyArn', {
      type: 'String',
      description: 'The hub stack output KmsKeyArn',
    }).valueAsString;
    const hubLoad = new CfnParameter(this, 'HubLoadStateMachineArn', {
      type: 'String',
      description:
        'The hub stack output LoadStateMachineArn (named by collect; the hub loads on the S3 event)',
    }).valueAsString;
    const storage = { [ENV.bucket]: hubBucket, [ENV.kmsKeyId]: hubKey };
    const writeToHub = (fn: A360Function) => {
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'WriteOwnPrefix',
          actions: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'],
          resources: [
            `arn:${this.partition}:s3:::${hubBucket}/staging/${this.account}/*`,
            `arn:${this.partition}:s3:::${hubBucket}/data/${this.account}/*`,
          ],
        }),
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'UseHubKey',
          actions: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
          resources: [hubKey],
        }),
      );
    };

    const collectors: A360Function[] = [];
    const functionNames: Record<string, string> = {};
    for (const category of config.enabledCategories) {
      const { collector } = getCategory(category);
      const fn = new A360Function(
        this,
        `Collect${category.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}`,
        {
          handler: 'collect-category',
          functionName: `${prefix}-sender-collect-${category}`,
          description: `a360 sender: collects ${category} for this account`,
          timeout: Duration.minutes(15),
          environment: { ...storage, [ENV.homeRegion]: config.homeRegion },
        },
      );
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'ReadTheSource',
          actions: [...collector.actions, ...(collector.dependentActions ?? [])],
          resources: ['*'],
        }),
      );
      writeToHub(fn);
      collectors.push(fn);
      functionNames[category] = fn.functionName;
    }
    const plan = new A360Function(this, 'PlanRun', {
      handler: 'plan-run',
      functionName: `${prefix}-sender-plan-run`,
      description: 'a360 sender: resolves window, categories and run id',
      environment: {
        [ENV.regions]: config.regions.join(','),
        [ENV.categories]: config.enabledCategories.join(','),
        [ENV.collectorFunctions]: this.toJsonString(functionNames),
      },
    });
    const merge = new A360Function(this, 'MergeSnapshot', {
      handler: 'merge-snapshot',
      functionName: `${prefix}-sender-merge-snapshot`,
      description: "a360 sender: writes this account's snapshot to the hub bucket",
      environment: { ...storage, [ENV.homeRegion]: config.homeRegion },
    });
    writeToHub(merge);
    const collect = new AslStateMachine(this, 'Collect', {
      file: 'collect',
      stateMachineName: `${prefix}-sender-collect`,
      substitutions: {
        PlanRunFunctionArn: plan.functionArn,
        MergeSnapshotFunctionArn: merge.functionArn,
        LoadStateMachineArn: hubLoad,
      },
    });
    for (const fn of [plan, merge, ...collectors]) {
      fn.grantInvoke(collect);
      acceptFindings(
        fn,
        'AwsSolutions-IAM4',
        'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
      );
      acceptFindings(
        fn,
        'AwsSolutions-IAM5',
        "Read-only list/describe actions take no resource ARN; the hub bucket prefixes are this account's own.",
      );
      Validations.of(fn).acknowledge({
        id: 'AwsSolutions-L1',
        reason: 'Node.js 22 is the runtime a360 is built and tested on.',
      });
    }
    acceptFindings(
      collect,
      'AwsSolutions-IAM5',
      'Invoke grants cover function versions (:*); X-Ray needs *.',
    );
    for (const [name, expression, period] of [
      ['DailyRun', config.schedules.daily, 'DAILY'],
      ['MonthlyRun', config.schedules.monthly, 'MONTHLY'],
    ] as const) {
      if (!expression) continue;
      new events.Rule(this, name, {
        description: `a360 sender: the ${period.toLowerCase()} collection of this account`,
        schedule: events.Schedule.expression(expression),
        targets: [
          new targets.SfnStateMachine(collect, {
            input: events.RuleTargetInput.fromObject({
              accountId: this.account,
              period,
              trigger: 'sender',
              load: false,
            }),
          }),
        ],
      });
    }
    new CfnOutput(this, 'CollectStateMachineArn', { value: collect.stateMachineArn });
  }
}
