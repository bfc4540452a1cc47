/**
 * Physical names: every name Cloudflare sees is `<project>-<stack>-<suffix>`, so two stacks
 * of this project (environments, tenants, pull-request review stacks) never collide in one
 * account.
 *
 * The same rule holds for every kind of resource, and it is the strictest one among them:
 * a Worker's name is also a DNS label in its workers.dev hostname, so a name is lowercase
 * letters, digits and inner hyphens, at most 63 characters.
 */
import * as pulumi from '@pulumi/pulumi';

const MAX_NAME_LENGTH = 63;
const NAME_PART = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The physical name for `suffix` in the given project and stack. Pure: no Pulumi needed.
 *
 * @throws Error naming the offending part when a part would not make a valid name.
 *
 * @example
 * ```ts
 * physicalNameFor('secure-mcp', 'dev', 'oauth-kv'); // 'secure-mcp-dev-oauth-kv'
 * ```
 */
export function physicalNameFor(project: string, stack: string, suffix: string): string {
  const parts = { project, stack, suffix };
  for (const [part, value] of Object.entries(parts)) {
    if (!NAME_PART.test(value)) {
      throw new Error(
        `The ${part} name ${JSON.stringify(value)} cannot be part of a Cloudflare resource name: ` +
          'use lowercase letters, digits and single inner hyphens (for a stack: `pulumi stack rename`).',
      );
    }
  }
  const name = `${project}-${stack}-${suffix}`;
  if (name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `The resource name ${JSON.stringify(name)} is ${name.length} characters; ` +
        `at most ${MAX_NAME_LENGTH} fit in a hostname label. Use a shorter stack name or suffix.`,
    );
  }
  return name;
}

/**
 * The physical name for `suffix` in the current Pulumi project and stack.
 *
 * @example
 * ```ts
 * // in stack `prod` of project `secure-mcp`:
 * physicalName('gateway'); // 'secure-mcp-prod-gateway'
 * ```
 */
export function physicalName(suffix: string): string {
  return physicalNameFor(pulumi.getProject(), pulumi.getStack(), suffix);
}
