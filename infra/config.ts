/**
 * Stack configuration: read once at program start and checked as a whole, so a stack that
 * is missing three keys says so in one message, one line per key, with the command that
 * fixes it, before anything is created.
 *
 * None of these keys is a secret. The only secret a deployment needs from a person is the
 * provider's API token (`pulumi config set --secret cloudflare:apiToken`); everything else
 * secret is produced by the resources themselves.
 */
import * as pulumi from '@pulumi/pulumi';
import {
  defaultGroupField,
  GROUP_FIELDS,
  IDENTITY_PROVIDER_KEYS,
  parseIdentityProviderSettings,
  type GroupField,
  type IdentityProvider,
} from '../policies/model/identity-provider.ts';
import { INSTANCE_TYPES, type InstanceType } from './container-app/application-spec.ts';

/** Where the Worker answers: the account's workers.dev subdomain, or a custom domain in a zone. */
export type WorkerRoute =
  | { kind: 'workersDev'; subdomain: string }
  | { kind: 'customDomain'; hostname: string; zoneId: string };

/** The validated stack configuration. */
export interface StackConfig {
  /** Cloudflare account that holds every resource. */
  accountId: string;
  /** Zero Trust team name: the `<team>` in `<team>.cloudflareaccess.com`. */
  accessTeamName: string;
  route: WorkerRoute;
  /** How long an Access sign-in lasts, in Cloudflare's duration format. */
  sessionDuration: string;
  /** Where the Worker forwards MCP traffic, until the container takes over. */
  upstreamUrl: string | undefined;
  /** What the gate does with a definition that differs from its pin (the Worker's `DEFINITION_DRIFT`). */
  definitionDrift: 'hide' | 'warn';
  /** How long a call waits for a person's confirmation or a group's approval (the Worker's `APPROVAL_WAIT`). */
  approvalWait: string;
  /** The one identity provider the Access application accepts, and the kind whose selectors `group:` rules become. */
  identityProvider: IdentityProvider & { id: string };
  /** Skip Access's provider choice and go straight to the pinned provider ("Instant Auth"). */
  autoRedirectToIdentity: boolean;
  /** How the Worker reads the id_token (plain_text bindings, `worker/src/config.ts`). */
  signIn: SignInSettings;
  /** The per-user bridge containers; `undefined` when MCP traffic goes to `upstreamUrl` instead. */
  container: ContainerConfig | undefined;
}

/** How the Worker reads Access's id_token: which group field it matches, and whether a missing nonce is refused. */
export interface SignInSettings {
  /** For group objects in the `groups` claim: the field tool policies match (default: the provider's own, see `defaultGroupField`). */
  groupsField: GroupField;
  /** `required` (default): an id_token without the nonce is refused; `if-present`: verified only when Access sends it. */
  nonce: 'required' | 'if-present';
}

/**
 * The Worker's plain_text bindings for `SignInSettings` (names in `worker/env.d.ts`).
 *
 * @example
 * ```ts
 * signInBindings({ groupsField: 'id', nonce: 'required' }); // { ACCESS_GROUPS_FIELD: 'id', ACCESS_NONCE: 'required' }
 * ```
 */
export function signInBindings(settings: SignInSettings): Record<string, string> {
  return { ACCESS_GROUPS_FIELD: settings.groupsField, ACCESS_NONCE: settings.nonce };
}

/** How the bridge containers are built and sized. */
interface ContainerConfig {
  instanceType: InstanceType;
  maxInstances: number;
  /** The base image of `container/Dockerfile`, pinned by digest (its `NODE_IMAGE` and `NODE_IMAGE_DIGEST` build arguments). */
  baseImage: { image: string; digest: string };
  /** Build arguments of `container/Dockerfile`: which stdio MCP server the image holds and how it starts. */
  buildArgs: { MCP_SERVER_PACKAGE?: string; MCP_SERVER_COMMAND?: string };
  /** Plain-text Worker bindings the container class reads (`worker/src/container/container-settings.ts`); only those set. */
  workerSettings: {
    MCP_CONTAINER_SCOPE?: string;
    MCP_CONTAINER_SLEEP_AFTER?: string;
    MCP_CONTAINER_ALLOWED_HOSTS?: string;
  };
}

