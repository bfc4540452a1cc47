/**
 * The parts of a definition a reviewer reads in `policies/inventory.yaml` and in `policy diff`:
 * the key, title, description and argument names. The digest covers everything else. Pure.
 */
import type { DefinitionKind, PinnedDefinition } from '../model/pinned-definition.ts';

/** The field that names an entry of each list. */
export const DEFINITION_KEYS = { tool: 'name', resourceTemplate: 'uriTemplate', prompt: 'name' } as const;

/**
 * A pin for one definition the server listed, given its digest.
 *
 * @example
 * ```ts
 * pinOf('tool', { name: 'echo', description: 'Echoes', inputSchema: { properties: { message: {} } } }, 'sha256:…');
 * // { key: 'echo', digest: 'sha256:…', description: 'Echoes', arguments: ['message'] }
 * ```
 */
export function pinOf(kind: DefinitionKind, definition: Record<string, unknown>, digest: string): PinnedDefinition {
  const key = definition[DEFINITION_KEYS[kind]];
  if (typeof key !== 'string' || key === '') throw new Error(`a ${kind} without a ${DEFINITION_KEYS[kind]}`);
  const pin: PinnedDefinition = { key, digest };
  if (typeof definition.title === 'string') pin.title = definition.title;
  if (kind === 'resourceTemplate' && typeof definition.name === 'string' && definition.name !== pin.title)
    pin.title = definition.name;
  if (typeof definition.description === 'string') pin.description = definition.description;
  const args = argumentNames(kind, definition);
  if (args) pin.arguments = args;
  return pin;
}

function argumentNames(kind: DefinitionKind, definition: Record<string, unknown>): string[] | undefined {
  if (kind === 'tool') {
    const schema = definition.inputSchema as { properties?: unknown } | undefined;
    const properties = schema && typeof schema.properties === 'object' && schema.properties ? schema.properties : {};
    return Object.keys(properties);
  }
  if (kind === 'prompt') {
    const args = Array.isArray(definition.arguments) ? definition.arguments : [];
    return args.flatMap((arg) =>
      typeof arg === 'object' && arg !== null && typeof (arg as { name?: unknown }).name === 'string'
        ? [(arg as { name: string }).name]
        : [],
    );
  }
  return undefined;
}
