import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from './config.ts';
import { acknowledgeAcceptedFindings } from './constructs/nag.ts';
import { HubStack } from './hub-stack.ts';
import { MemberRoleStack } from './member-role-stack.ts';
import { SenderStack } from './sender-stack.ts';

/** Builds the three stacks from the `a360` context; cdk-nag AwsSolutions runs at synth. */
export function buildApp(app: App): { hub: HubStack; memberRole: MemberRoleStack; sender: SenderStack } {
  // Access logs are delivered by bucket policy (ACLs stay disabled on every bucket).
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const config = parseConfig(app.node.tryGetContext('a360'));
  const env = config.hubAccount
    ? { account: config.hubAccount, region: config.hubRegion }
    : { region: config.hubRegion };
  const hub = new HubStack(app, 'A360Hub', config, { env, description: 'a360 hub: analytics account' });
  const memberRole = new MemberRoleStack(app, 'A360MemberRole', config, {
    description: 'a360 member role: read-only role for the hub collectors (deploy as a StackSet)',
  });
  const sender = new SenderStack(app, 'A360Sender', config, {
    description: 'a360 sender: collects this account and writes to the hub bucket',
  });
  acknowledgeAcceptedFindings(app);
  return { hub, memberRole, sender };
}

if (import.meta.main) {
  const app = new App();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  buildApp(app);
  app.synth();
}
