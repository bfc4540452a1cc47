/**
 * The one pattern language the policies use for tool, prompt and resource names, kept small and
 * exact (`*` and `?`, nothing else) so a reviewer can read what a rule covers.
 */
const compiled = new Map<string, RegExp>();

/**
 * Whether a name matches a glob pattern: `*` is any run of characters (also `/`), `?`
 * is one character, everything else is literal and case-sensitive. Patterns compile
 * once and are cached, since the gateway asks the same few patterns on every request.
 *
 * @example
 * ```ts
 * globMatches('get-*', 'get-sum'); // true
 * globMatches('demo://resource/static/*', 'demo://resource/static/document/a.md'); // true
 * ```
 */
export function globMatches(pattern: string, name: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = Array.from(pattern, (char) =>
      char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'),
    ).join('');
    regex = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, regex);
  }
  return regex.test(name);
}

/** Whether any pattern of a list matches; an absent list matches nothing. */
export function anyGlobMatches(patterns: readonly string[] | undefined, name: string): boolean {
  return patterns !== undefined && patterns.some((pattern) => globMatches(pattern, name));
}
