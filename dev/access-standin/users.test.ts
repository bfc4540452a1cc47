import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicies } from '../../policies/access.ts';
import { decideSignIn } from '../../policies/engine/decide-sign-in.ts';
import { devUsersFile, DevUsersError, loadDevUsers, parseDevUsers } from './users.ts';

describe('dev/users.json', () => {
  it('loads, and has at least one user the shipped policies allow and one they refuse', async () => {
    const users = await loadDevUsers();
    const decisions = users.map((user) => decideSignIn(accessPolicies, user).allowed);
    expect(decisions).toContain(true);
    expect(decisions).toContain(false);
  });
});

describe('parseDevUsers', () => {
  it('returns valid users', () => {
    expect(parseDevUsers([{ email: 'a@example.com', name: 'A', groups: ['g'] }], 'users.json')).toEqual([
      { email: 'a@example.com', name: 'A', groups: ['g'] },
    ]);
  });

  it.each([
    {
      problem: 'not an array',
      value: { email: 'a@example.com' },
      message: 'users.json: expected a non-empty JSON array',
    },
    { problem: 'an empty array', value: [], message: 'users.json: expected a non-empty JSON array' },
    {
      problem: 'an entry that is not an object',
      value: ['a@example.com'],
      message: 'users.json: users[0] must be an object',
    },
    { problem: 'a missing email', value: [{ name: 'A', groups: [] }], message: 'users.json: users[0] needs "email"' },
    {
      problem: 'a malformed email',
      value: [{ email: 'a at example.com', name: 'A', groups: [] }],
      message: 'users.json: users[0] ("a at example.com") needs "email"',
    },
    {
      problem: 'an empty name',
      value: [{ email: 'a@example.com', name: ' ', groups: [] }],
      message: 'users[0] ("a@example.com") needs "name"',
    },
    {
      problem: 'groups as a string',
      value: [{ email: 'a@example.com', name: 'A', groups: 'eng' }],
      message: 'users[0] ("a@example.com") needs "groups"',
    },
    {
      problem: 'a non-string group',
      value: [{ email: 'a@example.com', name: 'A', groups: [1] }],
      message: 'needs "groups": an array of group names',
    },
    {
      problem: 'a misspelt field',
      value: [{ email: 'a@example.com', name: 'A', group: ['eng'] }],
      message: 'has unknown field(s) "group"',
    },
    {
      problem: 'the same email twice, in another case',
      value: [
        { email: 'a@example.com', name: 'A', groups: [] },
        { email: 'A@Example.com', name: 'A again', groups: [] },
      ],
      message: 'users.json: users[1] ("A@Example.com") repeats an email already listed',
    },
  ])('refuses $problem, naming the file and the entry', ({ value, message }) => {
    expect(() => parseDevUsers(value, 'users.json')).toThrow(DevUsersError);
    expect(() => parseDevUsers(value, 'users.json')).toThrow(message);
  });
});

describe('loadDevUsers', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'dev-users-'));
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('names a file it cannot read', async () => {
    const missing = join(directory, 'missing.json');
    await expect(loadDevUsers(missing)).rejects.toThrow(`${missing}: cannot read the dev users file`);
  });

  it('names a file that is not JSON', async () => {
    const broken = join(directory, 'broken.json');
    await writeFile(broken, '[{ "email": ');
    await expect(loadDevUsers(broken)).rejects.toThrow(`${broken}: not valid JSON`);
  });

  it('is the repository file by default', () => {
    expect(devUsersFile).toMatch(/dev[/\\]users\.json$/);
  });
});
