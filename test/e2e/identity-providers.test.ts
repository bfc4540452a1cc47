import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import {
  providerGroupsOf,
  rehearsalPolicies,
  standInProfile,
  workerGroupsOf,
  type StandInProfile,
} from '../../dev/access-standin/profiles.ts';
import type { DevUser } from '../../dev/access-standin/users.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { accessPoliciesFor } from '../../policies/access.ts';
import { callOf } from '../../policies/cli/run-cases.ts';
import { decideRequest } from '../../policies/engine/decide-request.ts';
import { decideSignIn } from '../../policies/engine/decide-sign-in.ts';
import { POLICY_DIR, readPolicyDirectory } from '../../policies/load/load-policies.ts';
import type { RequestCase } from '../../policies/load/schemas.ts';

/**
 * `policies/cases.yaml`, run through real sign-ins against every identity provider the Access
 * stand-in rehearses: for each provider, the stand-in decides with the rules the stack emits
 * for it (Okta, Entra ID and Google Workspace selectors, GitHub teams, SAML attributes, OIDC
 * claims), the Worker reads the groups claim as that provider's id_token carries it (strings or
 * objects), and both must agree with what the engine predicts for that provider. One Worker
 * serves every provider (ACCESS_GROUPS_FIELD=name); the stand-in switches between sign-ins.
 */
const loaded = readPolicyDirectory(POLICY_DIR);
const cases = loaded.cases!;
const tools = loaded.tools!;

/** The people of the policy tests, as dev users (the stand-in signs in only people it knows). */
function usersOfCases(): DevUser[] {
  const users = new Map<string, DevUser>();
  for (const { who } of [...cases.signIn, ...cases.requests]) {
    const seen = users.get(who.email);
    if (seen && seen.groups.join() !== who.groups.join())
      throw new Error(`cases.yaml gives ${who.email} two sets of groups; one person is one dev user here`);
    users.set(who.email, { email: who.email, name: who.email.split('@')[0]!, groups: [...who.groups] });
  }
  return [...users.values()];
}
const users = usersOfCases();
const userOf = (email: string) => users.find((user) => user.email === email)!;

const PROFILES: StandInProfile[] = [
  standInProfile('oidc'),
  standInProfile('okta'),
  standInProfile('entra', { groups: 'objects' }),
  standInProfile('entra'),
  standInProfile('google', { groups: 'objects' }),
  standInProfile('github'),
  standInProfile('saml'),
];

let stack: Awaited<ReturnType<typeof startPrivateStack>>;
let usersDir: string;
const accessLines: string[] = [];
const workerLines: string[] = [];
/** Waiters for a Worker line: its console output reaches us after the response it belongs to. */
const lineWaiters: Array<{ match: RegExp; resolve: (line: string) => void }> = [];

/** The first Worker line (already seen or still to come) that matches. */
function workerLine(match: RegExp): Promise<string> {
  const seen = workerLines.find((line) => match.test(line));
  return seen !== undefined ? Promise.resolve(seen) : new Promise((resolve) => lineWaiters.push({ match, resolve }));
}

