import { describe, expect, it } from 'vitest';
import { rewriteSseEvents } from './sse-events.ts';

/** A stream that delivers `text` in pieces of `size` bytes, so events arrive split anywhere. */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

const upper = (data: string) => (data.includes('rewrite') ? data.toUpperCase() : undefined);

describe('rewriteSseEvents', () => {
  it.each([1, 3, 7, 1000])(
    'rewrites whole events however the bytes are split (%i-byte chunks), and keeps the others byte for byte',
    async (size) => {
      const source =
        'event: message\nid: 1\ndata: keep {"é": 1}\n\n: comment\n\nid: 2\ndata: rewrite me\n\ndata: tail without blank line';
      let ended: string | undefined;
      const text = await new Response(
        rewriteSseEvents(chunked(source, size), upper, (reason) => (ended = reason)),
      ).text();
      expect(text).toBe(
        'event: message\nid: 1\ndata: keep {"é": 1}\n\n: comment\n\nid: 2\ndata: REWRITE ME\n\ndata: tail without blank line',
      );
      expect(ended).toBe('complete');
    },
  );

  it('joins multi-line data and understands CRLF line ends', async () => {
    const seen: string[] = [];
    const source = 'data: {"a":\r\ndata: 1}\r\n\r\n';
    await new Response(rewriteSseEvents(chunked(source, 4), (data) => (seen.push(data), undefined))).text();
    expect(seen).toEqual(['{"a":\n1}']);
  });

  it('writes a comment whenever the source is quiet for heartbeatMs, and passes the next event untouched', async () => {
    let send: (text: string) => void = () => {};
    const quiet = new ReadableStream<Uint8Array>({
      start: (controller) => {
        send = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const reader = rewriteSseEvents(quiet, () => undefined, undefined, { heartbeatMs: 10 }).getReader();
    const decoder = new TextDecoder();
    const next = async () => decoder.decode((await reader.read()).value);

    send('data: first\n\n');
    expect(await next()).toBe('data: first\n\n');
    // Nothing more comes from the source: only the heartbeat can end this read.
    expect(await next()).toBe(': keepalive\n\n');
    expect(await next()).toBe(': keepalive\n\n');
    send('data: second\n\n');
    let text = await next();
    while (text === ': keepalive\n\n') text = await next();
    expect(text).toBe('data: second\n\n');
    await reader.cancel();
  });

  it('tells when the client cancels the stream', async () => {
    let ended: string | undefined;
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode('data: x\n\n')),
    });
    const stream = rewriteSseEvents(
      endless,
      () => undefined,
      (reason) => (ended = reason),
    );
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(ended).toBe('cancelled');
  });
});
