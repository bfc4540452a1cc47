/** Bounds on an MCP request body (docs/security.md 14). Generous for real tool calls, small enough to refuse abuse cheaply. */
export interface BodyLimits {
  /** Largest body, in bytes. */
  maxBytes: number;
  /** Most messages in one JSON-RPC batch. */
  maxBatch: number;
  /** Deepest nesting of JSON arrays and objects. */
  maxDepth: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 4 * 1024 * 1024, maxBatch: 32, maxDepth: 64 };
