/**
 * The shipped GitHub workflows: schema, repository rules, and what each must do (preview on a
 * pull request with the policy diff and the guardrails; deploy dev, then prod behind approval).
 */
import { readdir, readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  type RepositoryFacts,
  upstreamJobs,
  type Workflow,
  workflowProblems,
  workflowSchema,
} from './workflow-check.ts';

const root = new URL('../../', import.meta.url);
let facts: RepositoryFacts;
const workflows = new Map<string, Workflow>();
const documents = new Map<string, unknown>();

beforeAll(async () => {
  const packageJson = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const stacks = (await readdir(root)).flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? []);
  facts = { npmScripts: Object.keys(packageJson.scripts), stacks, policyPack: 'infra/guardrails' };
  for (const file of ['preview.yml', 'deploy.yml']) {
    const document: unknown = parseYaml(await readFile(new URL(`.github/workflows/${file}`, root), 'utf8'));
    documents.set(file, document);
    workflows.set(file, workflowSchema.parse(document));
  }
});

const steps = (workflow: Workflow, job: string) => workflow.jobs[job]?.steps ?? [];
const runs = (workflow: Workflow, job: string) => steps(workflow, job).flatMap((step) => step.run ?? []);
const pulumiSteps = (workflow: Workflow, job: string) =>
  steps(workflow, job).filter((step) => step.uses?.startsWith('pulumi/actions@'));

describe.each(['preview.yml', 'deploy.yml'])('%s', (file) => {
  it('follows the schema and the repository rules', () => {
    expect(workflowProblems(documents.get(file), facts)).toEqual([]);
  });
});

describe('preview.yml', () => {
  it('runs on pull requests with read-only defaults', () => {
    const workflow = workflows.get('preview.yml')!;
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('installs the lockfile and runs the whole test command', () => {
    expect(runs(workflows.get('preview.yml')!, 'test')).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
  });

  it('posts the policy diff between the base branch and the pull request', () => {
    const commands = runs(workflows.get('preview.yml')!, 'policy-diff').join('\n');
    expect(commands).toMatch(/npm run -s policy -- diff "origin\/\$BASE_REF" HEAD --format markdown/);
    expect(steps(workflows.get('preview.yml')!, 'policy-diff').find((step) => step.run?.includes('diff'))?.env).toEqual(
      {
        BASE_REF: '${{ github.base_ref }}',
      },
    );
    expect(commands).toMatch(/gh pr comment .*--body-file policy-diff\.md/);
    expect(workflows.get('preview.yml')!.jobs['policy-diff']?.permissions).toMatchObject({ 'pull-requests': 'write' });
  });

  it('previews every shipped stack with the guardrails and comments on the pull request', () => {
    const workflow = workflows.get('preview.yml')!;
    const [preview] = pulumiSteps(workflow, 'preview');
    expect(preview?.with).toMatchObject({ command: 'preview', policyPacks: 'infra/guardrails', 'comment-on-pr': true });
    expect(workflow.jobs.preview?.strategy?.matrix.stack?.map(String).toSorted()).toEqual(facts.stacks.toSorted());
    expect(workflow.jobs.preview?.needs).toBe('test');
  });
});

describe('deploy.yml', () => {
  it('runs on merges to main, one deployment at a time, never cancelled half-way', () => {
    const workflow = workflows.get('deploy.yml')!;
    expect(workflow.on).toEqual({ push: { branches: ['main'] } });
    expect(workflow.concurrency).toEqual({ group: 'deploy', 'cancel-in-progress': false });
  });

  it('deploys dev after the tests, then prod behind the production environment approval', () => {
    const workflow = workflows.get('deploy.yml')!;
    expect(pulumiSteps(workflow, 'dev')[0]?.with).toMatchObject({
      command: 'up',
      'stack-name': 'dev',
      policyPacks: 'infra/guardrails',
    });
    expect(workflow.jobs.dev?.needs).toBe('test');
    expect(workflow.jobs.prod?.environment).toBe('production');
    expect(upstreamJobs(workflow, 'prod')).toEqual(['dev', 'test']);
    expect(workflow.jobs.prod?.strategy?.matrix.stack).toContain('prod');
    expect(pulumiSteps(workflow, 'prod')[0]?.with).toMatchObject({ command: 'up', policyPacks: 'infra/guardrails' });
  });

  it('checks each deployment from outside right after it', () => {
    const workflow = workflows.get('deploy.yml')!;
    for (const job of ['dev', 'prod'])
      expect(runs(workflow, job).some((run) => run.startsWith('npm run smoke -- '))).toBe(true);
  });
});

describe('workflowProblems', () => {
  const minimal = {
    name: 'x',
    on: { push: {} },
    permissions: { contents: 'read' },
    jobs: { a: { 'runs-on': 'ubuntu-latest', 'timeout-minutes': 5, steps: [{ run: 'npm ci' }, { run: 'npm test' }] } },
  };
  const job = (extra: object) => ({ ...minimal, jobs: { a: { ...minimal.jobs.a, ...extra } } });

  it('accepts a minimal workflow', () => {
    expect(workflowProblems(minimal, facts)).toEqual([]);
  });

  it.each([
    ['a missing timeout', job({ 'timeout-minutes': undefined }), /timeout-minutes/],
    [
      'a step with both uses and run',
      job({ steps: [{ uses: 'actions/checkout@v4', run: 'ls' }] }),
      /exactly one of uses and run/,
    ],
    ['an action without a version', job({ steps: [{ uses: 'actions/checkout' }] }), /owner\/repo@version/],
    ['a typo in a key', job({ runs_on: 'x' }), /runs_on/],
    ['a needs on no job', job({ needs: 'build' }), /needs names "build"/],
    [
      'an unknown npm script',
      job({ steps: [{ run: 'npm ci' }, { run: 'npm run deploy-everything' }] }),
      /npm run deploy-everything names no script/,
    ],
    ['npm before npm ci', job({ steps: [{ run: 'npm test' }] }), /before npm ci/],
    [
      'a secret in a shell line',
      job({ steps: [{ run: 'npm ci' }, { run: 'echo ${{ secrets.CLOUDFLARE_API_TOKEN }}' }] }),
      /secret is pasted/,
    ],
    [
      'an expression in a shell line',
      job({ steps: [{ run: 'npm ci' }, { run: 'echo "${{ github.event.pull_request.title }}"' }] }),
      /expression is pasted/,
    ],
    [
      'a Pulumi step without the guardrails',
      job({ steps: [{ run: 'npm ci' }, { uses: 'pulumi/actions@v6', with: { command: 'up', 'stack-name': 'dev' } }] }),
      /without the guardrails/,
    ],
    [
      'a Pulumi step on a stack with no file',
      job({
        steps: [
          { run: 'npm ci' },
          {
            uses: 'pulumi/actions@v6',
            with: { command: 'up', 'stack-name': 'staging', policyPacks: 'infra/guardrails' },
          },
        ],
      }),
      /stack "staging" has no Pulumi.staging.yaml/,
    ],
    ['pull_request_target', { ...minimal, on: { pull_request_target: {} } }, /pull_request_target/],
  ])('finds %s', (_, workflow, message) => {
    const problems = workflowProblems(workflow, facts);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
  });

  it('finds jobs that wait on each other', () => {
    const cycle = { ...minimal, jobs: { a: { ...minimal.jobs.a, needs: 'b' }, b: { ...minimal.jobs.a, needs: 'a' } } };
    expect(workflowProblems(cycle, facts)).toEqual([expect.stringMatching(/cycle: a -> b -> a/)]);
  });
});
