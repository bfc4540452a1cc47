/**
 * The registry credentials provider against the loopback fake of Cloudflare's API: the
 * account's registry namespace from `GET /containers/me`, credentials from the registry
 * credentials endpoint, and fresh ones exactly when the image is built anew.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FakeCloudflareApi, startFakeCloudflareApi } from '../deploy-contract/fake-cloudflare-api.ts';
import {
  registryCredentialsProvider,
  type RegistryCredentialsInputs,
  type RegistryCredentialsOutputs,
} from './registry-credentials.ts';

const TOKEN = 'fake-token-for-tests';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const inputs: RegistryCredentialsInputs = {
  accountId: ACCOUNT,
  registry: 'registry.cloudflare.com',
  repositoryName: 'secure-mcp-dev-bridge',
  buildDigest: `sha256:${'1'.repeat(64)}`,
};

let api: FakeCloudflareApi;
beforeAll(async () => {
  api = await startFakeCloudflareApi({ apiToken: TOKEN, externalAccountId: 'ext-4242' });
});
afterAll(() => api.close());
beforeEach(() => {
  api.requests.length = 0;
});

describe('registry credentials', () => {
  it("pushes under the account's external id from /containers/me, with short-lived push credentials", async () => {
    const credentials = registryCredentialsProvider({ apiToken: TOKEN, baseURL: api.baseURL });
    const { outs } = (await credentials.create(inputs)) as { outs: RegistryCredentialsOutputs };
    expect(api.requests.map(({ method, path, body }) => [method, path, body])).toEqual([
      ['GET', `/accounts/${ACCOUNT}/containers/me`, undefined],
      [
        'POST',
        `/accounts/${ACCOUNT}/containers/registries/registry.cloudflare.com/credentials`,
        { expiration_minutes: 30, permissions: ['push', 'pull'] },
      ],
    ]);
    expect(outs).toMatchObject({
      repository: 'registry.cloudflare.com/ext-4242/secure-mcp-dev-bridge',
      externalAccountId: 'ext-4242',
      username: 'v1',
      password: expect.stringMatching(/^pw-/),
    });
  });

  it('reports no change while the image is the same, and asks again when it is built anew', async () => {
    const credentials = registryCredentialsProvider({ apiToken: TOKEN, baseURL: api.baseURL });
    const { outs } = (await credentials.create(inputs)) as { outs: RegistryCredentialsOutputs };
    expect(await credentials.diff!('id', outs, inputs)).toMatchObject({ changes: false, replaces: [] });
    const rebuilt = { ...inputs, buildDigest: `sha256:${'2'.repeat(64)}` };
    expect(await credentials.diff!('id', outs, rebuilt)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const { outs: fresh } = await credentials.update!('id', outs, rebuilt);
    expect(fresh?.password).not.toBe(outs.password);
  });

  it('explains a refused token', async () => {
    const credentials = registryCredentialsProvider({ apiToken: 'wrong', baseURL: api.baseURL, maxRetries: 0 });
    await expect(credentials.create(inputs)).rejects.toThrow(/Containers account.*refused the API token \(403\)/);
  });
});
