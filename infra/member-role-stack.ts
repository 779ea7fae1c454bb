import {
  CfnOutput,
  CfnParameter,
  DefaultStackSynthesizer,
  aws_iam as iam,
  Stack,
  type StackProps,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { getCategory } from '../functions/collectors/registry.ts';
import type { A360Config } from './config.ts';
import { acceptFindings } from './constructs/nag.ts';

/** The read-only actions every enabled category needs in a member account, sorted, without duplicates. */
export function memberRoleActions(config: A360Config): string[] {
  const actions = new Set<string>();
  for (const id of config.enabledCategories) {
    const { collector } = getCategory(id);
    for (const action of [...collector.actions, ...(collector.dependentActions ?? [])]) actions.add(action);
  }
  return [...actions].sort();
}

/**
 * The read-only role in each member account, trusted only by the hub's collector roles (and, when configured,
 * only from the organization and with the external id). It has no assets and no bootstrap check, so the same
 * template deploys to every account as a CloudFormation StackSet.
 */
export class MemberRoleStack extends Stack {
  constructor(scope: Construct, id: string, config: A360Config, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
    });
    const hubAccount = new CfnParameter(this, 'HubAccountId', {
      type: 'String',
      allowedPattern: '^\\d{12}$',
      description: 'The a360 hub (analytics) account whose collector roles may assume this role',
      ...(config.hubAccount ? { default: config.hubAccount } : {}),
    });
    const conditions: Record<string, Record<string, unknown>> = {
      ArnLike: {
        'aws:PrincipalArn': `arn:${this.partition}:iam::${hubAccount.valueAsString}:role/${config.prefix}-collect-*`,
      },
    };
    if (config.externalId) conditions.StringEquals = { 'sts:ExternalId': config.externalId };
    if (config.organizationId) {
      conditions.StringEquals = { ...conditions.StringEquals, 'aws:PrincipalOrgID': config.organizationId };
    }
    const role = new iam.Role(this, 'MemberRole', {
      roleName: config.memberRoleName,
      description: 'a360: read-only access for the hub collectors',
      assumedBy: new iam.AccountPrincipal(hubAccount.valueAsString).withConditions(conditions),
      inlinePolicies: {
        ReadOnly: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: memberRoleActions(config), resources: ['*'] })],
        }),
      },
    });
    acceptFindings(
      role,
      'AwsSolutions-IAM5',
      'Exactly the read-only list/describe/get actions the enabled categories declare; they take no resource ARN.',
    );
    new CfnOutput(this, 'MemberRoleArn', { value: role.roleArn });
  }
}
