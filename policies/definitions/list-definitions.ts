/**
 * Asks a stdio MCP server for everything it offers, the way the gateway will see it: raw
 * JSON-RPC over stdio (no SDK in between that could drop or reorder a field), as a client that
 * declares every capability, so tools a server offers only to such clients are listed too.
 * Node only; used by `npm run policy -- pin`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The raw list entries the server answered with, per list. */
export interface ServerDefinitions {
  tools: Record<string, unknown>[];
  resourceTemplates: Record<string, unknown>[];
  prompts: Record<string, unknown>[];
  resources: Record<string, unknown>[];
}

const PROTOCOL_VERSION = '2025-11-25';

/**
 * Starts `command`, initializes, lists tools, resource templates, prompts and resources (every
 * page), and stops the server. Lists the server does not offer come back empty.
 *
 * @throws Error when the server exits early, answers initialize with an error, or takes longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * const offered = await listServerDefinitions(['node', 'server.js', 'stdio']);
 * offered.tools.map((tool) => tool.name); // ['echo', …]
 * ```
 */
export async function listServerDefinitions(command: string[], timeoutMs = 30_000): Promise<ServerDefinitions> {
  const [file, ...args] = command;
  if (!file) throw new Error('no server command');
  const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  child.on('error', (error) => failAll(error));
  child.on('exit', (code, signal) =>
    failAll(new Error(`the server exited (${signal ?? code}) before it answered${stderr ? `: ${stderr.trim()}` : ''}`)),
  );
  createInterface({ input: child.stdout }).on('line', (line) => {
    let message: { id?: number | string; method?: string; result?: unknown; error?: { message?: string } };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      return; // a server's stray log line on stdout
    }
    if (message.method !== undefined) {
      // A request from the server (roots, sampling, elicitation): answer so it does not wait.
      if (message.id === undefined) return;
      if (message.method === 'roots/list') send({ jsonrpc: '2.0', id: message.id, result: { roots: [] } });
      else send({ jsonrpc: '2.0', id: message.id, error: { code: -32601, message: 'not available while pinning' } });
      return;
    }
    const waiter = typeof message.id === 'number' ? pending.get(message.id) : undefined;
    if (!waiter) return;
    pending.delete(message.id as number);
    if (message.error) waiter.reject(new Error(message.error.message ?? 'error'));
    else waiter.resolve(message.result);
  });
  let nextId = 1;
  const request = (method: string, params?: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    });
  const timer = setTimeout(() => failAll(new Error(`the server did not answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const initialized = (await request('initialize', {
      protocolVersion: PROTOCOL_VERSION,
      capabilities: {
        roots: { listChanged: true },
        sampling: {},
        elicitation: { form: {}, url: {} },
        tasks: { requests: { sampling: { createMessage: {} }, elicitation: { create: {} } } },
      },
      clientInfo: { name: 'secure-mcp-pin', version: '1' },
    })) as { capabilities?: Record<string, unknown> };
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    // Servers register capability-dependent tools when initialized arrives; a ping answered means it was handled.
    await request('ping');
    const offers = initialized.capabilities ?? {};
    const all = async (method: string, key: string) => {
      const entries: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = (await request(method, cursor ? { cursor } : {})) as Record<string, unknown>;
        const list = page[key];
        if (Array.isArray(list)) entries.push(...(list as Record<string, unknown>[]));
        cursor = typeof page.nextCursor === 'string' ? page.nextCursor : undefined;
      } while (cursor);
      return entries;
    };
    return {
      tools: offers.tools ? await all('tools/list', 'tools') : [],
      resourceTemplates: offers.resources ? await all('resources/templates/list', 'resourceTemplates') : [],
      prompts: offers.prompts ? await all('prompts/list', 'prompts') : [],
      resources: offers.resources ? await all('resources/list', 'resources') : [],
    };
  } finally {
    clearTimeout(timer);
    child.removeAllListeners('exit');
    child.stdin.end();
    child.kill();
  }
}
