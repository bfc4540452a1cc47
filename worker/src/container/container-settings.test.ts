import { describe, expect, it } from 'vitest';
import { deriveUpstreamKey, verifyIdentityToken } from '../../../container/src/identity-token.ts';
import { ContainerUpstream } from '../mcp/container-upstream.ts';
import {
  CONTAINER_MCP_URL,
  containerInstanceName,
  ContainerSettingsError,
  readContainerSettings,
} from './container-settings.ts';

const key = 'k'.repeat(40);
const alice = { sub: 'sub-alice', email: 'alice@example.com', name: 'Alice', groups: ['engineering'] };
const bob = { sub: 'sub-bob', email: 'bob@example.com', name: 'Bob', groups: ['support'] };

describe('container settings', () => {
  it('defaults to one container per user, internet off, no secret in its environment', () => {
    const settings = readContainerSettings({
      IDENTITY_SIGNING_KEY: key,
      COOKIE_SIGNING_KEY: 'secret-cookie-key',
      ACCESS_CLIENT_SECRET: 'access',
    });
    expect(settings).toEqual({
      scope: 'user',
      sleepAfter: '15m',
      allowedHosts: [],
      envVars: { BRIDGE_IDENTITY_AUDIENCE: CONTAINER_MCP_URL },
    });
    // The Worker's own key never: McpContainer adds the key derived for its instance.
    expect(JSON.stringify(settings)).not.toContain('secret-cookie-key');
    expect(JSON.stringify(settings)).not.toContain(key);
  });

  it('passes exactly the named Worker secrets, and tells the bridge their names', () => {
    const settings = readContainerSettings({
      IDENTITY_SIGNING_KEY: key,
      MCP_CONTAINER_SECRET_NAMES: 'GITHUB_TOKEN, SENTRY_DSN',
      MCP_CONTAINER_ALLOWED_HOSTS: 'api.github.com,*.sentry.io',
      MCP_CONTAINER_SLEEP_AFTER: '10m',
      MCP_CONTAINER_SHARED_CHILD: '1',
      MCP_CONTAINER_USER_ENV: '0',
      GITHUB_TOKEN: 'ghp_x',
      SENTRY_DSN: 'https://dsn',
      OTHER_SECRET: 'never',
    });
    expect(settings.envVars).toEqual({
      BRIDGE_IDENTITY_AUDIENCE: CONTAINER_MCP_URL,
      GITHUB_TOKEN: 'ghp_x',
      SENTRY_DSN: 'https://dsn',
      MCP_SERVER_ENV: 'GITHUB_TOKEN,SENTRY_DSN',
      MCP_SERVER_SHARED: '1',
      MCP_SERVER_USER_ENV: '0',
    });
    expect(settings.allowedHosts).toEqual(['api.github.com', '*.sentry.io']);
    expect(settings.sleepAfter).toBe('10m');
  });

  it('names every mistake at once', () => {
    const read = () =>
      readContainerSettings({
        MCP_CONTAINER_SCOPE: 'everyone',
        MCP_CONTAINER_SLEEP_AFTER: 'forever',
        MCP_CONTAINER_ALLOWED_HOSTS: 'https://evil/path',
        MCP_CONTAINER_SECRET_NAMES: 'MISSING,BRIDGE_IDENTITY_KEY',
        MCP_CONTAINER_SHARED_CHILD: 'yes',
      });
    expect(read).toThrow(ContainerSettingsError);
    expect(() => read()).toThrow(
      /MCP_CONTAINER_SCOPE.*MCP_CONTAINER_SLEEP_AFTER.*is not a host name.*IDENTITY_SIGNING_KEY is not set.*no secret of that name.*not a usable variable name.*MCP_CONTAINER_SHARED_CHILD must be 1 or 0/,
    );
  });
});

describe('container instance per user', () => {
  it('gives each user their own instance, and a tenant one per email domain when configured', () => {
    expect(containerInstanceName(alice, 'user')).toBe('user:sub-alice');
    expect(containerInstanceName(bob, 'user')).not.toBe(containerInstanceName(alice, 'user'));
    expect(containerInstanceName(alice, 'tenant')).toBe('tenant:example.com');
    expect(containerInstanceName(bob, 'tenant')).toBe('tenant:example.com');
    expect(() => containerInstanceName({ sub: '', email: 'x@y' }, 'user')).toThrow(ContainerSettingsError);
  });

  it('forwards to the user’s own instance with a signed identity and without the client’s token', async () => {
    const seen: Array<{ name: string; url: string; auth: string | null; identity: string | null }> = [];
    const namespace = {
      idFromName: (name: string) => ({ name, toString: () => `id-of-${name}` }),
      get: (id: { name: string }) => ({
        fetch: async (request: Request) => {
          seen.push({
            name: id.name,
            url: request.url,
            auth: request.headers.get('authorization'),
            identity: request.headers.get('x-secure-mcp-identity'),
          });
          return new Response('{}', { headers: { 'content-type': 'application/json', 'set-cookie': 'x=y' } });
        },
      }),
    } as unknown as DurableObjectNamespace<never>;
    const env = { IDENTITY_SIGNING_KEY: key } as unknown as Cloudflare.Env;
    const upstream = new ContainerUpstream(namespace, env, key);
    const request = () =>
      new Request('http://localhost:8788/mcp', {
        method: 'POST',
        headers: { authorization: 'Bearer client-token', 'content-type': 'application/json' },
        body: '{}',
      });
    const response = await upstream.forward(request(), alice);
    await upstream.forward(request(), bob);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(seen.map((call) => call.name)).toEqual(['user:sub-alice', 'user:sub-bob']);
    expect(seen[0]).toMatchObject({ url: CONTAINER_MCP_URL, auth: null, identity: expect.any(String) });

    // Each instance's identity is signed with the key derived for that instance only.
    const aliceKey = await deriveUpstreamKey(key, 'container:id-of-user:sub-alice');
    const bobKey = await deriveUpstreamKey(key, 'container:id-of-user:sub-bob');
    const audience = CONTAINER_MCP_URL;
    expect((await verifyIdentityToken(seen[0]!.identity!, { key: aliceKey, audience })).email).toBe(
      'alice@example.com',
    );
    await expect(verifyIdentityToken(seen[0]!.identity!, { key: bobKey, audience })).rejects.toThrow(/refused/);
    await expect(verifyIdentityToken(seen[0]!.identity!, { key, audience })).rejects.toThrow(/refused/);
    expect((await verifyIdentityToken(seen[1]!.identity!, { key: bobKey, audience })).email).toBe('bob@example.com');

    // The old HTTP+SSE transport keeps its sub-path and session id below the MCP endpoint.
    await upstream.forward(
      new Request('http://localhost:8788/mcp/messages?sessionId=abc', { method: 'POST', body: '{}' }),
      alice,
    );
    await upstream.forward(new Request('http://localhost:8788/mcp/sse'), alice);
    await upstream.forward(new Request('http://localhost:8788/mcp/elsewhere'), alice);
    expect(seen.slice(2).map((call) => call.url)).toEqual([
      `${CONTAINER_MCP_URL}/messages?sessionId=abc`,
      `${CONTAINER_MCP_URL}/sse`,
      CONTAINER_MCP_URL,
    ]);
  });
});
