/**
 * The approval page in Debian's Chromium, driven by carol, the dev user of the approving group
 * `sre`: alice's call of `trigger-long-running-operation` (an SDK v1 client that shows links, as
 * URL-mode elicitation lets it) waits while carol signs in at the Access stand-in and approves or
 * denies it on the page; carol cannot approve her own call; a call nobody decided expires and the
 * page says so. Screenshots go to test-results/browser/ (the reviewed ones are in docs/screenshots/).
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ScriptedOAuthClient } from '../../dev/client/scripted-oauth-client.ts';
import { connectSignedIn } from '../e2e/connect-signed-in.ts';
import { startPrivateStack } from '../../dev/stack/private-stack.ts';
import { type BrowserTestStack, privateStackForBrowserTests } from './browser-stack.ts';
import { launchChromium, skipsWithoutChromium, type ChromiumSession } from './chromium.ts';
import { screenshot } from './screenshots.ts';

const TOOL = 'trigger-long-running-operation';
const stack = privateStackForBrowserTests({ workerVars: { APPROVAL_WAIT: '2m' } });

/**
 * A call of the group-approved tool by `email`, from a client that shows links: resolves `link`
 * with the approval page the gateway sends, and `result` with how the call ended.
 */
async function waitingCall(on: BrowserTestStack, email: string, duration: number) {
  let shown!: (url: string) => void;
  const link = new Promise<string>((resolve) => (shown = resolve));
  // The OAuth client registers as "Acme Desktop": the name the approval page shows for it.
  const oauth = new ScriptedOAuthClient(email, 'Acme Desktop');
  const { client } = await connectSignedIn(oauth, {
    newClient: () => {
      const desktop = new Client(
        { name: 'acme-desktop', version: '1.0.0' },
        { capabilities: { elicitation: { url: {} } } },
      );
      desktop.setRequestHandler(ElicitRequestSchema, async (request) => {
        shown(String((request.params as { url?: string }).url));
        return { action: 'accept' };
      });
      return desktop;
    },
    newTransport: () => new StreamableHTTPClientTransport(new URL(on.mcpUrl), { authProvider: oauth }),
  });
  const result = client
    .callTool({ name: TOOL, arguments: { duration, steps: 1 } }, undefined, { timeout: 120_000 })
    .then(
      (answer) => ({ ok: true as const, answer }),
      (error: { code?: number; message?: string }) => ({
        ok: false as const,
        code: error.code,
        message: error.message,
      }),
    );
  return { client, link, result };
}

/** Opens the approval page in a fresh Chromium and signs in at the Access stand-in as `email`. */
async function openAs(email: string, url: string): Promise<{ page: Page; browser: ChromiumSession }> {
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: new RegExp(email.replace(/[.@]/g, '\\$&')) }).click();
  await page.waitForURL((current) => current.pathname.startsWith('/approvals'));
  return { page, browser };
}

describe.skipIf(skipsWithoutChromium())('the approval page in a browser', () => {
  it('carol approves alice’s call: the page shows who asks, what and through which client; the call runs', async () => {
    const call = await waitingCall(stack(), 'alice@example.com', 0.201);
    const { page, browser } = await openAs('carol@example.com', await call.link);
    try {
      const main = page.locator('main');
      expect(await page.locator('h1').innerText()).toBe(`Approve a call of "${TOOL}"?`);
      const details = await main.innerText();
      expect(details).toContain('Alice Example <alice@example.com>');
      expect(details).toContain('duration: 0.201');
      expect(details).toContain('Acme Desktop');
      expect(details).toContain('long-operations-need-sre');
      expect(details).toContain('Waiting for a decision');
      await screenshot(page, 'approval-page');

      await page.getByRole('button', { name: 'Approve' }).click();
      await expect.poll(() => main.innerText()).toContain('Approved by carol@example.com');
      await screenshot(page, 'approval-approved');
      const result = await call.result;
      expect(result.ok).toBe(true);
    } finally {
      await browser.close();
      await call.client.close();
    }
  });

  it('carol denies: alice’s call ends with an error naming her, and never runs', async () => {
    const call = await waitingCall(stack(), 'alice@example.com', 0.202);
    const { page, browser } = await openAs('carol@example.com', await call.link);
    try {
      await page.getByRole('button', { name: 'Deny' }).click();
      await expect.poll(() => page.locator('main').innerText()).toContain('Denied by carol@example.com');
      await screenshot(page, 'approval-denied');
      expect(await call.result).toMatchObject({
        ok: false,
        code: -32004,
        message: expect.stringContaining(`carol@example.com denied this call of "${TOOL}"`),
      });
    } finally {
      await browser.close();
      await call.client.close();
    }
  });

  it('carol cannot approve her own call: no buttons, and the page says whom to ask', async () => {
    const call = await waitingCall(stack(), 'carol@example.com', 0.203);
    const { page, browser } = await openAs('carol@example.com', await call.link);
    try {
      const main = await page.locator('main').innerText();
      expect(main).toContain('You cannot approve your own call.');
      expect(main).toContain("Send this page's address to someone in the group sre");
      expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
      await screenshot(page, 'approval-own-call');

      // The list of waiting calls shows it too, marked as hers.
      await page.goto(new URL('/approvals', stack().workerUrl).href);
      expect(await page.locator('main').innerText()).toContain(`${TOOL} by carol@example.com (you)`);
      await screenshot(page, 'approvals-list');
    } finally {
      await browser.close();
      await call.client.close();
    }
  });

  it('a call nobody decides expires: the client gets the expiry, the page says it did not run', async () => {
    const short = await startPrivateStack({ workerVars: { APPROVAL_WAIT: '3s' } });
    const call = await waitingCall(short, 'alice@example.com', 0.204);
    try {
      const link = await call.link;
      expect(await call.result).toMatchObject({
        ok: false,
        code: -32008,
        message: expect.stringContaining(
          `Not run: nobody in the group "sre" approved this call of "${TOOL}" (rule "long-operations-need-sre") within 3 seconds.`,
        ),
      });
      const { page, browser } = await openAs('carol@example.com', link);
      try {
        const main = await page.locator('main').innerText();
        expect(main).toContain('Expired');
        expect(main).toContain('nobody decided in time; the call did not run');
        expect(await page.getByRole('button', { name: 'Approve' }).count()).toBe(0);
        await screenshot(page, 'approval-expired');
      } finally {
        await browser.close();
      }
    } finally {
      await call.client.close();
      await short.cleanup();
    }
  });
});
