/**
 * The text `npm run dev` prints once the stack answers: the URL, who may sign in and why, and how
 * to connect the usual clients, so a newcomer's first minute needs no other page.
 */
import { parseApprover } from '../../policies/engine/approvals.ts';
import { decideSignIn } from '../../policies/engine/decide-sign-in.ts';
import { loadShippedPolicies } from '../../policies/load/load-policies.ts';
import { IDENTITY_PROVIDER_KINDS } from '../../policies/model/identity-provider.ts';
import { providerGroupsOf, rehearsalPolicies, type StandInProfile } from '../access-standin/profiles.ts';
import type { RunningContainerStack, RunningLocalStack } from './local-stack.ts';

/**
 * The one block `npm run dev` prints when everything answers: where to connect, who
 * can sign in, and how to connect the common clients.
 */
export function readyBanner(stack: RunningLocalStack | RunningContainerStack, startupSeconds: number): string {
  const width = Math.max(...stack.users.map((u) => u.email.length));
  const profile = stack.access.profile();
  const policies = rehearsalPolicies(stack.accessPolicies, profile, stack.users);
  const groupsOf = (user: RunningLocalStack['users'][number]) =>
    user.groups.length > 0 ? user.groups.join(', ') : '(no groups)';
  const groupsWidth = Math.max(...stack.users.map((user) => groupsOf(user).length));
  const users = stack.users.map((user) => {
    const decision = decideSignIn(policies, { email: user.email, groups: providerGroupsOf(user, profile) });
    return `    ${user.email.padEnd(width)}  ${groupsOf(user).padEnd(groupsWidth)}  ${decision.allowed ? 'may sign in' : `refused: ${decision.reason}`}`;
  });
  const approvals = approvalLines(stack);
  const claudeConfig = JSON.stringify({
    mcpServers: { 'secure-mcp-local': { command: 'npx', args: ['-y', 'mcp-remote@0.15.1', stack.mcpUrl] } },
  });
  return [
    '',
    `secure-mcp local stack is ready (${startupSeconds.toFixed(1)} s), ${
      stack.mode === 'containers'
        ? 'real containers: one per user (McpContainer under wrangler dev)'
        : 'bridge as a process'
    }`,
    '',
    `  MCP URL          ${stack.mcpUrl}`,
    `  Native tools     ${stack.mcpUrl}/native   (add, whoami: TypeScript tools inside the Worker)`,
    `  Access (local)   ${stack.access.issuer}`,
    `                   rehearsing ${describeProfile(profile)}`,
    stack.mode === 'containers'
      ? `  Containers       ${stack.image} on ${stack.dockerHost}, started at each user's first call (docker ps)`
      : `  Bridge           ${stack.bridge.url}/mcp  ->  stdio MCP server`,
    '',
    '  Dev users (pick one on the local Access sign-in page; Access policies from policies/access.yaml, environment local):',
    ...users,
    ...(approvals.length > 0
      ? ['', '  Calls that wait for a person (policies/tools.yaml, approve rules):', ...approvals]
      : []),
    '',
    '  Connect a client:',
    `    MCP Inspector    npx @modelcontextprotocol/inspector   (Transport: Streamable HTTP, URL: ${stack.mcpUrl})`,
    `    Claude Desktop   add to claude_desktop_config.json:`,
    `                     ${claudeConfig}`,
    `    A token for curl or scripts, no browser:  npm run dev:token -- alice@example.com`,
    '',
    '  Sign-in decisions and one audit line per MCP request appear below. Offboard a user: npm run revoke-user -- <email>',
    '',
    '  Ctrl-C stops everything.',
    '',
  ].join('\n');
}

/**
 * One line per approve rule of the shipped tool policies: which tools wait, and for whom (the dev
 * users of the approving group, and where they decide).
 */
function approvalLines(stack: Pick<RunningLocalStack, 'users' | 'workerUrl'>): string[] {
  return loadShippedPolicies().tools.rules.flatMap((rule) => {
    const by = rule.effect === 'approve' && rule.by ? parseApprover(rule.by) : undefined;
    if (!by) return [];
    const tools = (rule.tools ?? []).join(', ');
    if ('self' in by) return [`    ${tools}: the caller confirms it in their client (MCP elicitation)`];
    const approvers = stack.users.filter((user) => user.groups.includes(by.group)).map((user) => user.email);
    return [
      `    ${tools}: someone in ${by.group} (${approvers.join(', ') || 'no dev user'}) approves it at ${stack.workerUrl}/approvals`,
    ];
  });
}

/** A profile in words, e.g. `Microsoft Entra ID (profile entra): groups as objects, nonce not returned, no name`. */
function describeProfile(profile: StandInProfile): string {
  const details = [
    profile.provider.type === 'onetimepin' || profile.provider.type === 'google'
      ? 'no groups'
      : `groups as ${profile.groups}`,
    profile.echoNonce ? 'nonce returned' : 'nonce not returned',
    ...(profile.sendName ? [] : ['no name']),
  ];
  return `${IDENTITY_PROVIDER_KINDS[profile.provider.type].label} (profile ${profile.name}): ${details.join(', ')}`;
}
