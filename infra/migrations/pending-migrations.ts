/**
 * Which Durable Object migrations a new Worker version must carry, given the tag Cloudflare
 * last applied. Cloudflare applies a migration step once, and refuses a version whose `oldTag`
 * is not the deployed tag (pulumi-cloudflare #1215), so a version carries exactly the steps
 * after the deployed tag, or none. Pure.
 */

/** One migration step, oldest first in a history. */
export interface MigrationStep {
  tag: string;
  newSqliteClasses: string[];
}

/** The `migrations` input of a Worker version. */
export interface VersionMigrations {
  oldTag?: string;
  newTag: string;
  steps: { newSqliteClasses: string[] }[];
}

/**
 * The migrations to send, or `undefined` when the deployed tag is already the newest.
 *
 * @throws Error when the deployed tag is not in the history (a migration made outside this program).
 *
 * @example
 * ```ts
 * const history = [{ tag: 'v1', newSqliteClasses: ['McpContainer'] }, { tag: 'v2', newSqliteClasses: ['Audit'] }];
 * pendingMigrations(history, undefined); // { newTag: 'v2', steps: [{ newSqliteClasses: ['McpContainer'] }, { newSqliteClasses: ['Audit'] }] }
 * pendingMigrations(history, 'v1');      // { oldTag: 'v1', newTag: 'v2', steps: [{ newSqliteClasses: ['Audit'] }] }
 * pendingMigrations(history, 'v2');      // undefined
 * ```
 */
export function pendingMigrations(
  history: readonly MigrationStep[],
  deployedTag: string | undefined,
): VersionMigrations | undefined {
  const newest = history.at(-1);
  if (!newest) throw new Error('A Durable Object class needs at least one migration that creates it.');
  const tags = history.map((step) => step.tag);
  if (new Set(tags).size !== tags.length)
    throw new Error(`Durable Object migration tags must be unique: ${tags.join(', ')}`);
  if (!deployedTag) return { newTag: newest.tag, steps: history.map(({ newSqliteClasses }) => ({ newSqliteClasses })) };
  const applied = tags.indexOf(deployedTag);
  if (applied === -1) {
    throw new Error(
      `The deployed Worker's Durable Object migration tag is "${deployedTag}", which is not in this program's history ` +
        `(${tags.join(', ')}). A migration was applied outside Pulumi; add it to the history (infra/mcp-container.ts) before deploying.`,
    );
  }
  const pending = history.slice(applied + 1);
  if (pending.length === 0) return undefined;
  return {
    oldTag: deployedTag,
    newTag: newest.tag,
    steps: pending.map(({ newSqliteClasses }) => ({ newSqliteClasses })),
  };
}
