import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { iamActionFor } from '../../../functions/collectors/iam.ts';
import { CATEGORY_IDS, REGISTRY } from '../../../functions/collectors/registry.ts';
import { databaseBackends, useDatabase } from '../../support/database.ts';

const collectorsDir = fileURLToPath(new URL('../../../functions/collectors/', import.meta.url));

/**
 * The IAM actions of the commands a collector file sends (`new XCommand(`), with the SDK package each command
 * is imported from, following the file's (non-type) imports of other collector files (shared helpers).
 */
function commandActions(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const source = readFileSync(file, 'utf8');
  const packageOf = new Map<string, string>();
  const actions = new Set<string>();
  for (const match of source.matchAll(/import\s*(type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    const [, typeOnly, names, from] = match as unknown as [string, string | undefined, string, string];
    if (from.startsWith('@aws-sdk/client-')) {
      for (const name of names.split(',').map((n) => n.replace(/^\s*type\s+/, '').trim())) {
        if (name.endsWith('Command')) packageOf.set(name, from);
      }
    } else if (!typeOnly && from.startsWith('./') && from.endsWith('.ts')) {
      // A type-only import brings no code, so no calls.
      for (const action of commandActions(resolve(dirname(file), from), seen)) actions.add(action);
    }
  }
  for (const match of source.matchAll(/new (\w+Command)\(/g)) {
    const command = match[1] as string;
    const from = packageOf.get(command);
    if (!from) throw new Error(`${file}: ${command} is not imported from an AWS SDK client`);
    actions.add(iamActionFor(from, command.replace(/Command$/, '')));
  }
  return actions;
}

describe('the category registry', () => {
  it('has unique kebab-case ids', () => {
    expect(new Set(CATEGORY_IDS).size).toBe(CATEGORY_IDS.length);
    for (const id of CATEGORY_IDS) expect(id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it.each(REGISTRY.map((c) => [c.collector.id, c] as const))(
    '%s declares exactly the IAM actions of the calls its code makes',
    (id, category) => {
      const derived = commandActions(resolve(collectorsDir, `${id}.ts`));
      expect([...category.collector.actions].sort()).toEqual([...derived].sort());
      for (const action of category.collector.dependentActions ?? []) expect(derived.has(action)).toBe(false);
    },
  );
});

describe.each(databaseBackends())('registry tables on $name', (backend) => {
  const db = useDatabase(backend);

  it('every table a category declares exists after the migrations', async () => {
    const rows = await db.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const tables = new Set(rows.map((r) => r.table_name));
    for (const category of REGISTRY) {
      for (const table of category.collector.tables)
        expect(tables.has(table), `${category.collector.id}: ${table}`).toBe(true);
    }
  });
});
