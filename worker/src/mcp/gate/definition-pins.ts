/**
 * The pinned definitions this Worker enforces, built in from `policies/inventory.yaml` (checked at
 * build time like the tool policies, policies/build/policy-plugins.ts): a definition the server
 * offers must have exactly this digest to be listed or called (docs/security.md, requirement 23).
 */
import type { DefinitionPins } from '../../../../policies/model/pinned-definition.ts';
import shippedDefinitionPins from '../../../../policies/inventory.yaml';

export const definitionPins: DefinitionPins = shippedDefinitionPins;
