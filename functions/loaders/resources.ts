import { GLOBAL_REGION, type ResourcesPayload } from '../collectors/resources.ts';
import type { CategoryLoader, LoadContext } from './types.ts';
import { type ColumnSpec, markUnseenRemoved, type UpsertSpec, upsertRows } from './upsert.ts';

const text = (name: string): ColumnSpec => ({ name, type: 'text' });
const integer = (name: string): ColumnSpec => ({ name, type: 'integer' });
const timestamptz = (name: string): ColumnSpec => ({ name, type: 'timestamptz' });

const resources: UpsertSpec = {
  table: 'service_resources',
  columns: [
    text('account_id'),
    text('service_name'),
    text('resource_type'),
    text('resource_id'),
    text('resource_name'),
    text('arn'),
    text('region'),
    text('availability_zone'),
    text('state'),
    text('instance_type'),
    text('platform'),
    text('architecture'),
    text('vpc_id'),
    text('subnet_id'),
    text('engine'),
    text('instance_class'),
    { name: 'multi_az', type: 'boolean' },
    { name: 'size_gb', type: 'numeric' },
    text('volume_type'),
    timestamptz('creation_date'),
    text('type'),
    text('scheme'),
    integer('instance_count'),
    integer('min_size'),
    integer('max_size'),
    integer('available_ip_count'),
    integer('memory_mb'),
    text('runtime'),
    integer('ephemeral_storage_mb'),
    text('package_type'),
    timestamptz('last_modified'),
  ],
  key: ['account_id', 'service_name', 'resource_type', 'resource_id'],
  tracking: 'current-state',
  updatedAt: true,
};

/** Rows of service_resources for one payload (pure). */
export function resourcesRows(payload: ResourcesPayload, accountId: string) {
  return payload.service_resources.map((r) => ({ account_id: accountId, ...r }));
}

/**
 * Where unseen rows may be marked removed. Buckets are listed once per account (under `global`) but their rows
 * carry their own region, and markUnseenRemoved can only tell rows apart by region: a region's rows may be
 * marked only when both the region and the bucket list were complete. So a run whose bucket list failed marks
 * nothing removed, and buckets in regions outside the configured ones are marked only by a fully complete run.
 */
export function removalRegions(completeRegions: LoadContext['completeRegions']): 'all' | string[] {
  if (completeRegions === 'all') return 'all';
  if (!completeRegions.includes(GLOBAL_REGION)) return [];
  return completeRegions.filter((region) => region !== GLOBAL_REGION);
}

export const resourcesLoader: CategoryLoader<ResourcesPayload> = {
  async load(tx, payload, ctx) {
    const written = await upsertRows(tx, resources, resourcesRows(payload, ctx.accountId), ctx.seenAt);
    const regions = removalRegions(ctx.completeRegions);
    if (regions === 'all' || regions.length > 0) {
      await markUnseenRemoved(tx, {
        table: resources.table,
        category: 'resources',
        accountId: ctx.accountId,
        seenAt: ctx.seenAt,
        regions,
      });
    }
    return written;
  },
};