/** Every key this program reads, with what it means (the messages quote these). */
export const CONFIG_KEYS = {
  accountId: 'the Cloudflare account id, 32 lowercase hex characters (dashboard: Account home, "Account ID")',
  accessTeamName: 'the Zero Trust team name, the <team> in <team>.cloudflareaccess.com',
  workersDevSubdomain: "the account's workers.dev subdomain, the <subdomain> in <subdomain>.workers.dev",
  customDomain: 'a hostname in one of your Cloudflare zones to serve the Worker on, e.g. mcp.example.com',
  customDomainZoneId: 'the id of the zone that customDomain belongs to, 32 lowercase hex characters',
  sessionDuration: 'how long an Access sign-in lasts, e.g. 24h or 8h30m (default 24h)',
  upstreamUrl: 'the https URL the Worker forwards MCP traffic to, e.g. https://mcp.internal.example.com/mcp',
  definitionDrift:
    'what the gateway does with a tool whose definition differs from its pin in policies/inventory.yaml: hide (the default) or warn',
  approvalWait:
    'how long a call that needs approval waits for a person before it fails, from 1s to 1h, e.g. 90s or 10m (default 5m)',
  ...IDENTITY_PROVIDER_KEYS,
  identityProviderAutoRedirect:
    "true (default) to send people straight to the pinned identity provider, false to show Access's login page first",
  groupsClaimField: `which field of a group object in the id_token's groups claim tool policies match: ${GROUP_FIELDS.join(', ')} (default: id for azureAD, email for google-apps, name otherwise)`,
  accessNonce:
    "required (default) to refuse an Access id_token without the sign-in's nonce, if-present to check it only when Access sends it (docs/security.md)",
  containerInstanceType: `the size of each user's container: ${INSTANCE_TYPES.join(', ')} (default basic)`,
  containerMaxInstances: 'how many containers (so users at once) may run, a whole number from 1 (default 10)',
  containerBaseImage:
    'the base image of container/Dockerfile pinned by digest, e.g. node:24-bookworm-slim@sha256:<64 hex> ' +
    '(look the digest up where a registry is reachable: docker buildx imagetools inspect node:24-bookworm-slim)',
  mcpServerPackage: 'the npm package of the stdio MCP server baked into the image, e.g. some-mcp-server@1.2.3',
  mcpServerCommand:
    'the command that starts it over stdio, a JSON array, e.g. ["/opt/mcp-server/node_modules/.bin/some-mcp-server","--stdio"]',
  containerScope: 'who shares a container: user (one per person, the default) or tenant (one per email domain)',
  containerSleepAfter: 'how long an idle container lives, e.g. 15m (the default), 30s or 2h',
  containerAllowedHosts:
    'comma-separated hosts the stdio server may reach, e.g. api.github.com,*.example.com (default: none)',
} as const;

type ConfigKey = keyof typeof CONFIG_KEYS;

