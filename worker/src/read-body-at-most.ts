/**
 * Reads a request body up to `maxBytes` and stops reading, rather than buffering, as
 * soon as it passes the bound: an oversized body costs at most `maxBytes` of memory.
 *
 * @returns the bytes, or `undefined` when the body is larger than `maxBytes`.
 * @example
 * ```ts
 * const bytes = await readBodyAtMost(request, 64 * 1024);
 * if (!bytes) return new Response('Too large', { status: 413 });
 * ```
 */
export async function readBodyAtMost(request: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  // workers-types leaves a body's chunk type open (`any`); the runtime's bodies are byte streams.
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
