import { describe, expect, it } from 'vitest';
import type { ToolPolicies } from '../model/tool-policy.ts';
import { filterList } from './filter-list.ts';

const bob = { email: 'bob@example.com', groups: ['support'] };
const policies: ToolPolicies = {
  unlistedMethods: 'deny',
  rules: [
    { name: 'no-env', effect: 'deny', who: [{ everyone: true }], tools: ['get-env'] },
    {
      name: 'support',
      effect: 'allow',
      who: [{ group: 'support' }],
      tools: ['get-*', 'echo'],
      resources: ['demo://static/*'],
      prompts: ['simple'],
    },
    {
      name: 'weather',
      effect: 'allow',
      who: [{ group: 'support' }],
      tools: ['weather'],
      arguments: { city: { oneOf: ['Chicago'] } },
    },
  ],
};

describe('filterList', () => {
  it('keeps the tools a person may call, drops denied and unmatched ones, keeps the order', () => {
    const tools = ['echo', 'get-env', 'get-sum', 'admin', 'weather'].map((name) => ({ name, description: name }));
    expect(filterList(policies, bob, 'tools', tools).map((tool) => tool.name)).toEqual(['echo', 'get-sum', 'weather']);
  });

  it('filters resources by URI, templates by URI template, prompts by name', () => {
    expect(filterList(policies, bob, 'resources', [{ uri: 'demo://static/a' }, { uri: 'demo://dynamic/b' }])).toEqual([
      { uri: 'demo://static/a' },
    ]);
    expect(
      filterList(policies, bob, 'resourceTemplates', [
        { uriTemplate: 'demo://static/{id}' },
        { uriTemplate: 'x://{id}' },
      ]),
    ).toEqual([{ uriTemplate: 'demo://static/{id}' }]);
    expect(filterList(policies, bob, 'prompts', [{ name: 'simple' }, { name: 'complex' }])).toEqual([
      { name: 'simple' },
    ]);
  });

  it('drops entries without a name rather than guessing', () => {
    expect(filterList(policies, bob, 'tools', [{ title: 'no name' }, null, 'echo', { name: 5 }])).toEqual([]);
  });
});
