import type { Sql } from '../../ports.ts';
import { accountFilter, type Filters, regionFilter } from '../filters.ts';
import { bars, num, reader, shape } from './common.ts';

const WHERE = `${accountFilter('s')} AND ${regionFilter('s.resource_region')}`;

const BY_TYPE = `
SELECT s.service_name || ' ' || s.resource_type AS resource_type, sum(s.resource_count) AS resources
FROM view_service_resources_summary s
WHERE ${WHERE}
GROUP BY s.service_name, s.resource_type
ORDER BY resources DESC, 1
LIMIT 20`;

const BY_REGION = `
SELECT coalesce(s.resource_region, 'global') AS region, sum(s.resource_count) AS resources
FROM view_service_resources_summary s
WHERE ${WHERE}
GROUP BY 1
ORDER BY resources DESC, 1`;

const BY_ACCOUNT = `
SELECT s.account_name, sum(s.resource_count) AS resources
FROM view_service_resources_summary s
WHERE ${WHERE}
GROUP BY s.account_id, s.account_name
ORDER BY resources DESC, s.account_name`;

const RESOURCES = `
SELECT s.account_id, s.account_name, s.service_name, s.resource_type, coalesce(s.resource_region, 'global') AS region,
       sum(s.resource_count) AS resources, sum(s.active_resources) AS active, sum(s.inactive_resources) AS inactive
FROM view_service_resources_summary s
WHERE ${WHERE}
GROUP BY s.account_id, s.account_name, s.service_name, s.resource_type, s.resource_region
ORDER BY resources DESC, s.account_id, s.service_name, s.resource_type
LIMIT 500`;

const INSTANCES = `
SELECT coalesce(i.platform_type, 'unknown') AS platform, count(*) AS instances
FROM view_inventory_instances i
WHERE ${accountFilter('i')} AND ${regionFilter('i.region')}
GROUP BY 1
ORDER BY 2 DESC`;

export async function inventoryPage(sql: Sql, filters: Filters) {
  const db = reader(sql, filters);
  const [byType, byRegion, byAccount, resources, instances] = await Promise.all([
    db.rows(BY_TYPE),
    db.rows(BY_REGION),
    db.rows(BY_ACCOUNT),
    db.rows(RESOURCES),
    db.rows(INSTANCES),
  ]);
  return {
    kpis: {
      resources: byRegion.reduce((s, r) => s + (num(r.resources) ?? 0), 0),
      resourceTypes:
        resources.length === 0
          ? 0
          : new Set(resources.map((r) => `${r.service_name} ${r.resource_type}`)).size,
      regions: byRegion.length,
      accounts: byAccount.length,
      managedInstances: instances.reduce((s, r) => s + (num(r.instances) ?? 0), 0),
    },
    byType: bars(byType, 'resource_type', 'resources', 'Resources'),
    byRegion: bars(byRegion, 'region', 'resources', 'Resources'),
    byAccount: bars(byAccount, 'account_name', 'resources', 'Resources'),
    managedInstances: bars(instances, 'platform', 'instances', 'SSM managed instances'),
    resources: shape(resources, ['resources', 'active', 'inactive']),
  };
}
