import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';
import { accountBuckets, regionInventory } from '../../../functions/adapters/local/sample-org/inventory.ts';

const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const accounts = sampleAccounts(20, regions);
const day1 = new Date('2026-11-25T06:00:00Z');
const day2 = new Date('2026-11-26T06:00:00Z');

describe('sample inventory', () => {
  it('is deterministic, with account-scoped, AWS-shaped ids that hang together', () => {
    const account = accounts[6] as (typeof accounts)[number];
    const a = regionInventory(account, 'us-east-1', regions, day2);
    expect(regionInventory({ ...account }, 'us-east-1', regions, new Date('2026-11-26T23:00:00Z'))).toEqual(
      a,
    );
    expect(a.instances.length).toBeGreaterThan(5);
    for (const instance of a.instances) {
      expect(instance.id).toMatch(/^i-[0-9a-f]{17}$/);
      expect(instance.createdAt.getTime()).toBeLessThanOrEqual(day2.getTime());
      expect(instance.removedAt.getTime()).toBeGreaterThan(day2.getTime());
    }
    for (const volume of a.volumes) expect(volume.id).toMatch(/^vol-[0-9a-f]{17}$/);
    for (const db of a.databases)
      expect(db.arn).toBe(`arn:aws:rds:us-east-1:${account.id}:db:${db.identifier}`);
    const subnetIds = new Set(a.subnets.map((s) => s.id));
    for (const instance of a.instances) expect(subnetIds.has(instance.subnetId)).toBe(true);
    const instanceIds = new Set(a.instances.map((i) => i.id));
    for (const volume of a.volumes)
      if (volume.instanceId) expect(instanceIds.has(volume.instanceId)).toBe(true);
  });

  it('keeps counts steady while some resources are replaced from one day to the next', () => {
    let removed = 0;
    let kept = 0;
    let before = 0;
    let after = 0;
    for (const account of accounts) {
      for (const region of regions) {
        const one = new Set(regionInventory(account, region, regions, day1).instances.map((i) => i.id));
        const two = new Set(regionInventory(account, region, regions, day2).instances.map((i) => i.id));
        removed += [...one].filter((id) => !two.has(id)).length;
        kept += [...one].filter((id) => two.has(id)).length;
        before += one.size;
        after += two.size;
      }
    }
    expect(kept).toBeGreaterThan(100);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(Math.abs(after - before)).toBeLessThanOrEqual(removed + 5);
  });

  it('gives every account buckets, once per account, not per region', () => {
    for (const account of accounts) {
      const buckets = accountBuckets(account, regions, day2);
      expect(buckets.length).toBeGreaterThan(0);
      expect(new Set(buckets.map((b) => b.name)).size).toBe(buckets.length);
      for (const bucket of buckets) expect(regions).toContain(bucket.region);
    }
  });
});
