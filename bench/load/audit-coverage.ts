/** The fields of an audit record (docs/audit.md) the load test checks. */
export interface AuditLine {
  event: 'mcp_request';
  method: string | null;
  target: { kind: string; name: string } | null;
  outcome: string;
  argumentsDigest: string | null;
}

/** How the audit log covers the tool calls a run made. */
export interface AuditCoverage {
  /** Tool calls the run made. */
  calls: number;
  /** `tools/call` records of the calls' tool found in the log. */
  records: number;
  /** Calls with no record. */
  missing: number;
  /** Calls with more than one record (counted once per call). */
  duplicated: number;
  /** Records whose digest matches no call of the run. */
  unexpected: number;
}

/**
 * Reads an audit record out of one line of the Worker's output; `undefined` for any other line. Pure.
 *
 * @example
 * ```ts
 * parseAuditLine('{"event":"mcp_request","method":"tools/call",...}');
 * ```
 */
export function parseAuditLine(line: string): AuditLine | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const record = JSON.parse(line) as Partial<AuditLine>;
    return record.event === 'mcp_request' ? (record as AuditLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Matches the calls a run made (each identified by the digest of its unique arguments)
 * against the `tools/call` records of `tool`: every call must appear exactly once. Pure.
 *
 * @example
 * ```ts
 * const coverage = auditCoverage(['sha256:a', 'sha256:b'], records, 'echo');
 * const exact = coverage.missing === 0 && coverage.duplicated === 0 && coverage.unexpected === 0;
 * ```
 */
export function auditCoverage(
  callDigests: readonly string[],
  records: readonly AuditLine[],
  tool: string,
): AuditCoverage {
  const seen = new Map<string, number>();
  let recordCount = 0;
  for (const record of records) {
    if (record.method !== 'tools/call' || record.target?.name !== tool || record.argumentsDigest === null) continue;
    recordCount += 1;
    seen.set(record.argumentsDigest, (seen.get(record.argumentsDigest) ?? 0) + 1);
  }
  const expected = new Set(callDigests);
  if (expected.size !== callDigests.length) throw new Error('every call of the run needs arguments of its own');
  let missing = 0;
  let duplicated = 0;
  for (const digest of callDigests) {
    const count = seen.get(digest) ?? 0;
    if (count === 0) missing += 1;
    if (count > 1) duplicated += 1;
  }
  let unexpected = 0;
  for (const [digest, count] of seen) if (!expected.has(digest)) unexpected += count;
  return { calls: callDigests.length, records: recordCount, missing, duplicated, unexpected };
}
