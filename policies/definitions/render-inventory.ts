/**
 * Pins what a server offers and writes `policies/inventory.yaml`: one entry per tool, resource
 * template and prompt with its digest and the text a reviewer reads, and the static resources
 * by URI. Pure.
 */
import { stringify, YAMLSeq } from 'yaml';
import type { Inventory } from '../load/schemas.ts';
import type { DefinitionKind, PinnedDefinition } from '../model/pinned-definition.ts';
import { definitionDigest } from './definition-digest.ts';
import type { ServerDefinitions } from './list-definitions.ts';
import { pinOf } from './review-text.ts';

/**
 * The inventory for what a server listed.
 *
 * @example
 * ```ts
 * const inventory = pinDefinitions(await listServerDefinitions(command));
 * inventory.tools[0]; // { key: 'echo', digest: 'sha256:…', description: 'Echoes back the input string', arguments: ['message'] }
 * ```
 */
export function pinDefinitions(offered: ServerDefinitions): Inventory {
  const pinAll = (kind: DefinitionKind, entries: Record<string, unknown>[]) =>
    entries.map((entry) => pinOf(kind, entry, definitionDigest(entry)));
  return {
    tools: pinAll('tool', offered.tools),
    resourceTemplates: pinAll('resourceTemplate', offered.resourceTemplates),
    prompts: pinAll('prompt', offered.prompts),
    resources: offered.resources.flatMap((resource) => (typeof resource.uri === 'string' ? [resource.uri] : [])),
  };
}

const HEADER = `# What the MCP server behind the gateway offers, pinned: written by \`npm run policy -- pin\`.
#
# Each tool, resource template and prompt has the digest of its whole definition (name, title,
# description, schemas, annotations: everything a client receives) and, for review, its
# description and argument names. At run time the gateway keeps any definition whose digest
# differs from its pin, or that has no pin, out of every list and refuses calls to it.
# \`npm run policy -- check\` fails when a rule in tools.yaml names something not pinned here;
# \`npm run policy -- diff\` shows a changed description before and after.
# Static resources are listed by URI only: servers change those lists at run time.
`;

/**
 * The YAML text of an inventory, with its explanatory header.
 *
 * @example
 * ```ts
 * await writeFile('policies/inventory.yaml', renderInventory(inventory));
 * ```
 */
export function renderInventory(inventory: Inventory): string {
  const entry = (keyName: 'name' | 'uriTemplate') => (pin: PinnedDefinition) => {
    const { key, arguments: args, ...rest } = pin;
    // Argument names on one line ([a, b]): short, and a reviewer sees them at a glance.
    const flowArgs = args ? { arguments: Object.assign(new YAMLSeq(), { items: args, flow: true }) } : {};
    return { [keyName]: key, ...rest, ...flowArgs };
  };
  const body = stringify(
    {
      tools: inventory.tools.map(entry('name')),
      resourceTemplates: inventory.resourceTemplates.map(entry('uriTemplate')),
      prompts: inventory.prompts.map(entry('name')),
      resources: inventory.resources,
    },
    { lineWidth: 0, blockQuote: 'literal', flowCollectionPadding: false },
  );
  return `${HEADER}${body}`;
}
