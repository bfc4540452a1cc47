import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyShippedPolicies,
  type ScratchPolicyRepo,
  scratchPolicyRepo,
} from '../../test/support/shipped-policy-copies.ts';
import { runPolicyCli } from './policy-cli.ts';

// A scratch git repository holding a copy of the shipped policies, so diff reads real revisions.
let repo: ScratchPolicyRepo;
beforeAll(() => {
  repo = scratchPolicyRepo('secure-mcp-policy-cli-');
});
afterAll(() => repo.remove());

describe('policy diff', () => {
  it('prints the widened rows of a commit that widens access, and fails with --fail-on-widen', () => {
    const tools = readFileSync(repo.policyFile('tools.yaml'), 'utf8');
    writeFileSync(
      repo.policyFile('tools.yaml'),
      tools.replace('      - get-tiny-image\n', '      - get-tiny-image\n      - trigger-long-running-operation\n'),
    );
    repo.commitAll('support may run long operations');

    const result = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen', '--format', 'markdown'], repo.root);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('### Policy diff');
    expect(result.stdout).toContain('1 change(s) between HEAD~1 and HEAD: 1 widen access, 0 narrow it.');
    expect(result.stdout).toContain(
      '| ⚠️ widened | bob@example.com [support] | tool trigger-long-running-operation | denied (default-deny) | allowed, at most 60 calls per 1m per person and tool (support-read-only), after approval by group:sre (long-operations-need-sre; covers 10m) |',
    );
    expect(runPolicyCli(['diff', 'HEAD~1', 'HEAD'], repo.root).exitCode).toBe(0);
  });

  it('counts a weaker approval as widening and a new one as narrowing', () => {
    const tools = readFileSync(repo.policyFile('tools.yaml'), 'utf8');
    writeFileSync(repo.policyFile('tools.yaml'), tools.replace('    by: group:sre\n', '    by: self\n'));
    repo.commitAll('callers confirm their own long operations');
    const weaker = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(weaker.exitCode).toBe(1);
    expect(weaker.stdout).toContain(
      'WIDENED   alice@example.com [engineering]  tool trigger-long-running-operation: allowed (engineering-uses-everything), after approval by group:sre (long-operations-need-sre; covers 10m) -> allowed (engineering-uses-everything), after approval by self (long-operations-need-sre; covers 10m)',
    );

    writeFileSync(
      repo.policyFile('tools.yaml'),
      readFileSync(repo.policyFile('tools.yaml'), 'utf8').replace(
        '  # Support may compress files',
        '  - name: sums-need-sre\n    effect: approve\n    who: [{ everyone: true }]\n    tools: [get-sum]\n    by: group:sre\n\n  # Support may compress files',
      ),
    );
    repo.commitAll('sums need sre');
    const stronger = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(stronger.exitCode).toBe(0);
    expect(stronger.stdout).toContain(
      'narrowed  bob@example.com [support]  tool get-sum: allowed, at most 60 calls per 1m per person and tool (support-read-only) -> allowed, at most 60 calls per 1m per person and tool (support-read-only), after approval by group:sre (sums-need-sre)',
    );
  });

  it('reports lost sign-in as narrowed (exit 0 even with --fail-on-widen), for people given on the command line too', () => {
    const access = readFileSync(repo.policyFile('access.yaml'), 'utf8');
    writeFileSync(
      repo.policyFile('access.yaml'),
      access.replace('environments: [prod, local]', 'environments: [prod, local, dev]'),
    );
    repo.commitAll('no contractors in dev either');

    const result = runPolicyCli(
      [
        'diff',
        'HEAD~1',
        'HEAD',
        '--fail-on-widen',
        '--email',
        'carl@example.com',
        '--groups',
        'contractors,engineering',
      ],
      repo.root,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      'narrowed  mallory@example.com [contractors]  sign-in (dev): allowed (employees) -> refused (contractors-not-in-prod)',
    );
    expect(result.stdout).toContain('narrowed  carl@example.com [contractors, engineering]  sign-in (dev)');
  });

  it('shows moving an allow policy above a deny policy as a change of who may sign in', () => {
    const access = readFileSync(repo.policyFile('access.yaml'), 'utf8');
    const start = access.indexOf('  - name: contractors-not-in-prod');
    const middle = access.indexOf('  - name: employees');
    const moved = `${access.slice(0, start)}${access.slice(middle).trimEnd()}\n\n${access.slice(start, middle).trimEnd()}\n`;
    writeFileSync(repo.policyFile('access.yaml'), moved);
    repo.commitAll('employees first');

    const result = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      'WIDENED   mallory@example.com [contractors]  sign-in (prod): refused (contractors-not-in-prod) -> allowed (employees)',
    );
    expect(result.stdout).toContain(
      'note: Access policy order in prod changed: contractors-not-in-prod > employees became employees > contractors-not-in-prod',
    );
    writeFileSync(repo.policyFile('access.yaml'), access);
    repo.commitAll('contractors rule first again');
  });

  it('counts a loosened rate limit as widening, and a tightened one as narrowing', () => {
    const tools = readFileSync(repo.policyFile('tools.yaml'), 'utf8');
    writeFileSync(
      repo.policyFile('tools.yaml'),
      tools.replace('rateLimit: { calls: 60, per: 1m }', 'rateLimit: { calls: 600, per: 1m }'),
    );
    repo.commitAll('support may call ten times as often');
    const loosened = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(loosened.exitCode).toBe(1);
    expect(loosened.stdout).toContain(
      'WIDENED   bob@example.com [support]  tool echo: allowed, at most 60 calls per 1m per person and tool (support-read-only) -> allowed, at most 600 calls per 1m per person and tool (support-read-only)',
    );
    writeFileSync(repo.policyFile('tools.yaml'), tools);
    repo.commitAll('back to 60');
    expect(runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root).exitCode).toBe(0);
  });

  it('compares with the working tree when given one revision, and says when nothing changed', () => {
    expect(runPolicyCli(['diff', 'HEAD'], repo.root).stdout).toContain(
      'No change in who may sign in or use what between HEAD and the working tree.',
    );
  });

  it('refuses an unknown revision with exit 2', () => {
    const result = runPolicyCli(['diff', 'no-such-rev', 'HEAD'], repo.root);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('cannot read the policies');
  });
});

