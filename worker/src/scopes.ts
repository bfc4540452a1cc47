/**
 * The one OAuth scope this gateway grants. What a user may do with it is decided per
 * tool by the policy gate, not by scopes, so every approved client gets exactly this.
 */
const MCP_SCOPE = 'mcp';
export const GRANTED_SCOPES = [MCP_SCOPE] as const;
