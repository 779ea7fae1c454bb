import { describe, expect, it } from 'vitest';
import { sampleAccounts } from '../../../functions/adapters/local/sample-org/accounts.ts';

const regions = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];

describe('sample organization accounts', () => {
  it('generates 1000 distinct, deterministic, realistic accounts', () => {
    const accounts = sampleAccounts(1000, regions);
    expect(accounts).toHaveLength(1000);
    expect(new Set(accounts.map((a) => a.id)).size).toBe(1000);
    expect(new Set(accounts.map((a) => a.name)).size).toBe(1000);
    for (const account of accounts) {
      expect(account.id).toMatch(/^[1-9]\d{11}$/);
      expect(account.email).toBe(`aws+${account.name}@example.com`);
    }
    expect(sampleAccounts(1000, regions)).toEqual(accounts);
    expect(sampleAccounts(5, regions)).toEqual(accounts.slice(0, 5));
  });

  it('mixes environments, with a few sandboxes that have Security Hub off by design', () => {
    const accounts = sampleAccounts(40, regions);
    expect(accounts[0]).toMatchObject({ name: 'org-management', environment: 'management' });
    const environments = new Set(accounts.map((a) => a.environment));
    expect([...environments].sort()).toEqual([
      'development',
      'management',
      'production',
      'sandbox',
      'security',
      'staging',
    ]);
    const withoutSecurityHub = accounts.filter((a) => a.disabledServices.has('securityhub'));
    expect(withoutSecurityHub.length).toBeGreaterThan(0);
    expect(withoutSecurityHub.length).toBeLessThanOrEqual(4);
  });
});
