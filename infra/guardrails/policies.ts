/**
 * The guardrails as CrossGuard policies: each wraps one rule of `rules.ts` and reads the
 * stack's context (its name, its tags, the pack's configuration). Every policy is mandatory:
 * a violation stops `pulumi preview` and `pulumi up`.
 *
 * Configuration (`pulumi preview --policy-pack infra/guardrails --policy-pack-config <file>`):
 * `maxSessionDuration` (default `24h`) and `productionStacks`, a regular expression of stack
 * names that are production (default: prod, production and every tenant-*). A stack tagged
 * `environment=production` is production whatever its name.
 */
import type {
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import {
  acceptsUnpinnedProvider,
  appWithoutPolicy,
  DEFAULT_PRODUCTION_STACKS,
  everyoneInProduction,
  type GuardedResource,
  imageNotPinned,
  isProductionStack,
  providerNotPinned,
  secretInPlainText,
  sessionTooLong,
  type StackContext,
  stackOfUrn,
} from './rules.ts';

/** The pack's settings and their defaults. */
interface GuardrailConfig {
  maxSessionDuration: string;
  productionStacks: string;
}

const DEFAULT_CONFIG: GuardrailConfig = {
  maxSessionDuration: '24h',
  productionStacks: DEFAULT_PRODUCTION_STACKS,
};

const configSchema = {
  properties: {
    maxSessionDuration: { type: 'string' as const, default: DEFAULT_CONFIG.maxSessionDuration },
    productionStacks: { type: 'string' as const, default: DEFAULT_CONFIG.productionStacks },
  },
};

type Rule = (resource: GuardedResource, context: StackContext) => string[];

/** One mandatory policy around one rule. */
function guardrail(name: string, description: string, rule: Rule): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: 'mandatory',
    configSchema,
    validateResource: (args: ResourceValidationArgs, reportViolation) => {
      const config = { ...DEFAULT_CONFIG, ...args.getConfig<Partial<GuardrailConfig>>() };
      const stack = stackOfUrn(args.urn);
      const context: StackContext = {
        stack,
        production: isProductionStack(stack, args.stackTags ?? new Map(), config.productionStacks),
        maxSessionDuration: config.maxSessionDuration,
      };
      for (const message of rule({ type: args.type, props: args.props }, context)) reportViolation(message, args.urn);
    },
  };
}

type StackRule = (resources: readonly GuardedResource[], context: StackContext) => string[];

/** One mandatory policy around one stack-wide rule. */
function stackGuardrail(name: string, description: string, rule: StackRule): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: 'mandatory',
    configSchema,
    validateStack: (args: StackValidationArgs, reportViolation) => {
      const config = { ...DEFAULT_CONFIG, ...args.getConfig<Partial<GuardrailConfig>>() };
      const stack = stackOfUrn(args.resources[0]?.urn ?? '');
      const context: StackContext = {
        stack,
        production: isProductionStack(stack, args.stackTags, config.productionStacks),
        maxSessionDuration: config.maxSessionDuration,
      };
      const resources = args.resources.map(({ type, props }) => ({ type, props }));
      for (const message of rule(resources, context)) reportViolation(message);
    },
  };
}

/**
 * Every guardrail of the pack, in the order they are reported.
 *
 * @example
 * ```ts
 * new PolicyPack('secure-mcp-guardrails', { policies: guardrailPolicies });
 * ```
 */
export const guardrailPolicies: Array<ResourceValidationPolicy | StackValidationPolicy> = [
  guardrail(
    'no-everyone-in-production',
    'No Access policy lets everyone in on a production stack.',
    everyoneInProduction,
  ),
  guardrail(
    'session-within-maximum',
    'No Access application or policy keeps a session longer than maxSessionDuration.',
    sessionTooLong,
  ),
  guardrail('access-app-has-policy', 'Every Access application has at least one Access policy.', appWithoutPolicy),
  guardrail(
    'identity-provider-pinned',
    'A production Access application names the identity providers it accepts (allowedIdps).',
    providerNotPinned,
  ),
  stackGuardrail(
    'no-provider-beside-the-pinned-one',
    'A production Access application accepts no identity provider that its group rules do not refer to.',
    acceptsUnpinnedProvider,
  ),
  guardrail(
    'no-secret-in-plain-text',
    'No plain_text Worker binding has a name that says it holds a secret.',
    secretInPlainText,
  ),
  guardrail('image-pinned-by-digest', 'Every container application runs an image pinned by digest.', imageNotPinned),
];
