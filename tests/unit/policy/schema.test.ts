import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADDED_GROUP_KEYS, POLICY_ENTRY_KEYS, POLICY_KEYS } from '../../../lib/policy';

interface SchemaNode {
  type: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  enum?: unknown[];
}

/** Chromium's storage.managed_schema, as packaged (wxt.config.ts names it for Chromium). */
const schema = JSON.parse(
  readFileSync(new URL('../../../public/managed-schema.json', import.meta.url), 'utf8'),
) as SchemaNode;

describe('public/managed-schema.json and the policy reader', () => {
  it('name the same keys', () => {
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...POLICY_KEYS].sort());
  });

  it('give each key the same fields, and locked', () => {
    for (const key of POLICY_KEYS) {
      const node = schema.properties?.[key];
      expect(node?.type, key).toBe('object');
      expect(Object.keys(node?.properties ?? {}).sort(), key).toEqual(
        [...POLICY_ENTRY_KEYS[key], 'locked'].sort(),
      );
      expect(node?.properties?.locked?.type, key).toBe('boolean');
    }
  });

  it("describe an added group's fields as the reader reads them", () => {
    const group = schema.properties?.watchlist?.properties?.addGroups?.items;
    expect(Object.keys(group?.properties ?? {}).sort()).toEqual([...ADDED_GROUP_KEYS].sort());
    expect(group?.properties?.asns?.items?.type).toBe('integer');
  });

  it('offer the flag actions the settings know', () => {
    expect(schema.properties?.onFlagged?.properties?.value?.enum).toEqual([
      'nothing',
      'warn',
      'block',
    ]);
  });

  it('is referenced from the Chromium manifest', () => {
    const config = readFileSync(new URL('../../../wxt.config.ts', import.meta.url), 'utf8');
    expect(config).toContain("managed_schema: 'managed-schema.json'");
  });
});
