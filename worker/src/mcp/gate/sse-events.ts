/**
 * Rewrites a `text/event-stream` one event at a time: each complete event (ended by a
 * blank line) goes through `rewrite`, which gets the event's joined `data:` text and
 * returns new data, or `undefined` to leave the event byte-for-byte as it was. With
 * `heartbeatMs`, a comment (`: keepalive`) goes out whenever the stream has been quiet
 * that long: a server notices that its client went away only when it writes to it
 * (workerd's HTTP server cancels a request when kj's event port reports the socket hung up
 * or failed, `FdObserver::whenWriteDisconnected`, which a client's close brings about only
 * once something is sent to it), so an idle stream would otherwise hold its upstream
 * request, and with it a container, until the upstream itself writes.
 *
 * @example
 * ```ts
 * const body = rewriteSseEvents(response.body, (data) => (data.includes('"tools"') ? filtered(data) : undefined));
 * ```
 */
export function rewriteSseEvents(
  source: ReadableStream<Uint8Array>,
  rewrite: (data: string) => string | undefined,
  onEnd: (reason: 'complete' | 'cancelled' | 'failed') => void = () => {},
  options: { heartbeatMs?: number } = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let buffer = '';
  let ended = false;
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  const stopHeartbeat = () => {
    if (heartbeat !== undefined) clearTimeout(heartbeat);
  };
  const end = (reason: 'complete' | 'cancelled' | 'failed') => {
    stopHeartbeat();
    if (!ended) onEnd(reason);
    ended = true;
  };
  /** (Re)starts the quiet-time clock; output only ever stops at an event boundary, so a comment fits anywhere. */
  const quiet = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    if (options.heartbeatMs === undefined || ended) return;
    stopHeartbeat();
    heartbeat = setTimeout(() => {
      // A client that is not reading already has output waiting: that write tells, not another one.
      if ((controller.desiredSize ?? 0) > 0) controller.enqueue(encoder.encode(HEARTBEAT));
      quiet(controller);
    }, options.heartbeatMs);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      quiet(controller);
    },
    async pull(controller) {
      for (;;) {
        let chunk: Awaited<ReturnType<typeof reader.read>>;
        try {
          chunk = await reader.read();
        } catch (error) {
          end('failed');
          controller.error(error);
          return;
        }
        if (chunk.done) {
          buffer += decoder.decode();
          if (buffer.length > 0) controller.enqueue(encoder.encode(rewriteEvent(buffer, rewrite)));
          end('complete');
          controller.close();
          return;
        }
        // Only the new text (and the three characters before it) can hold a new boundary:
        // scanning the whole buffer each time would be quadratic in a large event.
        const scanFrom = Math.max(0, buffer.length - 3);
        buffer += decoder.decode(chunk.value, { stream: true });
        const boundary = lastEventBoundary(buffer, scanFrom);
        if (boundary === -1) continue;
        const complete = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary);
        controller.enqueue(
          encoder.encode(
            splitEvents(complete)
              .map((event) => rewriteEvent(event, rewrite))
              .join(''),
          ),
        );
        quiet(controller);
        return;
      }
    },
    async cancel(reason) {
      end('cancelled');
      await reader.cancel(reason);
    },
  });
}

/** An SSE comment: every client ignores it, and writing it tells whether the client is still there. */
const HEARTBEAT = ': keepalive\n\n';

/** The index just past the last blank line (`\n\n`, `\r\n\r\n` or `\r\r`) at or after `from`, or -1. */
function lastEventBoundary(text: string, from: number): number {
  const pattern = /\r\n\r\n|\n\n|\r\r/g;
  pattern.lastIndex = from;
  let end = -1;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) end = match.index + match[0].length;
  return end;
}

/** Events with their terminating blank line kept, so untouched events stay identical. */
function splitEvents(text: string): string[] {
  return text.match(/[\s\S]*?(?:\r\n\r\n|\n\n|\r\r)/g) ?? [text];
}

function rewriteEvent(event: string, rewrite: (data: string) => string | undefined): string {
  const lines = event.split(/\r\n|\n|\r/);
  const dataLines = lines.filter((line) => line.startsWith('data:'));
  if (dataLines.length === 0) return event;
  const data = dataLines.map((line) => line.slice(line.startsWith('data: ') ? 6 : 5)).join('\n');
  const replaced = rewrite(data);
  if (replaced === undefined) return event;
  const others = lines.filter((line) => line !== '' && !line.startsWith('data:'));
  return [...others, ...replaced.split('\n').map((line) => `data: ${line}`)].join('\n') + '\n\n';
}

/**
 * The joined `data:` text of each event of a whole `text/event-stream` body.
 *
 * @example
 * ```ts
 * sseEventData('event: message\ndata: {"id":1}\n\n'); // ['{"id":1}']
 * ```
 */
export function sseEventData(text: string): string[] {
  return splitEvents(/(\r\n\r\n|\n\n|\r\r)$/.test(text) ? text : `${text}\n\n`).flatMap((event) => {
    const data = event
      .split(/\r\n|\n|\r/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(line.startsWith('data: ') ? 6 : 5));
    return data.length > 0 ? [data.join('\n')] : [];
  });
}
