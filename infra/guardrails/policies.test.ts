/**
 * The pack's wiring: each policy, called as CrossGuard calls it, reads the stack from the URN,
 * the production tag and the pack configuration, and reports what its rule finds.
 */
import type { ResourceValidationArgs, StackValidationArgs } from '@pulumi/policy';
import { describe, expect, it } from 'vitest';
import { guardrailPolicies } from './policies.ts';
import { GUARDED_TYPES } from './rules.ts';

type Fake = {
  type: string;
  props: Record<string, unknown>;
  stack: string;
  tags?: Record<string, string>;
  config?: Record<string, unknown>;
};

/** Runs every policy on one resource and returns `policy: message` for each violation. */
function violations({ type, props, stack, tags = {}, config = {} }: Fake): string[] {
  const found: string[] = [];
  for (const policy of guardrailPolicies) {
    const args = {
      type,
      props,
      urn: `urn:pulumi:${stack}::secure-mcp::${type}::resource`,
      name: 'resource',
      stackTags: new Map(Object.entries(tags)),
      getConfig: () => config,
      notApplicable: () => {
        throw new Error('not applicable');
      },
    } as unknown as ResourceValidationArgs;
    if (!('validateResource' in policy)) continue;
    const validate = policy.validateResource as (
      args: ResourceValidationArgs,
      report: (message: string) => void,
    ) => void;
    validate(args, (message) => found.push(`${policy.name}: ${message}`));
  }
  return found;
}

const everyone = {
  type: GUARDED_TYPES.accessPolicy,
  props: { name: 'all', decision: 'allow', includes: [{ everyone: {} }], sessionDuration: '12h' },
};

describe('guardrailPolicies', () => {
  it('are all mandatory and named', () => {
    expect(guardrailPolicies.map((policy) => [policy.name, policy.enforcementLevel])).toEqual([
      ['no-everyone-in-production', 'mandatory'],
      ['session-within-maximum', 'mandatory'],
      ['access-app-has-policy', 'mandatory'],
      ['identity-provider-pinned', 'mandatory'],
      ['no-provider-beside-the-pinned-one', 'mandatory'],
      ['no-secret-in-plain-text', 'mandatory'],
      ['image-pinned-by-digest', 'mandatory'],
    ]);
  });

  it('stop everyone on prod and on a tenant, by name or by tag, and not on dev', () => {
    expect(violations({ ...everyone, stack: 'prod' })).toEqual([expect.stringMatching(/^no-everyone-in-production: /)]);
    expect(violations({ ...everyone, stack: 'tenant-acme' })).toHaveLength(1);
    expect(violations({ ...everyone, stack: 'staging', tags: { environment: 'production' } })).toHaveLength(1);
    expect(violations({ ...everyone, stack: 'dev' })).toEqual([]);
    expect(violations({ ...everyone, stack: 'prod', config: { productionStacks: '^live$' } })).toEqual([]);
  });

  it('hold sessions to the configured maximum (24h unless configured)', () => {
    const policy = {
      type: GUARDED_TYPES.accessPolicy,
      props: {
        name: 'staff',
        decision: 'allow',
        includes: [{ emailDomain: { domain: 'example.com' } }],
        sessionDuration: '48h',
      },
    };
    expect(violations({ ...policy, stack: 'dev' })).toEqual([
      expect.stringMatching(/^session-within-maximum: .*maximum 24h/),
    ]);
    expect(violations({ ...policy, stack: 'dev', config: { maxSessionDuration: '72h' } })).toEqual([]);
  });

  it('report the other rules through the pack', () => {
    expect(violations({ type: GUARDED_TYPES.accessApplication, props: { name: 'app' }, stack: 'dev' })).toEqual([
      expect.stringMatching(/^access-app-has-policy: /),
    ]);
    expect(
      violations({
        type: GUARDED_TYPES.accessApplication,
        props: { name: 'app', policies: [{ id: 'p', precedence: 1 }] },
        stack: 'prod',
      }),
    ).toEqual([expect.stringMatching(/^identity-provider-pinned: .*no allowedIdps/)]);
    expect(
      violations({
        type: GUARDED_TYPES.workerScript,
        props: { bindings: [{ type: 'plain_text', name: 'COOKIE_SIGNING_KEY', text: 'x' }] },
        stack: 'dev',
      }),
    ).toEqual([expect.stringMatching(/^no-secret-in-plain-text: /)]);
    expect(
      violations({
        type: GUARDED_TYPES.containerApplication,
        props: { name: 'b', image: 'bridge:latest' },
        stack: 'dev',
      }),
    ).toEqual([expect.stringMatching(/^image-pinned-by-digest: /)]);
  });
});

describe('the stack-wide guardrail', () => {
  const OKTA = '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c';
  const resource = (type: string, props: Record<string, unknown>, stack: string) => ({
    type,
    props,
    urn: `urn:pulumi:${stack}::secure-mcp::${type}::r`,
    name: 'r',
  });
  function stackViolations(stack: string, allowedIdps: string[], tags: Record<string, string> = {}): string[] {
    const policy = guardrailPolicies.find((candidate) => candidate.name === 'no-provider-beside-the-pinned-one');
    if (!policy || !('validateStack' in policy)) throw new Error('the stack guardrail is missing');
    const found: string[] = [];
    const args = {
      resources: [
        resource(
          GUARDED_TYPES.accessPolicy,
          { name: 'p', decision: 'deny', includes: [{ okta: { name: 'contractors', identityProviderId: OKTA } }] },
          stack,
        ),
        resource(GUARDED_TYPES.accessApplication, { name: 'app', allowedIdps }, stack),
      ],
      stackTags: new Map(Object.entries(tags)),
      getConfig: () => ({}),
    } as unknown as StackValidationArgs;
    void policy.validateStack(args, (message) => found.push(message));
    return found;
  }

  it('reads the stack from the resources and stops a second provider on production only', () => {
    expect(stackViolations('prod', [OKTA, 'otp'])).toEqual([expect.stringMatching(/accepts identity provider otp/)]);
    expect(stackViolations('staging', [OKTA, 'otp'], { environment: 'production' })).toHaveLength(1);
    expect(stackViolations('dev', [OKTA, 'otp'])).toEqual([]);
    expect(stackViolations('prod', [OKTA])).toEqual([]);
  });
});

describe('the policy pack', () => {
  it('starts as Pulumi starts it (node --import tsx, in its folder) and announces its port', async () => {
    const { spawn } = await import('node:child_process');
    const pack = spawn(process.execPath, ['--import', 'tsx', 'index.ts'], {
      cwd: new URL('.', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let output = '';
        pack.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('\n')) resolve(output.split('\n')[0]!);
        });
        pack.stderr.on('data', (chunk: Buffer) => reject(new Error(chunk.toString())));
        pack.on('exit', (code) => reject(new Error(`the pack exited with ${code}`)));
      });
      // The engine reads the gRPC port of the analyzer from the first line.
      expect(firstLine).toMatch(/^\d+$/);
    } finally {
      pack.kill();
    }
  });
});
