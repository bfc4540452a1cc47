/**
 * Waiting on a file another process appends to (the attack servers' event logs), by its change
 * events rather than by polling on a timer. A change that lands while the file is being read is not
 * lost: the wait only sleeps when nothing changed since the last read.
 */
import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';

/**
 * Resolves with what `check` finds in the file's text, waiting for changes until it finds something.
 *
 * @example
 * ```ts
 * const started = await untilFileHas(events, (text) => text.includes('"slow-started"') || undefined);
 * ```
 */
export async function untilFileHas<Found>(file: string, check: (text: string) => Found | undefined): Promise<Found> {
  let changes = 0;
  let wake: (() => void) | undefined;
  const watcher = watch(file, () => {
    changes++;
    wake?.();
  });
  try {
    for (;;) {
      const seen = changes;
      const found = check(await readFile(file, 'utf8'));
      if (found !== undefined) return found;
      if (changes === seen) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    watcher.close();
  }
}
