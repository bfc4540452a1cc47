/**
 * `npm run policy -- diff`: what a change to the policies does to people, not to YAML. Who gains
 * or loses sign-in or a tool between two revisions, with widening marked, so a reviewer reads the
 * effect of a pull request at a glance.
 */
import { decideSignIn } from '../engine/decide-sign-in.ts';
import type { LoadedPolicies } from '../load/load-policies.ts';
import { policiesForEnvironment } from '../model/access-policy.ts';
import type { RequestIdentity } from '../model/tool-policy.ts';
import { environmentsOf } from './explain-command.ts';
import { describePermission, loosensLimit, permissionOf, type Permission } from './permission.ts';
import { diffDefinitions, renderDefinitionChanges, type DefinitionChange } from './definition-diff.ts';
import { targetsOf } from './targets.ts';

/** One thing that changed for one person. `widened` means more access than before (or changed conditions, which a reviewer must read). */
interface DiffRow {
  who: string;
  what: string;
  before: string;
  after: string;
  widened: boolean;
}

export interface PolicyDiff {
  signIn: DiffRow[];
  use: DiffRow[];
  /** Pinned definitions (inventory.yaml) that are new, gone or changed. */
  definitions: DefinitionChange[];
  /** A change of the answer for unknown methods. */
  unlistedMethods?: DiffRow;
  /**
   * Environments whose Access policies kept their names but changed order, in words. Access
   * stops at the first matching policy, so an order change can change who gets in; the rows
   * above show whom, among the people the diff knows.
   */
  orderChanges: string[];
}

/**
 * Who gains or loses what between two versions of the policies: sign-in per environment,
 * and every tool, resource and prompt (from both inventories and policy tests), for the
 * people named in both versions' policy tests plus `extra`. Pure.
 *
 * @example
 * ```ts
 * const diff = diffPolicies(before, after, []);
 * diff.use.filter((row) => row.widened); // what someone may now do that they could not before
 * ```
 */
export function diffPolicies(before: LoadedPolicies, after: LoadedPolicies, extra: RequestIdentity[]): PolicyDiff {
  const people = identitiesOf([before, after], extra);
  const signIn: DiffRow[] = [];
  for (const environment of environmentsOf(before, after)) {
    for (const person of people) {
      const was = decideSignIn(policiesForEnvironment(before.access ?? [], environment.name), person);
      const now = decideSignIn(policiesForEnvironment(after.access ?? [], environment.name), person);
      if (was.allowed === now.allowed) continue;
      signIn.push({
        who: label(person),
        what: `sign-in (${environment.label})`,
        before: was.allowed ? `allowed (${was.policy})` : `refused${was.policy ? ` (${was.policy})` : ''}`,
        after: now.allowed ? `allowed (${now.policy})` : `refused${now.policy ? ` (${now.policy})` : ''}`,
        widened: !was.allowed && now.allowed,
      });
    }
  }

  const use: DiffRow[] = [];
  if (before.tools && after.tools) {
    for (const target of targetsOf([before, after])) {
      for (const person of people) {
        const was = permissionOf(before.tools, person, target);
        const now = permissionOf(after.tools, person, target);
        if (samePermission(was, now)) continue;
        use.push({
          who: label(person),
          what: `${target.kind} ${target.name}`,
          before: describePermission(was),
          after: describePermission(now),
          widened: widens(was, now),
        });
      }
    }
  }
  const orderChanges: string[] = [];
  for (const environment of environmentsOf(before, after)) {
    const was = policiesForEnvironment(before.access ?? [], environment.name).map((policy) => policy.name);
    const now = policiesForEnvironment(after.access ?? [], environment.name).map((policy) => policy.name);
    const kept = now.filter((name) => was.includes(name));
    const keptBefore = was.filter((name) => now.includes(name));
    if (kept.join('\n') !== keptBefore.join('\n'))
      orderChanges.push(
        `Access policy order in ${environment.label} changed: ${keptBefore.join(' > ')} became ${kept.join(' > ')} (Access stops at the first policy that matches).`,
      );
  }
  const diff: PolicyDiff = {
    signIn,
    use,
    orderChanges,
    definitions: diffDefinitions(before.inventory, after.inventory),
  };
  if (before.tools && after.tools && before.tools.unlistedMethods !== after.tools.unlistedMethods) {
    diff.unlistedMethods = {
      who: 'everyone',
      what: 'methods no rule names',
      before: before.tools.unlistedMethods,
      after: after.tools.unlistedMethods,
      widened: after.tools.unlistedMethods === 'allow',
    };
  }
  return diff;
}

const rank = { denied: 0, conditional: 1, allowed: 2 } as const;

