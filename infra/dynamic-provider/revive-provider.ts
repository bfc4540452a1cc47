/**
 * A dynamic provider as Pulumi's provider host holds it: the serialized text a
 * `pulumi.dynamic.Resource` stores (`__provider`) evaluated as a CommonJS module whose
 * `handler()` returns the provider (`@pulumi/pulumi/cmd/dynamic-provider`, `requireFromString`),
 * then configured with the stack config. The plan's preview and the tests use it to call the
 * providers exactly as they run in `pulumi up`.
 */
import { createRequire } from 'node:module';
import * as pulumi from '@pulumi/pulumi';

/** A CommonJS module body as a function, the way Node (and Pulumi's provider host) runs it. */
type CommonJsModule = (module: { exports: object }, exports: object, require: NodeJS.Require) => void;

/**
 * Evaluates serialized provider text and configures the provider with `config` (keys such as
 * `cloudflare:apiToken`).
 *
 * @example
 * ```ts
 * const provider = await reviveSerializedProvider(resource.inputs.__provider, {});
 * await provider.check!({}, inputs);
 * ```
 */
export async function reviveSerializedProvider<Provider = pulumi.dynamic.ResourceProvider>(
  text: string,
  config: Readonly<Record<string, string>> = {},
): Promise<Provider> {
  const module = { exports: {} as { handler?: () => Provider } };
  // oxlint-disable-next-line typescript/no-implied-eval -- evaluating the serialized text is what Pulumi's host does
  const load = new Function('module', 'exports', 'require', text) as CommonJsModule;
  load(module, module.exports, createRequire(new URL('../../package.json', import.meta.url)));
  const provider = module.exports.handler!();
  const configure = (provider as pulumi.dynamic.ResourceProvider).configure;
  await configure?.call(provider, {
    config: { get: (key: string) => config[key] } as pulumi.dynamic.ConfigureRequest['config'],
  });
  return provider;
}

/**
 * Serializes a provider as `pulumi.dynamic.Resource` stores it, and revives it from that text.
 *
 * @example
 * ```ts
 * const revived = await serializeAndRevive(workerScriptProvider(access));
 * ```
 */
export async function serializeAndRevive<Provider extends object>(
  provider: Provider,
  config: Readonly<Record<string, string>> = {},
): Promise<{ revived: Provider; text: string }> {
  const { text } = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  return { revived: await reviveSerializedProvider<Provider>(text, config), text };
}
