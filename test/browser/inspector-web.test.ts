/**
 * MCP Inspector 2.12's web UI, the first client a newcomer opens, driven in Debian's Chromium the
 * way README.md tells a person to use it: add the gateway as a server (Add Servers, Add manually,
 * transport streamable-http, the URL), turn on the card's connect switch, approve the consent
 * page and sign in at the Access stand-in, then list the tools and call one. alice sees exactly
 * the tools the gateway lists for her and gets her echo back; a tool the policies make her
 * confirm shows the gateway's question as the Inspector's elicitation dialog; mallory, whom the
 * Access policies refuse, sees the refusal page and the Inspector never connects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { obtainTokens } from '../../dev/client/obtain-tokens.ts';
import { findFreePort } from '../../dev/stack/ports.ts';
import { stopProcessGroup } from '../../dev/stack/wrangler-dev.ts';
import { INSPECTOR_LAUNCHER, inspectorHomeEnv } from '../support/mcp-inspector.ts';
import { privateStackForBrowserTests } from './browser-stack.ts';
import { launchChromium, skipsWithoutChromium } from './chromium.ts';
import { screenshot } from './screenshots.ts';

const SERVER_ID = 'secure-mcp-local';

const stack = privateStackForBrowserTests();

/**
 * The tool names the gateway lists for `email`, asked with the MCP SDK by a client that declares
 * what the Inspector declares (server-everything offers its sampling, elicitation and roots tools
 * only to clients that can take them).
 */
