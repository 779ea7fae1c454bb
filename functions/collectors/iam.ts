/**
 * IAM action prefixes of the SDK clients the collectors use, and the operations whose IAM action is not named
 * after the operation. The infra builds each collector's role from its declared actions; a test checks those
 * declarations against the commands the collector's code sends.
 */
export const IAM_PREFIX_BY_PACKAGE: Readonly<Record<string, string>> = {
  '@aws-sdk/client-account': 'account',
  '@aws-sdk/client-acm': 'acm',
  '@aws-sdk/client-application-signals': 'application-signals',
  '@aws-sdk/client-auto-scaling': 'autoscaling',
  '@aws-sdk/client-cloudfront': 'cloudfront',
  '@aws-sdk/client-cloudtrail': 'cloudtrail',
  '@aws-sdk/client-compute-optimizer': 'compute-optimizer',
  '@aws-sdk/client-config-service': 'config',
  '@aws-sdk/client-cost-explorer': 'ce',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elasticloadbalancing',
  '@aws-sdk/client-guardduty': 'guardduty',
  '@aws-sdk/client-health': 'health',
  '@aws-sdk/client-inspector2': 'inspector2',
  '@aws-sdk/client-kms': 'kms',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-resiliencehub': 'resiliencehub',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-savingsplans': 'savingsplans',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-securityhub': 'securityhub',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-support': 'support',
  '@aws-sdk/client-trustedadvisor': 'trustedadvisor',
  '@aws-sdk/client-wafv2': 'wafv2',
};

/** `prefix:Operation` pairs whose IAM action has another name (Service Authorization Reference). */
export const IAM_ACTION_OVERRIDES: Readonly<Record<string, string>> = {
  's3:ListBuckets': 's3:ListAllMyBuckets',
};

export function iamActionFor(packageName: string, operation: string): string {
  const prefix = IAM_PREFIX_BY_PACKAGE[packageName];
  if (!prefix) throw new Error(`no IAM prefix known for ${packageName}; add it to IAM_PREFIX_BY_PACKAGE`);
  const action = `${prefix}:${operation}`;
  return IAM_ACTION_OVERRIDES[action] ?? action;
}
