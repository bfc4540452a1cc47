/** One line of the smoke verdict. */
export interface SmokeCheck {
  /** What was checked, as a person would say it. */
  name: string;
  ok: boolean;
  /** What was seen (on failure: what was expected instead, and what to look at). */
  detail: string;
}

/**
 * Runs one check, turning an exception into a failed check with its message.
 *
 * @example
 * ```ts
 * const check = await runCheck('tools/list answers', async () => `${tools.length} tools`);
 * ```
 */
export async function runCheck(name: string, body: () => Promise<string>): Promise<SmokeCheck> {
  try {
    return { name, ok: true, detail: await body() };
  } catch (error) {
    return { name, ok: false, detail: describe(error) };
  }
}

/** An error's message, with the network cause fetch hides behind "fetch failed" (ECONNREFUSED, ENOTFOUND, ...). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause ? `${error.message} (${cause.code ?? cause.message})` : error.message;
}

/** Throws `message` unless `condition` holds: a check's assertion. */
export function expectThat(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