beforeAll(async () => {
  usersDir = await mkdtemp(join(tmpdir(), 'secure-mcp-providers-'));
  await writeFile(join(usersDir, 'users.json'), JSON.stringify(users));
  stack = await startPrivateStack({
    usersFile: join(usersDir, 'users.json'),
    workerSignIn: { groupsField: 'name', nonce: 'required' },
    // 'log' lets the Worker's console lines through (its sign-in refusals among them).
    workerLogLevel: 'log',
    log: (source, line) => {
      if (source === 'access') accessLines.push(line);
      if (source !== 'worker') return;
      workerLines.push(line);
      for (const waiter of lineWaiters.filter((candidate) => candidate.match.test(line))) {
        lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    },
  });
});

afterAll(async () => {
  await stack?.cleanup();
  await rm(usersDir, { recursive: true, force: true });
});

/** Signs `email` in through the gateway (discovery, registration, consent, Access, token); the client's OAuth state, or why it failed. */
async function signIn(email: string, mcpUrl = stack.mcpUrl): Promise<{ oauth: ScriptedOAuthClient; failure?: string }> {
  const oauth = new ScriptedOAuthClient(email, 'secure-mcp providers e2e');
  if ((await auth(oauth, { serverUrl: mcpUrl })) !== 'REDIRECT') throw new Error('expected a sign-in to start');
  if (oauth.failure) return { oauth, failure: oauth.failure };
  expect(await auth(oauth, { serverUrl: mcpUrl, authorizationCode: oauth.takeAuthorizationCode() })).toBe('AUTHORIZED');
  return { oauth };
}

/**
 * An MCP session as `oauth`'s person; `end()` drops it without a DELETE, as many clients leave (the
 * gateway must cope: the bridge reclaims a user's abandoned sessions, docs/security.md 22).
 */
async function connect(oauth: ScriptedOAuthClient): Promise<{ client: Client; end: () => Promise<void> }> {
  const client = new Client({ name: 'secure-mcp-providers-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: oauth });
  await client.connect(transport);
  return { client, end: () => client.close() };
}

/** What the gateway knows about the person `oauth` signed in. */
async function identityOf(oauth: ScriptedOAuthClient, mcpUrl = stack.mcpUrl) {
  const response = await fetch(`${mcpUrl}/identity`, {
    headers: { Authorization: `Bearer ${oauth.tokens()!.access_token}` },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { name: string; groups: string[]; claims: Record<string, string> };
}

/** The policy the stand-in's last decision about `email` names, from its log line. */
function lastAccessPolicy(email: string): string | undefined {
  const line = accessLines.findLast((candidate) => candidate.includes(`for ${email} `));
  return line ? /by policy "([^"]+)"/.exec(line)?.[1] : undefined;
}

/** Whether the gateway lets `client` do what `row` asks: a denied call never reaches the server. */
async function gatewayAllows(client: Client, row: RequestCase): Promise<boolean> {
  const call = async () => {
    if (row.tool) return client.callTool({ name: row.tool, arguments: row.arguments ?? {} });
    if (row.resource) return client.readResource({ uri: row.resource });
    if (row.prompt)
      return client.getPrompt({ name: row.prompt, arguments: (row.arguments ?? {}) as Record<string, string> });
    return client.request({ method: row.method!, params: {} }, z.object({}).passthrough());
  };
  const refusal = await call().then(
    () => undefined,
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  return refusal === undefined || !/Forbidden by policy/.test(refusal);
}

describe.each(PROFILES.map((profile) => ({ profile, label: `${profile.name}, groups as ${profile.groups}` })))(
  'policies/cases.yaml with $label',
  ({ profile }) => {
    it('signs each person in, or refuses them, by the policy the engine predicts for this provider', async () => {
      const environments = [...new Set(cases.signIn.map((row) => row.environment))];
      for (const environment of environments) {
        const written = accessPoliciesFor(environment);
        stack.access.rehearse({ profile, policies: written });
        const policies = rehearsalPolicies(written, profile, users);
        for (const row of cases.signIn.filter((candidate) => candidate.environment === environment)) {
          const user = userOf(row.who.email);
          const predicted = decideSignIn(policies, { email: user.email, groups: providerGroupsOf(user, profile) });
          // Written for this provider, the rules decide as the policy tests say.
          expect(predicted.allowed, `${user.email} in ${environment}`).toBe(row.expect === 'allow');
          const { oauth, failure } = await signIn(user.email);
          // Signed in, the Worker read the groups this provider's id_token carries.
          const groupsRead = failure ? undefined : (await identityOf(oauth)).groups;
          expect(groupsRead).toEqual(failure ? undefined : workerGroupsOf(user, profile, 'name'));
          expect(failure, `${user.email} in ${environment}: ${failure}`).toBe(
            predicted.allowed ? undefined : `Access refused ${user.email} (HTTP 403)`,
          );
          expect(lastAccessPolicy(user.email), `${user.email} in ${environment}`).toBe(predicted.policy);
        }
      }
    });

    it('decides each request as the engine predicts for the groups the Worker reads from this id_token', async () => {
      const people = [...new Set(cases.requests.map((row) => row.who.email))];
      for (const email of people) {
        const user = userOf(email);
        // A person who can sign in nowhere never reaches the Worker; their rows are sign-in rows.
        const environment = ['dev', 'prod', 'local'].find(
          (name) =>
            decideSignIn(rehearsalPolicies(accessPoliciesFor(name), profile, users), {
              email,
              groups: providerGroupsOf(user, profile),
            }).allowed,
        );
        if (!environment) continue;
        stack.access.rehearse({ profile, policies: accessPoliciesFor(environment) });
        const { oauth, failure } = await signIn(email);
        expect(failure).toBeUndefined();
        const identity = { email, groups: workerGroupsOf(user, profile, 'name') };
        const { client, end } = await connect(oauth);
        try {
          const listed = new Set((await client.listTools()).tools.map((tool) => tool.name));
          for (const row of cases.requests.filter((candidate) => candidate.who.email === email)) {
            const predicted = decideRequest(tools, identity, callOf(row));
            const what = `${email} (${identity.groups.join(', ') || 'no groups'}): ${row.tool ?? row.resource ?? row.prompt ?? row.method}`;
            // An allowed tool is seen in tools/list (calling it could take long or reach out);
            // everything else is tried: a denied call never reaches the server.
            const allowed = predicted.allowed && row.tool ? listed.has(row.tool) : await gatewayAllows(client, row);
            expect(allowed, what).toBe(predicted.allowed);
          }
        } finally {
          await end();
        }
      }
    });
  },
);

describe('what the id_token may leave out', () => {
  it('an Access that does not return the nonce is refused while ACCESS_NONCE is required, saying so', async () => {
    stack.access.rehearse({
      profile: standInProfile('okta', { echoNonce: false }),
      policies: accessPoliciesFor('prod'),
    });
    const { failure } = await signIn('alice@example.com');
    expect(failure).toBe('sign-in failed at the gateway callback (HTTP 401)');
    expect(await workerLine(/"event":"sign_in\.refused"/)).toMatch(/"reason":"the token carries no nonce/);
  });

  it('an id_token without a name signs in, named by its email', async () => {
    stack.access.rehearse({
      profile: standInProfile('okta', { sendName: false }),
      policies: accessPoliciesFor('prod'),
    });
    const { oauth, failure } = await signIn('alice@example.com');
    expect(failure).toBeUndefined();
    const identity = await identityOf(oauth);
    expect(identity.name).toBe('alice@example.com');
    expect(identity.claims).not.toHaveProperty('name');
  });
});

describe('a stack that checks the nonce only when Access sends it', () => {
  let lenient: Awaited<ReturnType<typeof startPrivateStack>>;
  beforeAll(async () => {
    lenient = await startPrivateStack({
      accessProfile: standInProfile('okta', { echoNonce: false }),
      workerSignIn: { nonce: 'if-present' },
    });
  });
  afterAll(async () => {
    await lenient?.cleanup();
  });

  it('signs people in without it, and still refuses who the policies refuse', async () => {
    const { oauth, failure } = await signIn('alice@example.com', lenient.mcpUrl);
    expect(failure).toBeUndefined();
    const identity = await identityOf(oauth, lenient.mcpUrl);
    expect(identity.claims).not.toHaveProperty('nonce');
    expect(identity.groups).toEqual(['engineering']);
    expect((await signIn('mallory@example.com', lenient.mcpUrl)).failure).toBe(
      'Access refused mallory@example.com (HTTP 403)',
    );
  });
});
