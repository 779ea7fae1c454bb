/**
 * Environment variable names: the only contract between infra (which sets them on each Lambda) and the
 * runtime code (which reads them once, at the first invocation).
 */
export const ENV = {
  bucket: 'A360_BUCKET',
  kmsKeyId: 'A360_KMS_KEY_ID',
  regions: 'A360_REGIONS',
  homeRegion: 'A360_HOME_REGION',
  categories: 'A360_CATEGORIES',
  collectorFunctions: 'A360_COLLECTOR_FUNCTIONS',
  dbClusterArn: 'A360_DB_CLUSTER_ARN',
  dbSecretArn: 'A360_DB_SECRET_ARN',
  dbName: 'A360_DB_NAME',
  dlqUrl: 'A360_DLQ_URL',
  memberRoleName: 'A360_MEMBER_ROLE_NAME',
  externalId: 'A360_EXTERNAL_ID',
  sqlDir: 'A360_SQL_DIR',
  accountSource: 'A360_ACCOUNT_SOURCE',
  maxConcurrency: 'A360_MAX_CONCURRENCY',
  toleratedFailurePercentage: 'A360_TOLERATED_FAILURE_PERCENTAGE',
  products: 'A360_PRODUCTS',
  customerName: 'A360_CUSTOMER_NAME',
  partnerName: 'A360_PARTNER_NAME',
  costExplorerSource: 'A360_COST_EXPLORER_SOURCE',
  costExplorerRoleArn: 'A360_COST_EXPLORER_ROLE_ARN',
} as const;
