/**
 * The secure-mcp guardrails, a CrossGuard policy pack. Run it with a preview or an update:
 *
 *   pulumi preview --policy-pack infra/guardrails
 *
 * The rules are in `rules.ts`, their wiring in `policies.ts`.
 */
import { PolicyPack } from '@pulumi/policy';
import { guardrailPolicies } from './policies.ts';

new PolicyPack('secure-mcp-guardrails', { enforcementLevel: 'mandatory', policies: guardrailPolicies });
