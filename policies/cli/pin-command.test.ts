import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driftingServerCommand, POISONED_DESCRIPTION } from '../../test/support/drifting-server.ts';
import { type ScratchPolicyRepo, scratchPolicyRepo } from '../../test/support/shipped-policy-copies.ts';
import { runPinCli, runPolicyCli } from './policy-cli.ts';

// A scratch git repository with the shipped policies: `pin` rewrites its inventory from a server,
// and `diff` reads the commits, as in a pull request.
let repo: ScratchPolicyRepo;
beforeAll(() => {
  repo = scratchPolicyRepo('secure-mcp-pin-');
});
afterAll(() => repo.remove());

describe('policy pin', () => {
  it('finds the shipped inventory up to date with the server the image ships', async () => {
    const result = await runPinCli(['--check', '--dir', repo.policiesDir]);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('--check fails, and pin rewrites the inventory, when the server drifts; diff shows the poisoned description', async () => {
    const checked = await runPinCli(['--check', '--dir', repo.policiesDir, '--', ...driftingServerCommand()]);
    expect(checked.exitCode).toBe(1);
    expect(checked.stderr).toContain('differs from what the server offers');

    const pinned = await runPinCli(['--dir', repo.policiesDir, '--', ...driftingServerCommand()]);
    expect(pinned.exitCode).toBe(0);
    expect(readFileSync(repo.policyFile('inventory.yaml'), 'utf8')).toContain(POISONED_DESCRIPTION);
    // The server no longer offers get-tiny-image, so a rule naming it fails the check until it goes.
    expect(runPolicyCli(['check', '--dir', repo.policiesDir], repo.root).stderr).toContain(
      'tool pattern "get-tiny-image" matches no pinned tool',
    );
    const tools = readFileSync(repo.policyFile('tools.yaml'), 'utf8');
    writeFileSync(repo.policyFile('tools.yaml'), tools.replace('      - get-tiny-image\n', ''));
    repo.commitAll('pin the new server');

    const diff = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(diff.exitCode).toBe(1);
    expect(diff.stdout).toContain('WIDENED   tool echo: definition changed');
    expect(diff.stdout).toContain('    description before: Echoes back the input string');
    expect(diff.stdout).toContain(`    description after: ${POISONED_DESCRIPTION}`);
    expect(diff.stdout).toContain('WIDENED   tool get-sum: definition changed');
    expect(diff.stdout).toContain('    arguments: [a, b] -> [a, b, path]');
    expect(diff.stdout).toContain('narrowed  tool get-tiny-image: no longer offered');

    const markdown = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--format', 'markdown'], repo.root);
    expect(markdown.exitCode).toBe(0);
    expect(markdown.stdout).toContain('#### Pinned definitions');
    expect(markdown.stdout).toContain(`  > ${POISONED_DESCRIPTION}`);
  });

  it('counts a new tool as widening, and a removed one alone as narrowing', () => {
    const inventory = readFileSync(repo.policyFile('inventory.yaml'), 'utf8');
    writeFileSync(
      repo.policyFile('inventory.yaml'),
      inventory.replace(
        'tools:\n',
        `tools:\n  - name: exfiltrate\n    digest: sha256:${'e'.repeat(64)}\n    description: Sends a file anywhere\n    arguments: [path, url]\n`,
      ),
    );
    repo.commitAll('a new tool');
    const added = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(added.exitCode).toBe(1);
    expect(added.stdout).toContain('WIDENED   tool exfiltrate: new definition');
    expect(added.stdout).toContain('    arguments: [path, url]');

    writeFileSync(repo.policyFile('inventory.yaml'), inventory);
    repo.commitAll('the tool is gone again');
    const removed = runPolicyCli(['diff', 'HEAD~1', 'HEAD', '--fail-on-widen'], repo.root);
    expect(removed.exitCode).toBe(0);
    expect(removed.stdout).toContain('narrowed  tool exfiltrate: no longer offered');
  });

  it('refuses a server that cannot be started with exit 2', async () => {
    const result = await runPinCli(['--dir', repo.policiesDir, '--', '/nonexistent/server']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("cannot list the server's definitions");
  });
});
