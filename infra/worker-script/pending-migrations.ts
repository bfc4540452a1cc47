/**
 * Which Durable Object migrations a Worker upload must carry, given the tag Cloudflare last
 * applied. Cloudflare applies a migration step once, and refuses an upload whose `old_tag` is
 * not the deployed tag (pulumi-cloudflare #1215), so an upload carries exactly the steps after
 * the deployed tag, or none: what wrangler 4.164 computes too (`getMigrationsToUpload`,
 * `node_modules/wrangler/wrangler-dist/cli.js` near line 172703). Pure.
 */

/** One migration step, oldest first in a history. */
export interface MigrationStep {
  tag: string;
  newSqliteClasses: string[];
}

/** The `migrations` field of a script upload's metadata (the API's multi-step form). */
export interface UploadMigrations {
  old_tag?: string;
  new_tag: string;
  steps: { new_sqlite_classes: string[] }[];
}

/**
 * The migrations to send, or `undefined` when the deployed tag is already the newest.
 *
 * @throws Error when the deployed tag is not in the history (a migration made outside this program).
 *
 * @example
 * ```ts
 * const history = [{ tag: 'v1', newSqliteClasses: ['McpContainer'] }, { tag: 'v2', newSqliteClasses: ['Audit'] }];
 * pendingMigrations(history, undefined); // { new_tag: 'v2', steps: [{ new_sqlite_classes: ['McpContainer'] }, { new_sqlite_classes: ['Audit'] }] }
 * pendingMigrations(history, 'v1');      // { old_tag: 'v1', new_tag: 'v2', steps: [{ new_sqlite_classes: ['Audit'] }] }
 * pendingMigrations(history, 'v2');      // undefined
 * ```
 */
export function pendingMigrations(
  history: readonly MigrationStep[],
  deployedTag: string | undefined,
): UploadMigrations | undefined {
  const newest = history.at(-1);
  if (!newest) return undefined;
  const tags = history.map((step) => step.tag);
  if (new Set(tags).size !== tags.length)
    throw new Error(`Durable Object migration tags must be unique: ${tags.join(', ')}`);
  const steps = (from: number) =>
    history.slice(from).map(({ newSqliteClasses }) => ({ new_sqlite_classes: [...newSqliteClasses] }));
  if (!deployedTag) return { new_tag: newest.tag, steps: steps(0) };
  const applied = tags.indexOf(deployedTag);
  if (applied === -1) {
    throw new Error(
      `The deployed Worker's Durable Object migration tag is "${deployedTag}", which is not in this program's history ` +
        `(${tags.join(', ')}). A migration was applied outside Pulumi; add it to DURABLE_OBJECT_MIGRATIONS (infra/mcp-worker.ts) before deploying.`,
    );
  }
  if (applied === history.length - 1) return undefined;
  return { old_tag: deployedTag, new_tag: newest.tag, steps: steps(applied + 1) };
}
