/**
 * Lets a rule allow a tool only with some arguments, checked on the call itself, since a listing
 * cannot know what a caller will send.
 */
import type { ArgumentConstraint } from '../model/tool-policy.ts';
import { climbsOut, readingsOf } from './uri-readings.ts';

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
    } else if (!keepsPrefix(value, constraint.prefix)) {
      return `argument "${name}" must start with ${JSON.stringify(constraint.prefix)} and must not contain "..", control characters or undecodable percent-encoding`;
    }
  }
  return undefined;
}

/**
 * Every reading of the value (as written, and percent-decoded) starts with the prefix, and none has
 * a `..` segment (split by `/`, `\` and the like, or in fullwidth dots); a value with control
 * characters (which URL parsers drop, so `.\t.` is `..`) has no reading to trust.
 */
function keepsPrefix(value: unknown, prefix: string): boolean {
  if (typeof value !== 'string') return false;
  const readings = readingsOf(value);
  return readings.ok && readings.readings.every((reading) => reading.startsWith(prefix) && !climbsOut(reading));
}
