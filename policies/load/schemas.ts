/**
 * The schemas of the policy files. Each says what a key means in its error messages,
 * because those messages are read by reviewers, not by the people who wrote the code.
 */
import { z } from 'zod';
import type { AccessPolicyEntry, AccessRule } from '../model/access-policy.ts';
import type { PinnedDefinition } from '../model/pinned-definition.ts';
import type { ToolPolicies } from '../model/tool-policy.ts';
import { MAX_APPROVAL_TTL_MS, parseApprover } from '../engine/approvals.ts';
import { durationMs } from '../engine/rate-limits.ts';
import { strictObject } from './strict-object.ts';

const nonEmptyText = (what: string) =>
  z
    .string({ error: `${what} must be text` })
    .trim()
    .min(1, `${what} must not be empty`);

/** `group: x` becomes the group selector of the stack's identity provider (see engine/provider-rules.ts). */
const accessRuleSchema = strictObject('an Access rule', {
  email: nonEmptyText('email').optional(),
  emailDomain: nonEmptyText('emailDomain').optional(),
  group: nonEmptyText('group').optional(),
  everyone: z.literal(true, { error: 'everyone must be true' }).optional(),
  oidcClaim: strictObject('an oidcClaim rule', {
    name: nonEmptyText('claim name'),
    value: nonEmptyText('claim value'),
  }).optional(),
})
  .refine(
    (rule) => Object.keys(rule).length === 1,
    'a rule has exactly one kind: email, emailDomain, group, everyone or oidcClaim',
  )
  .transform((rule): AccessRule => {
    if (rule.email !== undefined) return { email: rule.email };
    if (rule.emailDomain !== undefined) return { emailDomain: rule.emailDomain };
    if (rule.group !== undefined) return { group: rule.group };
    if (rule.everyone !== undefined) return { everyone: true };
    return { oidcClaim: rule.oidcClaim! };
  });

const environmentsSchema = z
  .array(nonEmptyText('environment name'))
  .min(1, 'environments must name at least one environment (leave the key out for all)');

const accessPolicySchema = strictObject('an Access policy', {
  name: nonEmptyText('name'),
  decision: z.enum(['allow', 'deny'], { error: 'decision must be allow or deny' }),
  environments: environmentsSchema.optional(),
  include: z
    .array(accessRuleSchema, { error: 'include must be a list of rules' })
    .min(1, 'include must not be empty: a policy must include someone'),
  require: z.array(accessRuleSchema, { error: 'require must be a list of rules' }).optional(),
  exclude: z.array(accessRuleSchema, { error: 'exclude must be a list of rules' }).optional(),
  sessionDuration: z
    .string({ error: 'sessionDuration must be text like 24h or 30m' })
    .regex(/^\d+(\.\d+)?(h|m|s|ms|us|µs|ns)$/, 'sessionDuration must be a duration like 24h or 30m')
    .optional(),
});

/** `policies/access.yaml`. */
export const accessFileSchema = strictObject('the Access policy file', {
  /** The environments policies may name; a name outside this list is a typo that would silently drop a policy. */
  environments: environmentsSchema.optional(),
  policies: z
    .array(accessPolicySchema, { error: 'policies must be a list' })
    .min(1, 'policies must not be empty: nobody could sign in'),
})
  .superRefine((file, context) => {
    if (!file.environments) return;
    file.policies.forEach((policy, index) => {
      (policy.environments ?? []).forEach((environment, position) => {
        if (!file.environments!.includes(environment)) {
          context.addIssue({
            code: 'custom',
            path: ['policies', index, 'environments', position],
            message: `environment "${environment}" is not one of the environments listed at the top (${file.environments!.join(', ')})`,
          });
        }
      });
    });
  })
  .transform((file): AccessPolicyEntry[] =>
    file.policies.map((policy) => {
      const entry: AccessPolicyEntry = { name: policy.name, decision: policy.decision, include: policy.include };
      if (policy.environments) entry.environments = policy.environments;
      if (policy.require?.length) entry.require = policy.require;
      if (policy.exclude?.length) entry.exclude = policy.exclude;
      if (policy.sessionDuration) entry.sessionDuration = policy.sessionDuration;
      return entry;
    }),
  );

