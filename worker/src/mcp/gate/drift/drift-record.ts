/**
 * The audit record of one drifted definition: a tool, resource template or prompt the server
 * offers whose digest differs from its pin, or that has no pin. One per definition and session,
 * written beside the `mcp_request` records (docs/audit.md).
 */
import type { DefinitionKind, DriftMode } from '../../../../../policies/model/pinned-definition.ts';

export interface DefinitionDriftRecord {
  event: 'definition_drift';
  time: string;
  /** The request whose answer (or whose probe) carried the definition. */
  requestId: string;
  user: { sub: string; email: string; groups: string[] };
  clientId: string | null;
  kind: DefinitionKind;
  /** The tool or prompt name, or the resource template's URI template. */
  name: string;
  /** The digest in policies/inventory.yaml, or null when the definition is not pinned. */
  pinnedDigest: string | null;
  /** The digest of the definition the server offers now. */
  observedDigest: string;
  /** `hidden`: kept out of lists and calls refused (drift mode `hide`); `warned`: passed (mode `warn`). */
  action: 'hidden' | 'warned';
  mode: DriftMode;
}
