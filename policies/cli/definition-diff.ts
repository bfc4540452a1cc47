/**
 * What changed in the pinned definitions between two revisions of `inventory.yaml`, in words a
 * reviewer reads: a new or removed tool, resource template or prompt, and for a changed one its
 * description and argument names before and after, so a poisoned description shows in the pull
 * request. A new or changed definition counts as widening: the digest cannot say whether a
 * schema grew or shrank, so a person must look. Pure.
 */
import { pinnedDefinitions } from '../definitions/inventory-pins.ts';
import type { Inventory } from '../load/schemas.ts';
import type { DefinitionKind, PinnedDefinition } from '../model/pinned-definition.ts';

/** One definition that is new, gone or different. */
export interface DefinitionChange {
  kind: DefinitionKind;
  key: string;
  change: 'added' | 'removed' | 'changed';
  before?: PinnedDefinition;
  after?: PinnedDefinition;
  widened: boolean;
}

const KIND_WORDS: Record<DefinitionKind, string> = {
  tool: 'tool',
  resourceTemplate: 'resource template',
  prompt: 'prompt',
};

/**
 * The changes from `before` to `after`, tools first, each kind in key order.
 *
 * @example
 * ```ts
 * diffDefinitions(before.inventory, after.inventory);
 * // [{ kind: 'tool', key: 'echo', change: 'changed', before: {…}, after: {…}, widened: true }]
 * ```
 */
export function diffDefinitions(before: Inventory | undefined, after: Inventory | undefined): DefinitionChange[] {
  const was = before ? pinnedDefinitions(before) : undefined;
  const now = after ? pinnedDefinitions(after) : undefined;
  const changes: DefinitionChange[] = [];
  for (const kind of ['tool', 'resourceTemplate', 'prompt'] as const) {
    const old = new Map((was?.[kind] ?? []).map((pin) => [pin.key, pin]));
    const current = new Map((now?.[kind] ?? []).map((pin) => [pin.key, pin]));
    for (const key of [...new Set([...old.keys(), ...current.keys()])].sort()) {
      const a = old.get(key);
      const b = current.get(key);
      if (a && b && a.digest === b.digest) continue;
      const change = !a ? 'added' : !b ? 'removed' : 'changed';
      changes.push({ kind, key, change, ...(a ? { before: a } : {}), ...(b ? { after: b } : {}), widened: !!b });
    }
  }
  return changes;
}

/**
 * The changes as text lines or as a Markdown section for a pull-request comment.
 *
 * @example
 * ```ts
 * renderDefinitionChanges(changes, 'text');
 * // ['WIDENED   tool echo: definition changed (sha256:7f44… -> sha256:0c1d…)', '  description before: Echoes back the input string', …]
 * ```
 */
export function renderDefinitionChanges(changes: DefinitionChange[], format: 'markdown' | 'text'): string[] {
  if (changes.length === 0) return [];
  const short = (digest: string | undefined) => (digest ? `${digest.slice(0, 16)}…` : '');
  const headline = (change: DefinitionChange, name = (key: string) => key) => {
    const what = `${KIND_WORDS[change.kind]} ${name(change.key)}`;
    if (change.change === 'added') return `${what}: new definition (${short(change.after?.digest)})`;
    if (change.change === 'removed') return `${what}: no longer offered`;
    return `${what}: definition changed (${short(change.before?.digest)} -> ${short(change.after?.digest)})`;
  };
  const details = (change: DefinitionChange): Array<[string, string]> => {
    const rows: Array<[string, string]> = [];
    const { before, after } = change;
    const args = (pin: PinnedDefinition | undefined) => `[${(pin?.arguments ?? []).join(', ')}]`;
    if (change.change === 'changed') {
      if (before?.title !== after?.title)
        rows.push(['title', `${before?.title ?? '(none)'} -> ${after?.title ?? '(none)'}`]);
      if (before?.description !== after?.description) {
        rows.push(['description before', before?.description ?? '(none)']);
        rows.push(['description after', after?.description ?? '(none)']);
      }
      if (args(before) !== args(after)) rows.push(['arguments', `${args(before)} -> ${args(after)}`]);
      if (rows.length === 0)
        rows.push(['', 'same title, description and argument names: the schema, annotations or other fields changed']);
    } else if (change.change === 'added') {
      if (after?.title) rows.push(['title', after.title]);
      rows.push(['description', after?.description ?? '(none)']);
      if (after?.arguments) rows.push(['arguments', args(after)]);
    }
    return rows;
  };
  if (format === 'text') {
    return [
      `${changes.length} pinned definition(s) changed:`,
      ...changes.flatMap((change) => [
        `${change.widened ? 'WIDENED ' : 'narrowed'}  ${headline(change)}`,
        ...details(change).map(([label, text]) => `    ${label ? `${label}: ` : ''}${text.replace(/\n/g, '\n      ')}`),
      ]),
    ];
  }
  const quote = (text: string) => text.split('\n').map((line) => `  > ${line}`);
  return [
    '#### Pinned definitions',
    '',
    ...changes.flatMap((change) => [
      `- ${change.widened ? '⚠️ **new or changed**' : 'removed'}: ${headline(change, (key) => `\`${key}\``)}`,
      ...details(change).flatMap(([label, text]) =>
        label.startsWith('description')
          ? [`  ${label}:`, '', ...quote(text), '']
          : [`  ${label ? `${label}: ` : ''}${text}`, ''],
      ),
    ]),
    '',
  ];
}