const whoSchema = strictObject('a who entry', {
  email: nonEmptyText('email').optional(),
  emailDomain: nonEmptyText('emailDomain').optional(),
  group: nonEmptyText('group').optional(),
  everyone: z.literal(true, { error: 'everyone must be true' }).optional(),
}).refine(
  (who) => Object.keys(who).length === 1,
  'a who entry has exactly one kind: email, emailDomain, group or everyone',
);

const globList = (what: string) =>
  z
    .array(nonEmptyText(`a ${what} pattern`), { error: `${what}s must be a list of patterns` })
    .min(1, `${what}s must not be empty (leave the key out instead)`);

const argumentConstraintSchema = strictObject('an argument constraint', {
  oneOf: z
    .array(z.union([z.string(), z.number(), z.boolean()]), { error: 'oneOf must be a list of values' })
    .min(1, 'oneOf must not be empty')
    .optional(),
  prefix: nonEmptyText('prefix').optional(),
}).refine(
  (constraint) => Object.keys(constraint).length === 1,
  'an argument constraint has exactly one kind: oneOf or prefix',
);

/** `by:` of an approve rule: the caller confirms, or someone else in an Access group approves. */
const approverSchema = z
  .string({ error: 'by must be self or group:<name>' })
  .trim()
  .refine(
    (by) => parseApprover(by) !== undefined,
    'by must be self (the caller confirms) or group:<name> (someone in that group approves)',
  );

/** `ttl:` of an approve rule: how long one approval also covers the same call. */
const approvalTtlSchema = z
  .string({ error: 'ttl must be a duration like 30s, 10m, 8h or 1d' })
  .regex(/^[1-9]\d*(s|m|h|d)$/, 'ttl must be a duration like 30s, 10m, 8h or 1d')
  .refine((ttl) => durationMs(ttl) <= MAX_APPROVAL_TTL_MS, 'ttl must be at most 1d');
const rateLimitSchema = strictObject('a rate limit', {
  calls: z
    .number({ error: 'calls must be a whole number' })
    .int('calls must be a whole number')
    .min(1, 'calls must be at least 1')
    .max(10_000, 'calls must be at most 10000 per window'),
  per: z
    .string({ error: 'per must be a duration like 30s, 1m, 1h or 1d' })
    .regex(/^[1-9]\d*(s|m|h|d)$/, 'per must be a duration like 30s, 1m, 1h or 1d')
    .refine((per) => durationMs(per) <= 86_400_000, 'per must be at most 1d'),
  perClient: z.boolean({ error: 'perClient must be true or false' }).optional(),
});

const toolRuleSchema = strictObject('a tool rule', {
  name: nonEmptyText('name'),
  effect: z.enum(['allow', 'deny', 'approve'], { error: 'effect must be allow, deny or approve' }),
  who: z
    .array(whoSchema, { error: 'who must be a list' })
    .min(1, 'who must not be empty: a rule must be about someone'),
  tools: globList('tool').optional(),
  resources: globList('resource').optional(),
  prompts: globList('prompt').optional(),
  roots: globList('root').optional(),
  arguments: z
    .record(z.string(), argumentConstraintSchema, { error: 'arguments must map argument names to constraints' })
    .optional(),
  by: approverSchema.optional(),
  ttl: approvalTtlSchema.optional(),
  text: nonEmptyText('text').optional(),
  rateLimit: rateLimitSchema.optional(),
})
  .refine(
    (rule) => rule.tools || rule.resources || rule.prompts || rule.roots,
    'a rule must name tools, resources, prompts or roots',
  )
  .refine((rule) => !(rule.arguments && rule.effect !== 'allow'), {
    message: 'arguments are for allow rules only',
    path: ['arguments'],
  })
  .refine((rule) => rule.effect !== 'approve' || rule.by !== undefined, {
    message: 'an approve rule must say who decides: by: self or by: group:<name>',
    path: ['by'],
  })
  .refine(
    (rule) => rule.effect === 'approve' || (rule.by === undefined && rule.ttl === undefined && rule.text === undefined),
    {
      message: 'by, ttl and text are for approve rules only',
      path: ['effect'],
    },
  )
  .refine((rule) => rule.effect !== 'approve' || (!rule.resources && !rule.prompts), {
    message: 'approve rules name tools only: a person approves a tool call',
    path: ['effect'],
  })
  .refine((rule) => !(rule.arguments && !rule.tools), {
    message: 'arguments constrain tool calls: the rule must name tools',
    path: ['arguments'],
  })
  .refine((rule) => !(rule.rateLimit && rule.effect !== 'allow'), {
    message: 'rateLimit is for allow rules only',
    path: ['rateLimit'],
  })
  .refine((rule) => !(rule.rateLimit && !rule.tools), {
    message: 'rateLimit counts tool calls: the rule must name tools',
    path: ['rateLimit'],
  });

