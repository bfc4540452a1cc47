/**
 * The bridge's bounds and timings, with defaults that suit one user's container.
 */

/** Bounds on what one bridge accepts and how long it waits. */
export interface BridgeLimits {
  /** Largest request body, in bytes (413 above). */
  maxRequestBodyBytes: number;
  /** Largest result the stdio server may send for one request, in bytes of JSON (JSON-RPC error above). */
  maxResponseBytes: number;
  /** Longest a request may wait for the stdio server (JSON-RPC error, and `notifications/cancelled` to the server). */
  requestTimeoutMs: number;
  /** Most POST requests handled at once (503 above). */
  maxConcurrentRequests: number;
  /** Most POST requests of one user handled at once (429 above): one user cannot take every slot. */
  maxConcurrentRequestsPerUser: number;
  /** Most stdio server processes at once, across sessions and users. */
  maxChildren: number;
  /**
   * Most sessions one user holds at once. A new session beyond it, or beyond `maxChildren`, reclaims
   * the user's least recently used idle session (no request in flight; one with no stream open
   * first), then anyone's; when every session has a request in flight, the new one is refused with
   * a clear error.
   */
  maxSessionsPerUser: number;
  /** A session or shared child without any request for this long is stopped. */
  idleMs: number;
  /** On SIGTERM, how long requests in flight may still finish before everything is stopped. */
  drainMs: number;
  /** First restart delay of a shared child after it exits; doubles per failure in a row. */
  restartBackoffMs: number;
  /** Interval of keep-alive comments on old HTTP+SSE streams. */
  sseKeepAliveMs: number;
  /** Longest restart delay. */
  maxRestartBackoffMs: number;
  /** A shared child that ran this long before exiting starts again without delay. */
  healthyAfterMs: number;
}

/**
 * Defaults. The drain time is far below the 15 minutes Cloudflare Containers allow between SIGTERM
 * and SIGKILL, and a stop for `sleepAfter` sends SIGTERM without any SIGKILL: a bridge that took
 * longer would only keep an idle container billed.
 */
export const DEFAULT_LIMITS: BridgeLimits = {
  maxRequestBodyBytes: 1024 * 1024,
  maxResponseBytes: 8 * 1024 * 1024,
  requestTimeoutMs: 120_000,
  maxConcurrentRequests: 64,
  maxConcurrentRequestsPerUser: 32,
  maxChildren: 16,
  maxSessionsPerUser: 8,
  idleMs: 15 * 60_000,
  drainMs: 30_000,
  sseKeepAliveMs: 5_000,
  restartBackoffMs: 250,
  maxRestartBackoffMs: 30_000,
  healthyAfterMs: 30_000,
};