function widens(was: Permission, now: Permission): boolean {
  if (rank[now.level] !== rank[was.level]) return rank[now.level] > rank[was.level];
  if (loosensLimit(was.limit, now.limit)) return true;
  if (now.level === 'conditional' && now.conditions !== was.conditions) return true;
  return now.level !== 'denied' && weakerApproval(was, now);
}

/**
 * Whether a call needs less approval than before: none instead of some, the caller instead of a
 * group, another group (a reviewer must read who that is), or a longer `ttl`.
 */
function weakerApproval(was: Permission, now: Permission): boolean {
  if (!now.approval) return was.approval !== undefined;
  if (!was.approval) return false;
  const [before, after] = [was.approval.by, now.approval.by];
  if ('group' in before && !('group' in after)) return true;
  if ('group' in before && 'group' in after && before.group !== after.group) return true;
  return (now.approval.ttlMs ?? 0) > (was.approval.ttlMs ?? 0);
}

/** Same access, limit and approval, even if another rule now grants it: a diff is about who may do what. */
function samePermission(a: Permission, b: Permission): boolean {
  return (
    a.level === b.level &&
    a.conditions === b.conditions &&
    JSON.stringify(a.limit ?? null) === JSON.stringify(b.limit ?? null) &&
    sameApproval(a, b)
  );
}

function sameApproval(a: Permission, b: Permission): boolean {
  if (!a.approval || !b.approval) return a.approval === b.approval;
  return (
    JSON.stringify(a.approval.by) === JSON.stringify(b.approval.by) &&
    a.approval.ttlMs === b.approval.ttlMs &&
    a.approval.rule === b.approval.rule
  );
}

function identitiesOf(all: LoadedPolicies[], extra: RequestIdentity[]): RequestIdentity[] {
  const people = new Map<string, RequestIdentity>();
  const add = (person: RequestIdentity) =>
    people.set(label(person), { email: person.email, groups: [...person.groups] });
  for (const loaded of all) {
    for (const row of [...(loaded.cases?.signIn ?? []), ...(loaded.cases?.requests ?? [])]) add(row.who);
  }
  extra.forEach(add);
  return [...people.values()];
}

function label(person: RequestIdentity): string {
  return `${person.email} [${person.groups.join(', ')}]`;
}

/**
 * The diff as a Markdown comment for a pull request (or plain text), widened rows first and marked.
 *
 * @example
 * ```ts
 * console.log(renderDiff(diff, 'HEAD~1', 'HEAD', 'markdown'));
 * ```
 */
export function renderDiff(
  diff: PolicyDiff,
  revA: string,
  revB: string,
  format: 'markdown' | 'text',
  notes: string[] = [],
): string {
  const rows = [...diff.signIn, ...diff.use, ...(diff.unlistedMethods ? [diff.unlistedMethods] : [])];
  const widened = rows.filter((row) => row.widened).length;
  const summary =
    rows.length === 0
      ? `No change in who may sign in or use what between ${revA} and ${revB}.`
      : `${rows.length} change(s) between ${revA} and ${revB}: ${widened} widen access, ${rows.length - widened} narrow it.`;
  const noteLines = [...notes, ...diff.orderChanges].map((note) =>
    format === 'markdown' ? `> ${note}` : `note: ${note}`,
  );
  const definitionLines = renderDefinitionChanges(diff.definitions, format);
  if (rows.length === 0)
    return format === 'markdown'
      ? ['### Policy diff', '', ...noteLines, summary, '', ...definitionLines].join('\n')
      : [...noteLines, summary, ...definitionLines].join('\n');

  const sorted = (list: DiffRow[]) => [...list].sort((a, b) => Number(b.widened) - Number(a.widened));
  if (format === 'text') {
    return [
      ...noteLines,
      summary,
      ...sorted(rows).map(
        (row) => `${row.widened ? 'WIDENED ' : 'narrowed'}  ${row.who}  ${row.what}: ${row.before} -> ${row.after}`,
      ),
      ...definitionLines,
    ].join('\n');
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const table = (title: string, list: DiffRow[]) =>
    list.length === 0
      ? []
      : [
          `#### ${title}`,
          '',
          '| | who | what | before | after |',
          '| --- | --- | --- | --- | --- |',
          ...sorted(list).map(
            (row) =>
              `| ${row.widened ? '⚠️ widened' : 'narrowed'} | ${cell(row.who)} | ${cell(row.what)} | ${cell(row.before)} | ${cell(row.after)} |`,
          ),
          '',
        ];
  return [
    '### Policy diff',
    '',
    ...(noteLines.length > 0 ? [...noteLines, ''] : []),
    summary,
    '',
    ...table('Sign-in', diff.signIn),
    ...table('Tools, resources and prompts', [...diff.use, ...(diff.unlistedMethods ? [diff.unlistedMethods] : [])]),
    ...definitionLines,
  ].join('\n');
}
