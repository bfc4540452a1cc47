/**
 * Paths and URIs that a server resolves differently from the text the policy matched (second
 * review, item 6): `..` split by characters URL parsers drop (tab, CR, LF), percent-encoded once
 * or twice, behind `\`, `;`, fullwidth dots; and resource globs, which had no `..` check at all.
 * Each call below is allowed by the raw text and would reach a file outside what the policy
 * allows; each must be refused before it reaches the server.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ToolPolicies } from '../../../policies/model/tool-policy.ts';
import type { AuditRecord } from '../../../worker/src/mcp/gate/audit-record.ts';
import { runPolicyGate } from '../../../worker/src/mcp/gate/policy-gate.ts';
import { BOB, FakeAccess } from './fake-access.ts';
import { mcpRequest, signIn } from './browser.ts';

/** A file server's policy: the shared folder, but not its secret part; uploads only below /srv/uploads/. */
const filePolicies: ToolPolicies = {
  unlistedMethods: 'deny',
  rules: [
    { name: 'no-secrets', effect: 'deny', who: [{ everyone: true }], resources: ['file:///srv/shared/secret/*'] },
    { name: 'shared-files', effect: 'allow', who: [{ everyone: true }], resources: ['file:///srv/shared/*'] },
    {
      name: 'uploads',
      effect: 'allow',
      who: [{ everyone: true }],
      tools: ['write-file'],
      arguments: { path: { prefix: '/srv/uploads/' } },
    },
  ],
};

const user = { sub: 'carol-sub', email: 'carol@example.com', name: 'Carol', groups: [] };

async function throughGate(message: unknown): Promise<{ status: number; reached: number; records: AuditRecord[] }> {
  let reached = 0;
  const records: AuditRecord[] = [];
  const response = await runPolicyGate(
    new Request('http://localhost:8788/mcp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify(message),
    }),
    {
      user,
      clientId: 'client-1',
      policies: filePolicies,
      upstream: {
        forward: () => {
          reached++;
          return Promise.resolve(Response.json({ jsonrpc: '2.0', id: 1, result: {} }));
        },
      },
      audit: (record) => {
        if (record.event === 'mcp_request') records.push(record);
      },
    },
  );
  await response.arrayBuffer();
  return { status: response.status, reached, records };
}

const read = (uri: string) => ({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } });
const write = (path: string) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'write-file', arguments: { path, content: 'x' } },
});

describe('resource globs see every reading of a URI', () => {
  it('a plain read of the shared folder passes (control)', async () => {
    expect((await throughGate(read('file:///srv/shared/report.txt'))).reached).toBe(1);
  });

  it.each([
    ['.. out of the glob', 'file:///srv/shared/../../etc/passwd'],
    ['.. percent-encoded', 'file:///srv/shared/%2e%2e/%2e%2e/etc/passwd'],
    ['.. encoded twice', 'file:///srv/shared/%252e%252e/%252e%252e/etc/passwd'],
    ['.. behind an encoded slash', 'file:///srv/shared/..%2f..%2fetc/passwd'],
    ['.. behind backslashes', 'file:///srv/shared/..\\..\\etc\\passwd'],
    ['.. split by a tab', 'file:///srv/shared/.\t./.\t./etc/passwd'],
    ['.. split by CR LF', 'file:///srv/shared/.\r\n./etc/passwd'],
    ['.. in fullwidth dots', 'file:///srv/shared/．．/．．/etc/passwd'],
    ['into the denied folder by ./', 'file:///srv/shared/./secret/keys'],
    ['into the denied folder by //', 'file:///srv/shared//secret/keys'],
    ['into the denied folder by percent-encoding', 'file:///srv/shared/s%65cret/keys'],
    ['into the denied folder by double encoding', 'file:///srv/shared/s%2565cret/keys'],
    ['undecodable percent-encoding', 'file:///srv/shared/%c0%ae%c0%ae/etc/passwd'],
  ])('%s is refused and reaches nothing', async (_name, uri) => {
    const { reached, records } = await throughGate(read(uri));
    expect(reached).toBe(0);
    expect(records.at(0)?.decision).toBe('deny');
  });
});

describe('prefix arguments see every reading of a path', () => {
  it('a plain path below the prefix passes (control)', async () => {
    expect((await throughGate(write('/srv/uploads/a.txt'))).reached).toBe(1);
  });

  it.each([
    ['.. split by a tab', '/srv/uploads/.\t./.\t./etc/cron.d/x'],
    ['.. split by CR', '/srv/uploads/.\r./.\r./etc/cron.d/x'],
    ['.. split by LF', '/srv/uploads/.\n./.\n./etc/cron.d/x'],
    ['.. encoded twice', '/srv/uploads/%252e%252e/etc/cron.d/x'],
    ['.. behind an encoded slash', '/srv/uploads/..%2f..%2fetc/cron.d/x'],
    ['.. behind ;', '/srv/uploads/..;/..;/etc/cron.d/x'],
    ['.. in fullwidth dots', '/srv/uploads/．．/．．/etc/cron.d/x'],
    ['.. split by NUL bytes', '/srv/uploads/.\u0000./.\u0000./etc/cron.d/x'],
  ])('%s is refused and reaches nothing', async (_name, path) => {
    const { reached, records } = await throughGate(write(path));
    expect(reached).toBe(0);
    expect(records.at(0)?.decision).toBe('deny');
  });
});

describe('through the Worker, with the shipped policies', () => {
  let access: FakeAccess;
  let token: string;
  beforeEach(async () => {
    access = await FakeAccess.start();
    access.idToken = (nonce) => access.sign({ ...BOB, nonce });
    token = (await signIn(access)).access_token;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const call = (params: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 1, ...(params as object) });

  it.each([
    [
      'a project file fetched through .. split by tabs',
      {
        method: 'tools/call',
        params: {
          name: 'gzip-file-as-resource',
          arguments: {
            name: 'x',
            data: 'https://raw.githubusercontent.com/modelcontextprotocol/.\t./.\t./evil/repo/main/x',
          },
        },
      },
    ],
    [
      'a demo resource read through ..',
      { method: 'resources/read', params: { uri: 'demo://resource/static/../../../etc/passwd' } },
    ],
  ])('bob: %s is denied by policy and never reaches the server', async (_name, message) => {
    const response = await mcpRequest(token, { body: call(message) });
    const answer = await response.json<{ error?: { code: number } }>();
    expect(answer.error?.code).toBe(-32003);
    expect(access.upstreamRequests).toHaveLength(0);
  });
});