describe('policy explain', () => {
  it('says whether a person may sign in and what they may use, with the deciding rule', () => {
    const result = runPolicyCli(['explain', '--email', 'mallory@example.com', '--groups', 'contractors'], repo.root);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/prod\s+refused\s+Denied by policy "contractors-not-in-prod"/);
    expect(result.stdout).toMatch(/tool echo\s+denied \(default-deny\)/);
    expect(result.stdout).toMatch(/Access policy order .*\n(?:.*\n)*\s+prod\s+contractors-not-in-prod > employees/);
  });

  it('needs an email', () => {
    expect(runPolicyCli(['explain'], repo.root).exitCode).toBe(2);
  });
});

describe('policy check', () => {
  /** A project folder with the shipped policies and stack files that pin `types` per stack. */
  function projectWith(stacks: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'secure-mcp-policy-project-'));
    copyShippedPolicies(join(dir, 'policies'));
    writeFileSync(join(dir, 'Pulumi.yaml'), 'name: secure-mcp\nruntime: nodejs\n');
    for (const [stack, type] of Object.entries(stacks)) {
      writeFileSync(
        join(dir, `Pulumi.${stack}.yaml`),
        `config:\n  secure-mcp:identityProviderId: REPLACE-WITH-YOUR-IDENTITY-PROVIDER-ID\n  secure-mcp:identityProviderType: ${type}\n`,
      );
    }
    return dir;
  }

  it('checks each environment against the provider its stack file pins, and says which', () => {
    const dir = projectWith({ dev: 'onetimepin', prod: 'okta' });
    try {
      const result = runPolicyCli(['check', '--dir', join(dir, 'policies')], repo.root);
      expect(result.stderr).toBe('');
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(
        'Access rules checked against the identity provider of dev (one-time PIN), local (generic OIDC), prod (Okta).',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a group rule in an environment whose stack pins one-time PIN, at the rule', () => {
    const dir = projectWith({ prod: 'onetimepin' });
    try {
      const result = runPolicyCli(['check', '--dir', join(dir, 'policies')], repo.root);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(
        /policies\/access\.yaml:\d+:\d+: in prod \(one-time PIN, Pulumi\.prod\.yaml\) Access policy "contractors-not-in-prod": group "contractors": one-time PIN has no groups/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses the group rule when asked to check every environment against one-time PIN', () => {
    const result = runPolicyCli(['check', '--identity-provider', 'onetimepin'], repo.root);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/access\.yaml:\d+:\d+: in local, prod \(one-time PIN, --identity-provider\)/);
    expect(runPolicyCli(['check', '--identity-provider', 'okta'], repo.root).exitCode).toBe(0);
    expect(runPolicyCli(['check', '--identity-provider', 'oidc'], repo.root).stderr).toMatch(
      /"groups" is not \(registered: none\)/,
    );
    expect(
      runPolicyCli(['check', '--identity-provider', 'oidc', '--identity-provider-claims', 'groups'], repo.root)
        .exitCode,
    ).toBe(0);
    const wrong = runPolicyCli(['check', '--identity-provider', 'entra'], repo.root);
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/^--identity-provider is "entra", but it must be one of okta, azureAD/);
  });

  it('names a stack file that pins no provider kind', () => {
    const dir = projectWith({});
    writeFileSync(join(dir, 'Pulumi.prod.yaml'), 'config:\n  secure-mcp:accessTeamName: acme\n');
    try {
      const result = runPolicyCli(['check', '--dir', join(dir, 'policies')], repo.root);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(
        'Pulumi.prod.yaml:1:1: identityProviderType is missing: the kind of that provider: okta, azureAD, google-apps, google, github, saml, oidc, onetimepin. Set it: pulumi config set identityProviderType <value> --stack prod',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 with file and line when a policy test fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secure-mcp-policy-check-'));
    try {
      copyShippedPolicies(dir);
      writeFileSync(
        join(dir, 'cases.yaml'),
        'requests:\n  - who: { email: bob@example.com, groups: [support] }\n    tool: echo\n    expect: deny\n',
      );
      const result = runPolicyCli(['check', '--dir', dir], repo.root);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toMatch(/cases\.yaml:2:5: bob@example\.com calling tool echo: expected deny, got allow/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
