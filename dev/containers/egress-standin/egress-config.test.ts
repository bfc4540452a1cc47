import { describe, expect, it } from 'vitest';
import { applyEgressUpdate, hostnameAllowed, type EgressConfig } from './egress-config.ts';

const initial: EgressConfig = { port: 40000, allowHostnames: [], internetEnabled: undefined };

describe('PUT /egress', () => {
  it('takes the port, the DNS allow list and the internet switch workerd sends', () => {
    expect(
      applyEgressUpdate(initial, {
        port: 40001,
        dns: { allowHostnames: ['*', 'API.example.com'] },
        internet: { enabled: false },
      }),
    ).toEqual({ port: 40001, allowHostnames: ['*', 'api.example.com'], internetEnabled: false });
  });

  it('keeps what an update leaves out (a port-only update after a workerd restart)', () => {
    const configured = applyEgressUpdate(initial, {
      port: 40001,
      dns: { allowHostnames: ['*'] },
      internet: { enabled: true },
    });
    expect(applyEgressUpdate(configured, { port: 40002 })).toEqual({ ...configured, port: 40002 });
  });

  it('refuses what is not that shape', () => {
    for (const body of [
      null,
      'x',
      {},
      { port: 'x' },
      { port: 0 },
      { port: 1, dns: { allowHostnames: [1] } },
      { port: 1, internet: { enabled: 'yes' } },
    ])
      expect(() => applyEgressUpdate(initial, body)).toThrow(/must|needs/);
  });
});

describe('host name globs, as workerd matches them', () => {
  it('matches * as any run of characters, case-insensitively, ignoring a trailing dot', () => {
    expect(hostnameAllowed('api.github.com', ['*.github.com'])).toBe(true);
    expect(hostnameAllowed('a.b.github.com', ['*.github.com'])).toBe(true);
    expect(hostnameAllowed('github.com', ['*.github.com'])).toBe(false);
    expect(hostnameAllowed('API.GitHub.com.', ['api.github.com'])).toBe(true);
    expect(hostnameAllowed('anything.test', ['*'])).toBe(true);
    expect(hostnameAllowed('cloudflare.x.com', ['cloudflare.*.com'])).toBe(true);
    expect(hostnameAllowed('evil.com', [])).toBe(false);
  });

  it('treats the other characters of a glob literally', () => {
    expect(hostnameAllowed('apixgithub.com', ['api.github.com'])).toBe(false);
  });
});
