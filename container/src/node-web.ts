/**
 * Between Node's `http` objects and the web-standard `Request`/`Response` the SDK v2 handlers use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A web `Request` for a Node request whose body has already been read.
 *
 * @example
 * ```ts
 * const response = await handler.fetch(webRequest(request, body));
 * ```
 */
export function webRequest(request: IncomingMessage, body: Buffer | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  const hasBody = body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
  return new Request(url, { method: request.method, headers, ...(hasBody ? { body: new Uint8Array(body) } : {}) });
}

/** Writes a web `Response` to a Node response, streaming its body (SSE works). */
export async function sendWebResponse(response: Response, target: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  target.writeHead(response.status, headers);
  if (!response.body) return void target.end();
  const body = Readable.fromWeb(response.body);
  // The client went away: stop reading, so the handler sees its stream cancelled.
  target.on('close', () => body.destroy());
  body.pipe(target);
  await new Promise<void>((resolve) => {
    target.on('close', resolve);
    body.on('error', resolve);
  });
}

/**
 * Reads a request body up to `maxBytes`; resolves `undefined` when it is larger (the rest is drained,
 * so the connection can still carry the refusal).
 */
export function readBoundedBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    });
    request.once('end', () => resolve(size > maxBytes ? undefined : Buffer.concat(chunks)));
    request.once('error', reject);
  });
}
