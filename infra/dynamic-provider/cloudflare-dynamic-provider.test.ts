/**
 * The shared base of the dynamic providers: the unknown placeholder is Pulumi's, key order
 * does not make a change, `check` and `diff` follow a provider's input rules, errors say what
 * to do, and all three providers survive the trip
 * into the state and back under the loader Pulumi runs the program with.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as pulumi from '@pulumi/pulumi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeCloudflareApi, startFakeCloudflareApi } from '../deploy-contract/fake-cloudflare-api.ts';
import {
  canonicalJson,
  changedKeys,
  cloudflareDynamicProvider,
  containsUnknown,
  explain,
  UNKNOWN_INPUT,
} from './cloudflare-dynamic-provider.ts';

describe('the base', () => {
  it("spells Pulumi's placeholder for an unknown input", () => {
    expect(UNKNOWN_INPUT).toBe(pulumi.runtime.unknownValue);
    expect(containsUnknown({ a: [1, { b: UNKNOWN_INPUT }] })).toBe(true);
    expect(containsUnknown({ a: [1, { b: 'known' }] })).toBe(false);
  });

  it('compares values whatever order their keys come back in, and counts an unknown as a change', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
    expect(changedKeys({ x: { a: 1, b: 2 }, y: 1 }, { x: { b: 2, a: 1 }, y: 1 }, ['x', 'y'])).toEqual([]);
    expect(changedKeys({ x: 1, y: 1 }, { x: UNKNOWN_INPUT as never, y: 2 }, ['x', 'y'])).toEqual(['x', 'y']);
  });

  it("makes check and diff from a provider's input rules", async () => {
    type Thing = { name: string; size: number; note: string };
    const provider = cloudflareDynamicProvider<Thing, Thing>(
      {},
      {
        problems: (thing) => (thing.size > 0 ? [] : [`size: ${thing.size} is not a positive number`]),
        compared: ['name', 'size'],
        replacing: ['name'],
        deleteBeforeReplace: true,
      },
      { create: async (thing) => ({ id: thing.name, outs: thing }) },
    );
    const thing = { name: 'a', size: 1, note: 'x' };
    expect(await provider.check!(thing, { ...thing, size: 0 })).toEqual({
      inputs: { ...thing, size: 0 },
      failures: [{ property: 'size', reason: 'size: 0 is not a positive number' }],
    });
    expect(await provider.diff!('a', thing, { ...thing, note: 'y' })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff!('a', thing, { ...thing, size: 2 })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await provider.diff!('a', thing, { ...thing, name: 'b' })).toEqual({
      changes: true,
      replaces: ['name'],
      deleteBeforeReplace: true,
    });
  });

  it('turns a refused token into the permission to grant', () => {
    const refused = Object.assign(new Error('Authentication error'), { status: 403 });
    expect(explain(refused, 'do it', { name: 'n', accountId: 'a' }, 'Containers: Edit').message).toMatch(
      /Could not do it "n" in account a: Cloudflare refused the API token \(403\).*"Containers: Edit"/,
    );
  });
});

describe('under the loader Pulumi runs the program with', () => {
  let api: FakeCloudflareApi;
  beforeAll(async () => {
    api = await startFakeCloudflareApi({ apiToken: 'roundtrip-token' });
  });
  afterAll(() => api.close());

  it('all three dynamic providers survive serialization into the state and work when revived', async () => {
    const script = new URL('../container-app/roundtrip-under-tsx.ts', import.meta.url).pathname;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, api.baseURL, 'roundtrip-token'],
      { timeout: 60_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      scriptVersion: string;
      registryUser: string;
      applicationId: string;
    };
    expect(api.scripts.get('secure-mcp-dev-gateway')?.versions.has(result.scriptVersion)).toBe(true);
    expect(api.applications.has(result.applicationId)).toBe(true);
    expect(result.registryUser).toBe('v1');
  });
});
