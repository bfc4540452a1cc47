/**
 * A revoked person's open work ends (docs/security.md 19): their GET and SSE streams, and calls
 * still running, are cut when they are revoked, not when the stream happens to close.
 *
 * Each forwarded request looks at the revocation mark every `pollMs` while it is open. Workers do
 * not let one request touch another's streams or promises, so the revoking request cannot end them
 * itself; but it leaves the mark in this isolate's memory, so here work ends on the next look, and
 * in other isolates once the mark's memory there expires (5 s) and KV has carried it (up to about a
 * minute). Looks are cheap: the mark's reads are remembered, so many streams cost one KV read per
 * user every few seconds.
 *
 * Cutting ends the MCP session at the server (`DELETE` with its `Mcp-Session-Id`: the bridge stops
 * that session's stdio server, and with it every call it runs; a dropped connection alone would not,
 * since Streamable HTTP says a disconnection is not a cancellation), aborts the request to the
 * server (a 2026-07-28 call, which has no session, is cancelled by that), and ends the client's
 * stream; a call still waiting for its answer gets `401 invalid_token`, and so does the next request.
 */
import type { UserProps } from '../config.ts';
import type { Upstream } from './upstream.ts';

/** How a {@link revocableUpstream} learns of a revocation. */
export interface RevocationWatch {
  /** Whether the grant behind this request has been revoked (the mark, as remembered or read). */
  isRevoked: () => Promise<boolean>;
  /** How often an open request looks. */
  pollMs: number;
  /** The answer when a request is cut before its server answered. */
  revokedResponse: () => Response;
}

/**
 * `upstream`, with every request it forwards cut when the person is revoked.
 *
 * @example
 * ```ts
 * const watched = revocableUpstream(upstream, { isRevoked, pollMs: 500, revokedResponse });
 * return watched.forward(request, user);
 * ```
 */
export function revocableUpstream(upstream: Upstream, watch: RevocationWatch): Upstream {
  return {
    async forward(request: Request, user: UserProps): Promise<Response> {
      const abort = new AbortController();
      let closeClientStream: (() => void) | undefined;
      let cut: Promise<void> | undefined;
      const endSession = async () => {
        const sessionId = request.headers.get('mcp-session-id');
        if (!sessionId) return;
        const headers = new Headers({ 'Mcp-Session-Id': sessionId });
        const version = request.headers.get('mcp-protocol-version');
        if (version) headers.set('Mcp-Protocol-Version', version);
        const ended = await upstream
          .forward(new Request(request.url, { method: 'DELETE', headers }), user)
          .catch(() => undefined);
        await ended?.body?.cancel().catch(() => {});
      };
      const timer = setInterval(() => {
        if (cut) return;
        watch.isRevoked().then(
          (revoked) => {
            if (!revoked || cut) return;
            clearInterval(timer);
            cut = endSession().finally(() => {
              abort.abort(new Error('revoked'));
              closeClientStream?.();
            });
          },
          () => {},
        );
      }, watch.pollMs);
      const stop = () => clearInterval(timer);

      let response: Response;
      try {
        response = await upstream.forward(
          new Request(request, { signal: AbortSignal.any([abort.signal, request.signal]) }),
          user,
        );
      } catch (error) {
        stop();
        if (!cut) throw error;
        await cut;
        return watch.revokedResponse();
      }
      if (cut) {
        await cut;
        await response.body?.cancel().catch(() => {});
        return watch.revokedResponse();
      }
      if (!response.body) {
        stop();
        return response;
      }
      const reader = response.body.getReader();
      let closed = false;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          closeClientStream = () => {
            void reader.cancel().catch(() => {});
            if (closed) return;
            closed = true;
            controller.close();
          };
        },
        async pull(controller) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (error) {
            stop();
            if (closed) return;
            closed = true;
            if (abort.signal.aborted) controller.close();
            else controller.error(error);
            return;
          }
          if (closed) return;
          if (chunk.done) {
            stop();
            closed = true;
            controller.close();
          } else controller.enqueue(chunk.value);
        },
        cancel(reason) {
          stop();
          closed = true;
          return reader.cancel(reason);
        },
      });
      return new Response(body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    },
  };
}
