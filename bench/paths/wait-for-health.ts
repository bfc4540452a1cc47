/**
 * Polls `url` until it answers 2xx; throws when `exited()` turns true or time runs out.
 *
 * @example
 * ```ts
 * await waitForHealth('http://127.0.0.1:8790/healthz', () => child.exitCode !== null, 20_000);
 * ```
 */
export async function waitForHealth(url: string, exited: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('the process exited');
    const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no answer at ${url} within ${timeoutMs / 1000} s`);
}
