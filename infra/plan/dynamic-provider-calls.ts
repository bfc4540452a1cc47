/**
 * Calls the program's dynamic providers the way Pulumi's engine does during a preview or an
 * update, from what a mocks run registered: each provider is revived from the serialized code
 * the resource carries (`__provider`, as `@pulumi/pulumi/cmd/dynamic-provider` revives it),
 * its inputs are given as that host gives them (secrets unwrapped, an unknown value as
 * Pulumi's placeholder), and its `check()` and `diff()` are called. This is what proves a
 * preview gets through every provider, and that a run where nothing changed reports no change.
 */
import * as pulumi from '@pulumi/pulumi';
import { containsUnknown, UNKNOWN_INPUT } from '../dynamic-provider/cloudflare-dynamic-provider.ts';
import { reviveSerializedProvider } from '../dynamic-provider/revive-provider.ts';
import type { RegisteredResource } from '../pulumi-test-mocks.ts';

/** The type tokens of dynamic resources start with this. */
const DYNAMIC_TYPE = 'pulumi-nodejs:dynamic/';
const PROVIDER_KEY = '__provider';

/** What one dynamic provider said about one resource. */
export interface DynamicProviderCall {
  name: string;
  type: string;
  /** `check()`'s failures (empty when the inputs pass). */
  failures: { property: string; reason: string }[];
  /** Inputs that were unknown (a preview): their top-level names. */
  unknownInputs: string[];
  /** `diff()` against the given old state, when there was one. */
  diff: pulumi.dynamic.DiffResult | undefined;
}

/**
 * Whether a registered resource is one of the program's dynamic resources.
 *
 * @example
 * ```ts
 * isDynamic({ type: 'pulumi-nodejs:dynamic/secure-mcp:WorkerScript', name, inputs }); // true
 * ```
 */
export function isDynamic(resource: Pick<RegisteredResource, 'type'>): boolean {
  return resource.type.startsWith(DYNAMIC_TYPE);
}

/**
 * A dynamic resource's inputs as the provider host hands them to the provider: no
 * `__provider`, secrets unwrapped (the host does not accept secrets), an unknown value as
 * {@link UNKNOWN_INPUT}.
 *
 * @example
 * ```ts
 * providerInputs(resource.inputs); // { accountId: '…', image: '04da6b54-…' }
 * ```
 */
export function providerInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const { [PROVIDER_KEY]: _provider, ...rest } = inputs;
  return asHostValue(rest) as Record<string, unknown>;
}

function asHostValue(value: unknown): unknown {
  const plain: unknown = pulumi.runtime.unwrapRpcSecret(value);
  // An unknown may come wrapped as a secret (a secret output not known yet).
  if (pulumi.isUnknown(plain)) return UNKNOWN_INPUT;
  if (Array.isArray(plain)) return plain.map(asHostValue);
  if (plain && typeof plain === 'object') {
    return Object.fromEntries(Object.entries(plain).map(([key, item]) => [key, asHostValue(item)]));
  }
  return plain;
}

/**
 * Calls `check()` on every dynamic resource, and `diff()` where `oldStates` has the resource's
 * stored outputs (by logical name).
 *
 * @example
 * ```ts
 * const calls = await callDynamicProviders(mocked.registered);
 * calls.filter((call) => call.failures.length > 0); // []
 * ```
 */
export async function callDynamicProviders(
  registered: readonly RegisteredResource[],
  oldStates: ReadonlyMap<string, Record<string, unknown>> = new Map(),
): Promise<DynamicProviderCall[]> {
  const calls: DynamicProviderCall[] = [];
  for (const resource of registered.filter(isDynamic)) {
    const text = resource.inputs[PROVIDER_KEY];
    if (typeof text !== 'string') throw new Error(`${resource.name} carries no serialized dynamic provider.`);
    // No token: check() and diff() call no API.
    const provider = await reviveSerializedProvider(text);
    const news = providerInputs(resource.inputs);
    const checked = provider.check ? await provider.check({}, news) : { inputs: news, failures: [] };
    const olds = oldStates.get(resource.name);
    const diff =
      olds && provider.diff ? await provider.diff(`${resource.name}-id`, olds, checked.inputs ?? news) : undefined;
    calls.push({
      name: resource.name,
      type: resource.type,
      failures: checked.failures ?? [],
      unknownInputs: Object.entries(news)
        .filter(([, value]) => containsUnknown(value))
        .map(([key]) => key),
      diff,
    });
  }
  return calls;
}
