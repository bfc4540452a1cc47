/**
 * Checks a GitHub Actions workflow file without GitHub: a schema of the parts of the workflow
 * syntax this repository uses (zod), then the rules that make a workflow wrong here even when
 * GitHub would accept it (a `needs` naming no job, an `npm run` of a script that does not
 * exist, a Pulumi step without the guardrails, a secret pasted into a shell line, ...).
 * Pure: give it the parsed YAML and what the repository holds.
 */
import { z } from 'zod';

const ACTION_REF = /^[A-Za-z0-9-]+\/[A-Za-z0-9._/-]+@[A-Za-z0-9._-]+$/;
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const stepSchema = z
  .object({
    name: z.string().optional(),
    id: z.string().optional(),
    if: z.string().optional(),
    uses: z.string().regex(ACTION_REF, 'uses must be owner/repo@version').optional(),
    run: z.string().optional(),
    with: z.record(z.string(), scalar).optional(),
    env: z.record(z.string(), scalar).optional(),
    'working-directory': z.string().optional(),
  })
  .strict()
  .refine((step) => (step.uses === undefined) !== (step.run === undefined), 'a step has exactly one of uses and run');

const jobSchema = z
  .object({
    name: z.string().optional(),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: z.string().optional(),
    'runs-on': z.string(),
    'timeout-minutes': z.number().int().positive(),
    environment: z.union([z.string(), z.object({ name: z.string(), url: z.string().optional() })]).optional(),
    permissions: z.record(z.string(), z.enum(['read', 'write', 'none'])).optional(),
    concurrency: z.unknown().optional(),
    strategy: z
      .object({
        'fail-fast': z.boolean().optional(),
        'max-parallel': z.number().int().positive().optional(),
        matrix: z.record(z.string(), z.array(scalar)),
      })
      .strict()
      .optional(),
    env: z.record(z.string(), scalar).optional(),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

/** The workflow shape this repository writes. */
export const workflowSchema = z
  .object({
    name: z.string(),
    on: z.record(z.string(), z.unknown()),
    permissions: z.record(z.string(), z.enum(['read', 'write', 'none'])),
    concurrency: z.object({ group: z.string(), 'cancel-in-progress': z.boolean() }).strict().optional(),
    env: z.record(z.string(), scalar).optional(),
    jobs: z.record(z.string(), jobSchema),
  })
  .strict();

export type Workflow = z.infer<typeof workflowSchema>;
type Job = Workflow['jobs'][string];

/** What the repository holds, for the rules. */
export interface RepositoryFacts {
  /** The `scripts` of package.json. */
  npmScripts: readonly string[];
  /** Stacks with a shipped `Pulumi.<stack>.yaml`. */
  stacks: readonly string[];
  /** The policy pack every Pulumi step must run. */
  policyPack: string;
}

/**
 * Every problem with a parsed workflow, one sentence each; empty when it is fine.
 *
 * @example
 * ```ts
 * workflowProblems(parseYaml(await readFile('.github/workflows/deploy.yml', 'utf8')), facts); // []
 * ```
 */
export function workflowProblems(document: unknown, facts: RepositoryFacts): string[] {
  const parsed = workflowSchema.safeParse(document);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  const workflow = parsed.data;
  const problems: string[] = [];
  if ('pull_request_target' in workflow.on) {
    problems.push('on.pull_request_target runs untrusted pull-request code with secrets; use pull_request');
  }
  for (const [jobId, job] of Object.entries(workflow.jobs)) {
    problems.push(...jobProblems(jobId, job, workflow, facts));
  }
  problems.push(...cycleProblems(workflow));
  return problems;
}

function jobProblems(jobId: string, job: Job, workflow: Workflow, facts: RepositoryFacts): string[] {
  const problems: string[] = [];
  for (const need of needsOf(job)) {
    if (!(need in workflow.jobs))
      problems.push(`jobs.${jobId}.needs names "${need}", which is no job of this workflow`);
  }
  let installed = false;
  job.steps.forEach((step, index) => {
    const where = `jobs.${jobId}.steps[${index}]`;
    if (step.run) {
      if (/\$\{\{\s*secrets\./.test(step.run)) {
        problems.push(`${where}: a secret is pasted into the shell line; pass it through env instead`);
      } else if (step.run.includes('${{')) {
        // An expression is pasted into the script before the shell parses it: text from a pull request becomes code.
        problems.push(`${where}: an expression is pasted into the shell line; pass it through env and quote "$NAME"`);
      }
      for (const [, script] of step.run.matchAll(/npm run(?: -s| --silent)? ([\w:.-]+)/g)) {
        if (!facts.npmScripts.includes(script!))
          problems.push(`${where}: npm run ${script} names no script in package.json`);
      }
      if (/\bnpm ci\b/.test(step.run)) installed = true;
      else if (/\bnpm (run|test)\b/.test(step.run) && !installed)
        problems.push(`${where}: npm runs before npm ci installed the locked dependencies`);
    }
    if (step.uses?.startsWith('pulumi/actions@')) {
      if (!installed) problems.push(`${where}: the Pulumi program runs before npm ci installed its dependencies`);
      if (step.with?.policyPacks !== facts.policyPack)
        problems.push(`${where}: a Pulumi step without the guardrails (policyPacks: ${facts.policyPack})`);
      for (const stack of stacksOf(String(step.with?.['stack-name'] ?? ''), job)) {
        if (!facts.stacks.includes(stack)) problems.push(`${where}: stack "${stack}" has no Pulumi.${stack}.yaml`);
      }
    }
  });
  return problems;
}

function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
}

/** The stacks a `stack-name` names: itself, or each value of the matrix key it refers to. */
function stacksOf(stackName: string, job: Job): string[] {
  const matrixKey = /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(stackName)?.[1];
  if (!matrixKey) return stackName ? [stackName] : ['(none)'];
  return (job.strategy?.matrix[matrixKey] ?? ['(missing matrix key)']).map(String);
}

function cycleProblems(workflow: Workflow): string[] {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const problems: string[] = [];
  const visit = (jobId: string, path: string[]): void => {
    if (done.has(jobId) || !(jobId in workflow.jobs)) return;
    if (visiting.has(jobId)) {
      problems.push(`jobs wait on each other in a cycle: ${[...path, jobId].join(' -> ')}`);
      return;
    }
    visiting.add(jobId);
    for (const need of needsOf(workflow.jobs[jobId]!)) visit(need, [...path, jobId]);
    visiting.delete(jobId);
    done.add(jobId);
  };
  for (const jobId of Object.keys(workflow.jobs)) visit(jobId, []);
  return problems;
}

/**
 * The jobs a job waits for, directly or not.
 *
 * @example
 * ```ts
 * upstreamJobs(workflow, 'prod'); // ['dev', 'test']
 * ```
 */
export function upstreamJobs(workflow: Workflow, jobId: string): string[] {
  const seen = new Set<string>();
  const walk = (id: string) => {
    for (const need of needsOf(workflow.jobs[id]!)) {
      if (!seen.has(need) && need in workflow.jobs) {
        seen.add(need);
        walk(need);
      }
    }
  };
  walk(jobId);
  return [...seen].sort();
}