/** `policies/tools.yaml`. */
export const toolsFileSchema = strictObject('the tool policy file', {
  unlistedMethods: z.enum(['allow', 'deny'], { error: 'unlistedMethods must be allow or deny' }),
  rules: z.array(toolRuleSchema, { error: 'rules must be a list' }),
}).transform((file): ToolPolicies => file as ToolPolicies);

const digestSchema = z
  .string({ error: 'digest must be text like sha256:<64 hex digits>' })
  .regex(
    /^sha256:[0-9a-f]{64}$/,
    'digest must be sha256: followed by 64 lowercase hex digits (npm run policy -- pin writes it)',
  );

/** The fields every pinned definition has besides its key. */
const pinFields = {
  digest: digestSchema,
  title: z.string({ error: 'title must be text' }).optional(),
  description: z.string({ error: 'description must be text' }).optional(),
  arguments: z.array(z.string(), { error: 'arguments must be a list of names' }).optional(),
};

const pinnedByName = (what: string) =>
  strictObject(`a pinned ${what}`, { name: nonEmptyText('name'), ...pinFields }).transform(
    ({ name, ...rest }): PinnedDefinition => ({ key: name, ...rest }),
  );

const pinnedTemplate = strictObject('a pinned resource template', {
  uriTemplate: nonEmptyText('uriTemplate'),
  ...pinFields,
}).transform(({ uriTemplate, ...rest }): PinnedDefinition => ({ key: uriTemplate, ...rest }));

/**
 * `policies/inventory.yaml`: what the MCP server offers. Tools, resource templates and prompts
 * are pinned (digest of the whole definition, plus the text a reviewer reads); `npm run policy
 * -- pin` writes them. Static resources are names only: servers change those lists at run time.
 */
export const inventoryFileSchema = strictObject('the inventory file', {
  tools: z.array(pinnedByName('tool'), { error: 'tools must be a list' }).default([]),
  resourceTemplates: z.array(pinnedTemplate, { error: 'resourceTemplates must be a list' }).default([]),
  prompts: z.array(pinnedByName('prompt'), { error: 'prompts must be a list' }).default([]),
  resources: z.array(nonEmptyText('resource URI'), { error: 'resources must be a list of URIs' }).default([]),
});
export type Inventory = z.infer<typeof inventoryFileSchema>;

const identitySchema = strictObject('an identity', {
  email: nonEmptyText('email'),
  groups: z.array(z.string()).default([]),
});

const signInCaseSchema = strictObject('a sign-in case', {
  who: identitySchema,
  environment: nonEmptyText('environment'),
  expect: z.enum(['allow', 'deny'], { error: 'expect must be allow or deny' }),
  policy: nonEmptyText('policy').optional(),
});

const requestCaseSchema = strictObject('a request case', {
  who: identitySchema,
  tool: nonEmptyText('tool').optional(),
  resource: nonEmptyText('resource').optional(),
  prompt: nonEmptyText('prompt').optional(),
  method: nonEmptyText('method').optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
  /** `approve`: allowed, once the person named in `by` (or anyone, when it is left out) approves. */
  expect: z.enum(['allow', 'deny', 'approve'], { error: 'expect must be allow, deny or approve' }),
  rule: nonEmptyText('rule').optional(),
  by: approverSchema.optional(),
})
  .refine((entry) => entry.by === undefined || entry.expect === 'approve', {
    message: 'by is for expect: approve only',
    path: ['by'],
  })
  .refine(
    (entry) =>
      [entry.tool, entry.resource, entry.prompt, entry.method].filter((value) => value !== undefined).length === 1,
    'a request case names exactly one of tool, resource, prompt or method',
  );

/** `policies/cases.yaml`: the policy tests, table-driven. */
export const casesFileSchema = strictObject('the policy test file', {
  signIn: z.array(signInCaseSchema).default([]),
  requests: z.array(requestCaseSchema).default([]),
});
export type PolicyCases = z.infer<typeof casesFileSchema>;
export type RequestCase = PolicyCases['requests'][number];
