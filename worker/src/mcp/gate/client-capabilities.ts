/**
 * Where a client says what it can do for the server: `params.capabilities` of `initialize` (2025
 * revisions) and, in the stateless 2026-07-28 revision, this `_meta` key on every request.
 */
export const CLIENT_CAPABILITIES_META_KEY = 'io.modelcontextprotocol/clientCapabilities';
