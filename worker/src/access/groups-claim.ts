/**
 * Reads the `groups` claim of an Access id_token into the group values tool policies match.
 *
 * Cloudflare documents the `groups` scope only as "the user's IdP group membership"
 * (https://developers.cloudflare.com/cloudflare-one/access-controls/applications/http-apps/saas-apps/generic-oidc-saas/#oidc-claims),
 * not its shape, and Access holds a person's groups with an id, a name and an email, of
 * which providers fill different ones (Entra ID: Object Ids; Google Workspace: group emails;
 * https://developers.cloudflare.com/cloudflare-one/traffic-policies/identity-selectors/#idp-groups-in-gateway).
 * So both shapes are read: a string is the value itself; an object gives the configured field
 * (`ACCESS_GROUPS_FIELD`: name, id or email). A group that cannot be read refuses the whole
 * sign-in: dropping it silently could drop the group a deny rule names (docs/security.md).
 * Errors describe the claim's shape, never its values. Pure.
 */

/** Which field of a group object tool policies match. */
export type GroupField = 'name' | 'id' | 'email';

/** The `groups` claim is there but cannot be read; `shape` says what it looks like, without values. */
export class UnreadableGroupsError extends Error {
  constructor(readonly shape: string) {
    super(`the groups claim cannot be read (${shape})`);
    this.name = 'UnreadableGroupsError';
  }
}

/**
 * The group values of a `groups` claim: `[]` when absent (one-time PIN sends none).
 *
 * @throws UnreadableGroupsError when the claim is not an array, or holds an element that is
 * neither a non-empty string nor an object with a non-empty string at `field`.
 *
 * @example
 * ```ts
 * readGroupsClaim(['engineering'], 'name'); // ['engineering']
 * readGroupsClaim([{ id: '6150…', name: 'Engineering' }], 'id'); // ['6150…']
 * readGroupsClaim('engineering', 'name'); // throws: the groups claim cannot be read (a string, not a list)
 * ```
 */
export function readGroupsClaim(claim: unknown, field: GroupField): string[] {
  if (claim === undefined) return [];
  if (!Array.isArray(claim)) throw new UnreadableGroupsError(`${describeShape(claim)}, not a list`);
  const groups: string[] = [];
  for (const element of claim) {
    if (typeof element === 'string' && element !== '') groups.push(element);
    else if (isObject(element) && typeof element[field] === 'string' && element[field] !== '')
      groups.push(element[field]);
    else
      throw new UnreadableGroupsError(
        `${describeShape(claim)}; an element is ${describeShape(element)}` +
          (isObject(element) ? `, without a text "${field}" (ACCESS_GROUPS_FIELD)` : ''),
      );
  }
  return [...new Set(groups)];
}

/**
 * A value's shape in words, with key names but no values: what logs and `--show-claims` print.
 *
 * @example
 * ```ts
 * describeShape([{ id: 'x', name: 'y' }, { id: 'z', name: 'w' }]); // 'a list of 2 objects with id, name'
 * describeShape('secret'); // 'a string'
 * ```
 */
export function describeShape(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'an empty list';
    const kinds = [...new Set(value.map((element) => kindOf(element)))];
    const noun = value.length === 1 ? '' : 's';
    if (kinds.length === 1 && kinds[0] === 'object') {
      const keys = [...new Set(value.flatMap((element) => Object.keys(element as object)))].sort();
      return `a list of ${value.length} object${noun} with ${keys.join(', ') || 'no keys'}`;
    }
    return kinds.length === 1
      ? `a list of ${value.length} ${kinds[0]}${noun}`
      : `a list of ${value.length} mixed elements (${kinds.join(', ')})`;
  }
  if (isObject(value)) return `an object with ${Object.keys(value).sort().join(', ') || 'no keys'}`;
  const kind = kindOf(value);
  return `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  return typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