/** Thrown when the stack configuration is incomplete or wrong; lists every problem at once. */
export class StackConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `The stack configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((problem) => `  - ${problem}`).join('\n'),
    );
    this.name = 'StackConfigError';
  }
}

const DEFAULT_SESSION_DURATION = '24h';

const HEX_ID = /^[0-9a-f]{32}$/;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Cloudflare's duration format (Go's): one or more number+unit pairs, e.g. `2h45m`. */
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

/**
 * Validates raw stack configuration (keys without the project prefix). Pure: no Pulumi needed.
 *
 * @throws StackConfigError listing every missing, malformed, conflicting or unknown key.
 *
 * @example
 * ```ts
 * const config = parseStackConfig({
 *   accountId: '0123456789abcdef0123456789abcdef',
 *   accessTeamName: 'acme',
 *   workersDevSubdomain: 'acme',
 *   identityProviderId: '5f0c8a4e-3d1b-4c6a-9e2f-7b8d9c0a1b2c',
 *   identityProviderType: 'okta',
 * });
 * config.route; // { kind: 'workersDev', subdomain: 'acme' }
 * config.sessionDuration; // '24h'
 * ```
 */
export function parseStackConfig(raw: Readonly<Record<string, string | undefined>>): StackConfig {
  const problems: string[] = [];
  const value = (key: ConfigKey): string | undefined => raw[key]?.trim() || undefined;

  for (const key of Object.keys(raw)) {
    if (!(key in CONFIG_KEYS)) {
      problems.push(
        `${key} is not a setting of this program (known: ${Object.keys(CONFIG_KEYS).join(', ')}). ` +
          `Remove it: pulumi config rm ${key}`,
      );
    }
  }

  const accountId = value('accountId');
  if (!accountId) problems.push(missingKey('accountId'));
  else if (!HEX_ID.test(accountId))
    problems.push(wrongValue('accountId', accountId, 'it must be 32 lowercase hex characters'));

  const accessTeamName = value('accessTeamName');
  if (!accessTeamName) problems.push(missingKey('accessTeamName'));
  else if (accessTeamName.includes('.')) {
    problems.push(
      wrongValue('accessTeamName', accessTeamName, `it takes only the team name (${accessTeamName.split('.')[0]})`),
    );
  } else if (!DNS_LABEL.test(accessTeamName)) {
    problems.push(wrongValue('accessTeamName', accessTeamName, 'a team name is lowercase letters, digits and hyphens'));
  }

  const route = parseRoute(value('workersDevSubdomain'), value('customDomain'), value('customDomainZoneId'), problems);

  const sessionDuration = value('sessionDuration') ?? DEFAULT_SESSION_DURATION;
  if (!DURATION.test(sessionDuration)) {
    problems.push(wrongValue('sessionDuration', sessionDuration, 'it must be a duration such as 24h, 90m or 2h45m'));
  }

  const upstreamUrl = value('upstreamUrl');
  if (upstreamUrl) {
    const why = upstreamUrlProblem(upstreamUrl);
    if (why) problems.push(wrongValue('upstreamUrl', upstreamUrl, why));
  }

  const identityProvider = parseIdentityProviderSettings(raw, problems);
  const autoRedirectText = value('identityProviderAutoRedirect') ?? 'true';
  if (autoRedirectText !== 'true' && autoRedirectText !== 'false')
    problems.push(wrongValue('identityProviderAutoRedirect', autoRedirectText, 'it must be true or false'));
  const groupsField =
    value('groupsClaimField') ?? (identityProvider ? defaultGroupField(identityProvider.type) : 'name');
  if (!(GROUP_FIELDS as readonly string[]).includes(groupsField))
    problems.push(wrongValue('groupsClaimField', groupsField, `it must be one of ${GROUP_FIELDS.join(', ')}`));
  const nonce = value('accessNonce') ?? 'required';
  if (nonce !== 'required' && nonce !== 'if-present')
    problems.push(wrongValue('accessNonce', nonce, 'it must be required or if-present'));

  const definitionDrift = value('definitionDrift') ?? 'hide';
  if (definitionDrift !== 'hide' && definitionDrift !== 'warn') {
    problems.push(wrongValue('definitionDrift', definitionDrift, 'it must be hide or warn'));
  }

  const approvalWait = value('approvalWait') ?? '5m';
  if (!approvalWaitIsValid(approvalWait))
    problems.push(wrongValue('approvalWait', approvalWait, 'it must be a duration from 1s to 1h, like 90s, 5m or 1h'));

  const container = parseContainer(raw, Boolean(upstreamUrl), problems);

  if (problems.length > 0 || !accountId || !accessTeamName || !route || !identityProvider?.id)
    throw new StackConfigError(problems);
  return {
    accountId,
    accessTeamName,
    route,
    sessionDuration,
    upstreamUrl,
    identityProvider: { ...identityProvider, id: identityProvider.id },
    autoRedirectToIdentity: autoRedirectText === 'true',
    signIn: { groupsField: groupsField as GroupField, nonce: nonce as SignInSettings['nonce'] },
    definitionDrift: definitionDrift as 'hide' | 'warn',
    approvalWait,
    container,
  };
}

/** The forms and bounds the Worker's `APPROVAL_WAIT` accepts (worker/src/config.ts). */
function approvalWaitIsValid(wait: string): boolean {
  const match = /^([1-9]\d*)(s|m|h)$/.exec(wait);
  if (!match) return false;
  const ms = Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
  return ms <= 3_600_000;
}

const CONTAINER_KEYS = [
  'containerInstanceType',
  'containerBaseImage',
  'containerMaxInstances',
  'mcpServerPackage',
  'mcpServerCommand',
  'containerScope',
  'containerSleepAfter',
  'containerAllowedHosts',
] as const;

/** The container settings, unless `upstreamUrl` takes MCP traffic elsewhere. Adds to `problems`. */
function parseContainer(
  raw: Readonly<Record<string, string | undefined>>,
  hasUpstreamUrl: boolean,
  problems: string[],
): ContainerConfig | undefined {
  const value = (key: ConfigKey): string | undefined => raw[key]?.trim() || undefined;
  if (hasUpstreamUrl) {
    for (const key of CONTAINER_KEYS.filter((name) => value(name))) {
      problems.push(
        `${key} is set, but upstreamUrl sends MCP traffic elsewhere, so no container is built. Remove one: pulumi config rm ${key}`,
      );
    }
    return undefined;
  }
  const instanceType = value('containerInstanceType') ?? 'basic';
  if (!(INSTANCE_TYPES as readonly string[]).includes(instanceType)) {
    problems.push(wrongValue('containerInstanceType', instanceType, `it must be one of ${INSTANCE_TYPES.join(', ')}`));
  }
  const maxText = value('containerMaxInstances') ?? '10';
  const maxInstances = Number(maxText);
  if (!/^\d+$/.test(maxText) || maxInstances < 1) {
    problems.push(wrongValue('containerMaxInstances', maxText, 'it must be a whole number of at least 1'));
  }
  const baseImage = parseBaseImage(value('containerBaseImage'), problems);
  const buildArgs: ContainerConfig['buildArgs'] = {};
  const serverPackage = value('mcpServerPackage');
  const serverCommand = value('mcpServerCommand');
  if (serverPackage) buildArgs.MCP_SERVER_PACKAGE = serverPackage;
  if (serverCommand) {
    if (!isStringArray(serverCommand)) {
      problems.push(
        wrongValue(
          'mcpServerCommand',
          serverCommand,
          'it must be a JSON array of strings (the program, then its arguments)',
        ),
      );
    } else buildArgs.MCP_SERVER_COMMAND = serverCommand;
  }
  if (Boolean(serverPackage) !== Boolean(serverCommand)) {
    problems.push(
      'mcpServerPackage and mcpServerCommand go together: the package installs the server, the command starts it. Set both, or neither for the default server.',
    );
  }
  return {
    instanceType: instanceType as InstanceType,
    maxInstances,
    baseImage,
    buildArgs,
    workerSettings: parseWorkerSettings(value, problems),
  };
}

/** A base image reference pinned by digest: `<image>@sha256:<64 hex>`. */
const PINNED_IMAGE = /^(?<image>[a-z0-9][\w.:/-]*)@(?<digest>sha256:[0-9a-f]{64})$/;

/**
 * The Dockerfile's base image, required whenever a container is built: the Dockerfile pins it
 * by digest and has no default, so an image is built only from a base someone looked up. Adds to `problems`.
 */
function parseBaseImage(text: string | undefined, problems: string[]): ContainerConfig['baseImage'] {
  const match = text ? PINNED_IMAGE.exec(text) : null;
  if (!text) problems.push(missingKey('containerBaseImage'));
  else if (!match?.groups) {
    problems.push(
      wrongValue('containerBaseImage', text, 'it must be an image pinned by digest, <image>@sha256:<64 lowercase hex>'),
    );
  }
  return { image: match?.groups?.image ?? '', digest: match?.groups?.digest ?? '' };
}

/** The container class's settings, checked as the Worker checks them (so a typo fails at preview, not per request). */
function parseWorkerSettings(
  value: (key: ConfigKey) => string | undefined,
  problems: string[],
): ContainerConfig['workerSettings'] {
  const settings: ContainerConfig['workerSettings'] = {};
  const scope = value('containerScope');
  if (scope && scope !== 'user' && scope !== 'tenant')
    problems.push(wrongValue('containerScope', scope, 'it must be user or tenant'));
  else if (scope) settings.MCP_CONTAINER_SCOPE = scope;
  const sleepAfter = value('containerSleepAfter');
  if (sleepAfter && !/^\d+(s|m|h)$/.test(sleepAfter))
    problems.push(wrongValue('containerSleepAfter', sleepAfter, 'it must look like 30s, 15m or 2h'));
  else if (sleepAfter) settings.MCP_CONTAINER_SLEEP_AFTER = sleepAfter;
  const hosts = value('containerAllowedHosts');
  if (hosts) {
    const list = hosts
      .split(',')
      .map((host) => host.trim())
      .filter(Boolean);
    const wrong = list.filter((host) => !/^(\*\.)?[a-z0-9.-]+$/i.test(host));
    if (wrong.length > 0)
      problems.push(wrongValue('containerAllowedHosts', hosts, `${wrong.join(', ')} is not a host name`));
    else settings.MCP_CONTAINER_ALLOWED_HOSTS = list.join(',');
  }
  return settings;
}

function isStringArray(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return (
      Array.isArray(parsed) && parsed.length > 0 && parsed.every((item) => typeof item === 'string' && item.length > 0)
    );
  } catch {
    return false;
  }
}

/**
 * Reads the current stack's configuration (namespace = project name) and validates it.
 *
 * @example
 * ```ts
 * const config = readStackConfig(); // throws StackConfigError naming each bad key
 * ```
 */
export function readStackConfig(): StackConfig {
  const prefix = `${pulumi.getProject()}:`;
  const raw: Record<string, string> = {};
  for (const [key, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = text;
  }
  return parseStackConfig(raw);
}

/** The Worker's one public URL: workers.dev or a custom domain, never both. Adds to `problems`. */
function parseRoute(
  subdomain: string | undefined,
  hostname: string | undefined,
  zoneId: string | undefined,
  problems: string[],
): WorkerRoute | undefined {
  const before = problems.length;
  if (subdomain && hostname) {
    problems.push(
      'workersDevSubdomain and customDomain are both set, but the Worker has one public URL. ' +
        'Remove one: pulumi config rm workersDevSubdomain, or pulumi config rm customDomain',
    );
  } else if (subdomain) {
    if (subdomain.includes('.')) {
      problems.push(
        wrongValue('workersDevSubdomain', subdomain, `it takes only the subdomain (${subdomain.split('.')[0]})`),
      );
    } else if (!DNS_LABEL.test(subdomain)) {
      problems.push(
        wrongValue('workersDevSubdomain', subdomain, 'a subdomain is lowercase letters, digits and hyphens'),
      );
    }
    if (zoneId)
      problems.push('customDomainZoneId is set without customDomain. Remove it: pulumi config rm customDomainZoneId');
  } else if (hostname) {
    if (!isHostname(hostname)) {
      problems.push(
        wrongValue(
          'customDomain',
          hostname,
          'it must be a lowercase hostname such as mcp.example.com (no scheme, no path)',
        ),
      );
    }
    if (!zoneId) problems.push(missingKey('customDomainZoneId'));
    else if (!HEX_ID.test(zoneId))
      problems.push(wrongValue('customDomainZoneId', zoneId, 'it must be 32 lowercase hex characters'));
  } else {
    problems.push(
      `workersDevSubdomain is missing: the Worker needs a public URL. Either ${CONFIG_KEYS.workersDevSubdomain} ` +
        '(pulumi config set workersDevSubdomain <value>), or customDomain and customDomainZoneId for a custom domain',
    );
  }
  if (problems.length > before) return undefined;
  if (subdomain) return { kind: 'workersDev', subdomain };
  if (hostname && zoneId) return { kind: 'customDomain', hostname, zoneId };
  return undefined;
}

function upstreamUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'it is not a URL';
  }
  // The Worker runs with global_fetch_strictly_public and forwards signed identities: public https only.
  if (url.protocol !== 'https:') return 'it must be an https URL';
  // Credentials in a URL would sit in plain text in the stack file and in a plain_text binding.
  if (url.username || url.password) return 'it must not contain credentials';
  return undefined;
}

function isHostname(text: string): boolean {
  const labels = text.split('.');
  return text.length <= 253 && labels.length >= 2 && labels.every((label) => DNS_LABEL.test(label));
}

function missingKey(key: ConfigKey): string {
  return `${key} is missing: ${CONFIG_KEYS[key]}. Set it: pulumi config set ${key} <value>`;
}

function wrongValue(key: ConfigKey, got: string, why: string): string {
  return `${key} is ${JSON.stringify(got)}, but ${why}. Set it: pulumi config set ${key} <value>`;
}