async function toolsListedFor(email: string): Promise<string[]> {
  const { access_token: token } = await obtainTokens(stack().mcpUrl, email);
  const client = new Client(
    { name: 'inspector-web-test', version: '1.0.0' },
    {
      capabilities: {
        sampling: {},
        elicitation: { form: {}, url: {} },
        roots: { listChanged: true },
        tasks: { requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
      },
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(stack().mcpUrl), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  try {
    return (await client.listTools()).tools.map((tool) => tool.name);
  } finally {
    await client.close();
  }
}

/**
 * A fresh Inspector web server (its own HOME, so its own server catalog and secrets) on a free
 * port, and a fresh Chromium on its page; both are stopped after `run`.
 */
async function withInspector(run: (page: Page, inspectorOrigin: string) => Promise<void>): Promise<void> {
  const home = await mkdtemp(join(tmpdir(), 'secure-mcp-inspector-web-'));
  const inspector: ChildProcess = spawn(process.execPath, [INSPECTOR_LAUNCHER, '--web'], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...inspectorHomeEnv(home),
      CLIENT_PORT: String(await findFreePort()),
      MCP_SANDBOX_PORT: '0',
      MCP_APP_ORIGIN_PORT: '0',
      MCP_AUTO_OPEN_ENABLED: 'false',
    },
  });
  const stderr: string[] = [];
  inspector.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const browser = await launchChromium().catch(async (error: unknown) => {
    await stopProcessGroup(inspector);
    throw error;
  });
  try {
    const url = await inspectorUrl(inspector, stderr);
    const page = await browser.context.newPage();
    await page.goto(url);
    await run(page, new URL(url).origin);
  } finally {
    await browser.close();
    await stopProcessGroup(inspector);
    await rm(home, { recursive: true, force: true });
  }
}

/** The URL with its API token that the Inspector prints once it is up. */
async function inspectorUrl(inspector: ChildProcess, stderr: string[]): Promise<string> {
  const exited = once(inspector, 'exit').then(([code]) => {
    throw new Error(`the Inspector exited (${String(code)}) before it was up:\n${stderr.join('')}`);
  });
  const lines = createInterface({ input: inspector.stdout! });
  const up = (async () => {
    for await (const line of lines) {
      const match = /(https?:\/\/\S+\?MCP_INSPECTOR_API_TOKEN=\w+)/.exec(line);
      if (match) return match[1]!;
    }
    throw new Error(`the Inspector printed no URL:\n${stderr.join('')}`);
  })();
  return Promise.race([up, exited]);
}

/** README's steps: Add Servers, + Add manually, an id, transport streamable-http, the URL, Add. */
async function addGateway(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Add Servers' }).click();
  await page.getByRole('menuitem', { name: /Add manually/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Add server' });
  await dialog.getByRole('textbox', { name: 'Server ID' }).fill(SERVER_ID);
  await dialog.getByRole('textbox', { name: 'Transport' }).click();
  await page.getByRole('option', { name: 'streamable-http' }).click();
  await dialog.getByRole('textbox', { name: 'URL' }).fill(stack().mcpUrl);
  await dialog.getByRole('button', { name: 'Add' }).click();
  await expect.poll(() => dialog.count()).toBe(0);
}

/** The card of the gateway on the server list. */
const gatewayCard = (page: Page) =>
  page
    .locator('div')
    .filter({ has: page.getByText(SERVER_ID, { exact: true }) })
    .filter({ has: page.getByRole('switch') })
    .last();

describe.skipIf(skipsWithoutChromium())('MCP Inspector web UI through the gateway', () => {
  it('alice signs in from the server card, sees the tools the policies give her and calls echo', async () => {
    const expected = await toolsListedFor('alice@example.com');
    expect(expected).toContain('echo');
    expect(expected).not.toContain('get-env'); // denied to everyone: the list below is the filtered one

    await withInspector(async (page, inspectorOrigin) => {
      await addGateway(page);
      await gatewayCard(page).getByRole('switch').click({ force: true });
      // The Inspector sends this tab to the gateway's /authorize: the consent page names it.
      await page.waitForURL((url) => url.href.startsWith(new URL('/authorize', stack().workerUrl).href));
      expect(await page.locator('main').innerText()).toContain('MCP Inspector');
      await screenshot(page, 'inspector-consent');
      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      await page.getByRole('button', { name: /alice@example\.com/ }).click();
      await page.waitForURL((url) => url.origin === inspectorOrigin);
      // Back from the sign-in, the Inspector finishes the authorization and connects on its own.
      await expect.poll(() => gatewayCard(page).innerText(), { timeout: 30_000 }).toMatch(/\bConnected\b/);

      await page.getByText('Tools', { exact: true }).first().click();
      await expect.poll(() => page.getByText(/^Tools \(\d+\)$/).innerText()).toBe(`Tools (${expected.length})`);
      const listed = await page.getByRole('button').allInnerTexts();
      for (const name of expected) expect(listed.some((text) => text.endsWith(`\n${name}`))).toBe(true);
      expect(listed.some((text) => text.endsWith('\nget-env'))).toBe(false);

      await page.getByRole('button', { name: /^Echo Tool/ }).click();
      await page.getByRole('textbox', { name: 'message' }).fill('from the Inspector web UI');
      await page.getByRole('button', { name: 'Execute Tool' }).click();
      await expect.poll(() => page.getByText('Echo: from the Inspector web UI').count()).toBe(1);
      await screenshot(page, 'inspector-echo');
    });
  });

  it('alice calling a tool that needs her confirmation gets the gateway’s question as a dialog; Submit runs it, Decline does not', async () => {
    await withInspector(async (page, inspectorOrigin) => {
      await addGateway(page);
      await gatewayCard(page).getByRole('switch').click({ force: true });
      await page.waitForURL((url) => url.href.startsWith(new URL('/authorize', stack().workerUrl).href));
      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      await page.getByRole('button', { name: /alice@example\.com/ }).click();
      await page.waitForURL((url) => url.origin === inspectorOrigin);
      await expect.poll(() => gatewayCard(page).innerText(), { timeout: 30_000 }).toMatch(/\bConnected\b/);

      // policies/tools.yaml: gzip-file-as-resource waits for the caller's confirmation (rule confirm-fetches).
      await page.getByText('Tools', { exact: true }).first().click();
      await page.getByRole('button', { name: /gzip-file-as-resource/ }).click();
      await page.getByRole('textbox', { name: 'data' }).fill('data:text/plain,hello');
      await page.getByRole('button', { name: 'Execute Tool' }).click();
      const dialog = page.getByRole('dialog');
      await expect
        .poll(() => dialog.innerText())
        .toContain('Run the tool "gzip-file-as-resource" with these arguments?');
      expect(await dialog.innerText()).toContain('data: "data:text/plain,hello"');
      expect(await dialog.innerText()).toContain('rule "confirm-fetches"');
      await screenshot(page, 'inspector-confirm');
      await dialog.getByRole('button', { name: 'Submit' }).click();
      await expect.poll(() => page.getByText('README.md.gz', { exact: true }).count()).toBeGreaterThan(0);

      // The same call again, declined: the Inspector shows the gateway's error and nothing ran.
      await page.locator('button:left-of(:text("Results"))').first().click();
      await page.getByRole('button', { name: 'Execute Tool' }).click();
      await dialog.getByRole('button', { name: 'Decline' }).click();
      await expect
        .poll(() =>
          page
            .getByText('Not run: you declined this call of "gzip-file-as-resource" (rule "confirm-fetches").')
            .count(),
        )
        .toBe(1);
    });
  });

  it('mallory, whom the Access policies refuse, sees the refusal page and the Inspector stays disconnected', async () => {
    await withInspector(async (page, inspectorOrigin) => {
      await addGateway(page);
      await gatewayCard(page).getByRole('switch').click({ force: true });
      await page.waitForURL((url) => url.href.startsWith(new URL('/authorize', stack().workerUrl).href));
      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      const refusal = page.waitForResponse(
        (response) => response.request().method() === 'POST' && response.status() === 403,
      );
      await page.getByRole('button', { name: /mallory@example\.com/ }).click();
      await refusal;
      expect(await page.locator('h1').innerText()).toMatch(/don.t have access/i);
      expect(await page.locator('main, body').first().innerText()).toContain('mallory@example.com');
      await screenshot(page, 'inspector-refusal');

      // No code ever came back to the Inspector, so its card is as it was: off.
      await page.goto(inspectorOrigin);
      expect(await gatewayCard(page).innerText()).toMatch(/\bDisconnected\b/);
      expect(await gatewayCard(page).getByRole('switch').isChecked()).toBe(false);
    });
  });
});
