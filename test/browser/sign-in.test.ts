/**
 * A person signs in with a real browser (Debian's Chromium): the consent page names the
 * client and its redirect URI, the Access stand-in signs them in, and the browser lands
 * back in the client; denying ends in the client with `access_denied`; a person the
 * Access policies refuse sees the refusal page. Screenshots go to test-results/browser/.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { privateStackForBrowserTests } from './browser-stack.ts';
import { launchChromium, skipsWithoutChromium, type ChromiumSession } from './chromium.ts';
import { LoopbackClient, SIGNED_IN_TITLE, SIGN_IN_FAILED_TITLE } from './loopback-client.ts';
import { screenshot } from './screenshots.ts';

const CLIENT_NAME = 'Acme Desktop';

const stack = privateStackForBrowserTests();

/** One browser and one client per test, so no cookie or remembered consent carries over. */
async function withBrowserAndClient(run: (page: Page, client: LoopbackClient) => Promise<void>): Promise<void> {
  const client = await LoopbackClient.start(stack().mcpUrl, CLIENT_NAME);
  let browser: ChromiumSession | undefined;
  try {
    browser = await launchChromium();
    await run(await browser.context.newPage(), client);
  } finally {
    await browser?.close();
    await client.close();
  }
}

describe.skipIf(skipsWithoutChromium())('signing in with a browser', () => {
  it('shows the client and its redirect URI, signs in at Access and lands back in the client', async () => {
    await withBrowserAndClient(async (page, client) => {
      await page.goto(await client.authorizationUrl());
      await expect.poll(() => page.title()).toContain(CLIENT_NAME);
      const consent = page.locator('main');
      expect(await consent.innerText()).toContain(CLIENT_NAME);
      expect(await consent.innerText()).toContain(client.redirectUrl);
      await screenshot(page, 'consent-page');

      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      await page.getByRole('button', { name: /alice@example\.com/ }).click();
      await page.waitForURL((url) => url.href.startsWith(client.redirectUrl));
      expect(await page.title()).toBe(SIGNED_IN_TITLE);

      const callback = await client.callback;
      expect(callback.error).toBeNull();
      expect(callback.state).toBe(client.sentState);
      // The client's token is the person's: the native whoami tool answers with who signed in.
      const tokens = await client.exchange(callback.code!);
      const mcp = new Client({ name: 'browser-test', version: '1.0.0' });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL('/mcp/native', stack().workerUrl), {
          requestInit: { headers: { Authorization: `Bearer ${tokens.access_token}` } },
        }),
      );
      try {
        const whoami = await mcp.callTool({ name: 'whoami', arguments: {} });
        expect(whoami.structuredContent).toMatchObject({ email: 'alice@example.com' });
      } finally {
        await mcp.close();
      }
    });
  });

  it('denying sends the client an access_denied error and no code', async () => {
    await withBrowserAndClient(async (page, client) => {
      await page.goto(await client.authorizationUrl());
      await page.getByRole('button', { name: 'Deny' }).click();
      await page.waitForURL((url) => url.href.startsWith(client.redirectUrl));
      expect(await page.title()).toBe(SIGN_IN_FAILED_TITLE);
      const callback = await client.callback;
      expect(callback.error).toBe('access_denied');
      expect(callback.code).toBeNull();
    });
  });

  it('a person the Access policies refuse sees the refusal page and the client gets nothing', async () => {
    await withBrowserAndClient(async (page, client) => {
      await page.goto(await client.authorizationUrl());
      await page.getByRole('button', { name: 'Allow and sign in' }).click();
      const refusal = page.waitForResponse(
        (response) => response.request().method() === 'POST' && response.status() === 403,
      );
      await page.getByRole('button', { name: /mallory@example\.com/ }).click();
      await refusal;
      expect(await page.locator('h1').innerText()).toMatch(/don.t have access/i);
      expect(await page.locator('main, body').first().innerText()).toContain('mallory@example.com');
      await screenshot(page, 'refusal-page');
      expect(client.callbackArrived).toBe(false);
    });
  });
});
