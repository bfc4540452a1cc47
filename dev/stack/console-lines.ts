/**
 * What `npm run dev` shows of the Worker's output by default: one short line per audit
 * record, and wrangler's errors and warnings. Everything else waits for
 * SECURE_MCP_VERBOSE=1.
 */

interface AuditRecord {
  event: 'mcp_request';
  user?: { email?: string };
  httpMethod?: string;
  method?: string | null;
  target?: { kind: string; name: string } | null;
  decision?: string;
  rule?: string;
  outcome?: string;
  status?: number;
  latencyMs?: number;
}

interface DriftRecord {
  event: 'definition_drift';
  user?: { email?: string };
  kind?: string;
  name?: string;
  pinnedDigest?: string | null;
  observedDigest?: string | null;
  action?: string;
}

/** A line worth showing, tagged with where it comes from. */
export interface ConsoleLine {
  tag: 'audit' | 'sign-in' | 'worker';
  text: string;
}

/**
 * Turns a line of the Worker's output into what a developer should see, or undefined
 * to hide it.
 *
 * @example
 * ```ts
 * workerConsoleLine('{"event":"mcp_request","user":{"email":"bob@example.com"},"method":"tools/call",…}');
 * // { tag: 'audit', text: 'bob@example.com  tools/call get-env  deny (no-environment-dumps) -> denied, 200, 2 ms' }
 * ```
 */
export function workerConsoleLine(line: string): ConsoleLine | undefined {
  const drift = driftRecordIn(line);
  if (drift) {
    const short = (digest: string | null | undefined) => (digest ? `${digest.slice(0, 19)}…` : 'none');
    const text = `DEFINITION DRIFT  ${drift.kind ?? '?'} ${drift.name ?? '?'} ${drift.action ?? '?'} (pinned ${short(drift.pinnedDigest)}, offered ${short(drift.observedDigest)}; seen by ${drift.user?.email ?? '?'}): npm run policy -- pin, then review`;
    return { tag: 'audit', text };
  }
  const record = auditRecordIn(line);
  if (record) {
    const what = [record.method ?? record.httpMethod ?? '?', record.target?.name].filter(Boolean).join(' ');
    const rule = record.rule ? ` (${record.rule})` : '';
    const text = `${record.user?.email ?? '?'}  ${what}  ${record.decision ?? '?'}${rule} -> ${record.outcome ?? '?'}, ${record.status ?? '?'}, ${record.latencyMs ?? '?'} ms`;
    return { tag: 'audit', text };
  }
  const refusal = signInRefusalIn(line);
  if (refusal) return { tag: 'sign-in', text: `refused by the Worker: ${refusal}` };
  return /\b(ERROR|WARNING)\b|✘|▲/.test(line) ? { tag: 'worker', text: line } : undefined;
}

function driftRecordIn(line: string): DriftRecord | undefined {
  const start = line.indexOf('{');
  if (start === -1 || !line.includes('"definition_drift"')) return undefined;
  try {
    const value = JSON.parse(line.slice(start)) as { event?: unknown };
    return value.event === 'definition_drift' ? (value as DriftRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** The reason of a `sign_in.refused` line (an id_token the Worker would not accept), if this is one. */
function signInRefusalIn(line: string): string | undefined {
  const start = line.indexOf('{');
  if (start === -1 || !line.includes('"sign_in.refused"')) return undefined;
  try {
    const value = JSON.parse(line.slice(start)) as { event?: unknown; reason?: unknown };
    return value.event === 'sign_in.refused' && typeof value.reason === 'string' ? value.reason : undefined;
  } catch {
    return undefined;
  }
}

function auditRecordIn(line: string): AuditRecord | undefined {
  const start = line.indexOf('{');
  if (start === -1 || !line.includes('"mcp_request"')) return undefined;
  try {
    const value = JSON.parse(line.slice(start)) as { event?: unknown };
    return value.event === 'mcp_request' ? (value as AuditRecord) : undefined;
  } catch {
    return undefined;
  }
}
