/**
 * Every endpoint answers an oversized or unread body with its 4xx, not a reset connection
 * (second review, item 7). When a Worker answers while the client is still uploading, and the body
 * was cancelled half-read or never read, the runtime drops the connection under the client: the
 * client sees ECONNRESET (through `wrangler dev`, sometimes a 500 from its proxy) instead of the 401
 * or 413 it was sent. A bare Worker that never touches the body is fine; ours reads bodies within
 * bounds (the policy gate, the credential checks, the provider's registration) and cancels the rest.
 *
 * So the request every part of the Worker sees carries a body that, when cancelled, reads the rest of
 * the upload and throws it away; and a body nobody read is read to its end before the answer leaves.
 * Memory stays bounded (nothing is kept); the upload itself is bounded by Cloudflare's request size
 * limit (100 MB on most plans, https://developers.cloudflare.com/workers/platform/limits/#request-limits).
 */

/**
 * The request to hand on, and `finish()` to await before answering.
 *
 * @example
 * ```ts
 * const { request: bounded, finish } = drainingRequest(request);
 * const response = await handler.fetch(bounded, env, ctx);
 * await finish();
 * return response;
 * ```
 */
export function drainingRequest(request: Request): { request: Request; finish: () => Promise<void> } {
  if (!request.body) return { request, finish: () => Promise.resolve() };
  const source = (request.body as ReadableStream<Uint8Array>).getReader();
  let ended = false;
  let read = false;
  const drain = async () => {
    try {
      while (!ended) if ((await source.read()).done) ended = true;
    } catch {
      ended = true; // the client went away: nothing left to read
    }
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        read = true;
        const chunk = await source.read();
        if (chunk.done) {
          ended = true;
          controller.close();
        } else controller.enqueue(chunk.value);
      },
      cancel: drain,
    },
    { highWaterMark: 0 },
  );
  return {
    request: new Request(request, { method: request.method, body }),
    // A reader that stopped without cancelling owns what is left; a body nobody read is drained here.
    finish: () => (read ? Promise.resolve() : drain()),
  };
}
