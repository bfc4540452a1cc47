/**
 * Pinned definitions: what each tool, resource template and prompt of the MCP server looked
 * like when the policies were reviewed (`policies/inventory.yaml`). A definition the server
 * offers whose digest differs from its pin, or that has no pin, is drift: the gateway keeps it
 * out of lists and refuses calls to it (docs/security.md, requirement 23).
 */

/** The kinds of definition a server lists, by the list that carries them. */
export type DefinitionKind = 'tool' | 'resourceTemplate' | 'prompt';

/** One pinned definition: its key, the digest of the whole definition, and the text a reviewer reads. */
export interface PinnedDefinition {
  /** The tool or prompt name, or the resource template's `uriTemplate`. */
  key: string;
  /** `sha256:<hex>` of the definition's canonical JSON (see definitions/definition-digest.ts). */
  digest: string;
  /** The definition's `title`, when it has one. */
  title?: string;
  /** The description the model reads: where a poisoned tool hides its instructions. */
  description?: string;
  /** Argument names (a tool's input schema properties, a prompt's arguments). */
  arguments?: string[];
}

/** Digests by key, per kind: what the Worker carries at run time. */
export interface DefinitionPins {
  tool: Record<string, string>;
  resourceTemplate: Record<string, string>;
  prompt: Record<string, string>;
}

/** What the gateway does with drift, per environment: `hide` (default) or `warn` (listed and callable, but audited). */
export type DriftMode = 'hide' | 'warn';
