import type { ArgumentConstraint } from '../model/tool-policy.ts';

/**
 * The first argument constraint a call breaks, in words, or `undefined` when it keeps
 * them all. A constrained argument that is missing breaks its constraint, because the
 * server would fill in a default the policy never saw.
 *
 * @example
 * ```ts
 * brokenConstraint({ location: { oneOf: ['Chicago'] } }, { location: 'Paris' });
 * // 'argument "location" must be one of "Chicago"'
 * ```
 */
export function brokenConstraint(
  constraints: Readonly<Record<string, ArgumentConstraint>>,
  args: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  for (const [name, constraint] of Object.entries(constraints)) {
    const value = args !== undefined && Object.hasOwn(args, name) ? args[name] : undefined;
    if ('oneOf' in constraint) {
      if (!constraint.oneOf.some((allowed) => allowed === value)) {
        return `argument "${name}" must be one of ${constraint.oneOf.map((allowed) => JSON.stringify(allowed)).join(', ')}`;
      }
    } else if (typeof value !== 'string' || !value.startsWith(constraint.prefix) || climbsOut(value)) {
      return `argument "${name}" must start with ${JSON.stringify(constraint.prefix)} and must not contain ".."`;
    }
  }
  return undefined;
}

/** A `..` segment (also percent-encoded) could climb out of the allowed prefix. */
function climbsOut(value: string): boolean {
  return /(^|[/\\])(\.|%2e){2}([/\\?#]|$)/i.test(value);
}
