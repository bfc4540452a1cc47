/**
 * The dev users the stand-in can sign in (`dev/users.json`), read and checked in one place so that
 * a bad entry is named with its file and position instead of failing a sign-in later.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** A person the stand-in can sign in: what a real identity provider would assert about them. */
export interface DevUser {
  email: string;
  name: string;
  groups: string[];
}

/** The dev users file in this repository (`dev/users.json`). */
export const devUsersFile: string = fileURLToPath(new URL('../users.json', import.meta.url));

/** The users file cannot be read, is not JSON, or has a bad entry; the message says which. */
export class DevUsersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DevUsersError';
  }
}

/**
 * Reads and validates a dev users file (default `dev/users.json`).
 *
 * @example
 * ```ts
 * const users = await loadDevUsers(); // throws DevUsersError naming the file and the bad entry
 * ```
 */
export async function loadDevUsers(file: string = devUsersFile): Promise<DevUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new DevUsersError(`${file}: cannot read the dev users file (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DevUsersError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return parseDevUsers(json, file);
}

const userFields = new Set(['email', 'name', 'groups']);

/**
 * Checks parsed JSON against the users file format:
 * `[{ "email": "alice@example.com", "name": "Alice", "groups": ["engineering"] }]`.
 * Emails must be unique (ignoring case); unknown fields are refused so a typo
 * (`"group"`) is an error instead of a user without groups.
 *
 * @param source - Named in error messages, e.g. the file path.
 */
export function parseDevUsers(value: unknown, source: string): DevUser[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new DevUsersError(
      `${source}: expected a non-empty JSON array of users like [{ "email": "alice@example.com", "name": "Alice", "groups": ["engineering"] }]`,
    );
  }
  const seenEmails = new Set<string>();
  return value.map((entry: unknown, index) => {
    const problem = problemWith(entry);
    const where = `${source}: users[${index}]${describeEntry(entry)}`;
    if (problem) throw new DevUsersError(`${where} ${problem}`);
    const user = entry as DevUser;
    const key = user.email.toLowerCase();
    if (seenEmails.has(key)) throw new DevUsersError(`${where} repeats an email already listed`);
    seenEmails.add(key);
    return { email: user.email, name: user.name, groups: [...user.groups] };
  });
}

/** What is wrong with one entry, or undefined when it is a valid user. */
function problemWith(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
    return 'must be an object with "email", "name" and "groups"';
  const fields = entry as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((field) => !userFields.has(field));
  if (unknown.length > 0)
    return `has unknown field(s) ${unknown.map((field) => JSON.stringify(field)).join(', ')}; allowed: "email", "name", "groups"`;
  if (typeof fields.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(fields.email))
    return 'needs "email": an address like "alice@example.com"';
  if (typeof fields.name !== 'string' || fields.name.trim() === '') return 'needs "name": a non-empty string';
  if (!Array.isArray(fields.groups) || !fields.groups.every((group) => typeof group === 'string' && group !== '')) {
    return 'needs "groups": an array of group names (may be empty)';
  }
  return undefined;
}

function describeEntry(entry: unknown): string {
  const email = (entry as { email?: unknown } | null)?.email;
  return typeof email === 'string' ? ` (${JSON.stringify(email)})` : '';
}
