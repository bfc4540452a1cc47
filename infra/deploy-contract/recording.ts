/**
 * The recorded deploy's format, the names it was recorded with, and how run-specific values
 * (the registry's port, version and application ids, image digests, passwords) become stable
 * placeholders, so the file changes only when the sequence does.
 */
import type { FakeCloudflareApi, RecordedRequest } from './fake-cloudflare-api.ts';

/** The physical names the recording uses: what the program names them for a stack called `recorded`. */
export const RECORDED_NAMES = {
  account: 'abcdefabcdefabcdefabcdefabcdef01',
  script: 'secure-mcp-recorded-gateway',
  application: 'secure-mcp-recorded-bridge',
  kvNamespace: 'recorded-kv-namespace-id',
  externalAccount: 'fake-external-account',
} as const;

/** `wrangler-deploy.recording.json`. */
export interface Recording {
  about: string;
  /** The wrangler version that made the requests. */
  wrangler: string;
  deploys: { name: string; requests: RecordedRequest[] }[];
}

/**
 * The recording with every run-specific value replaced by a placeholder named by its role and
 * order of appearance (`<version-1>`, `<namespace:McpContainer>`, `<image-digest-1>`, …).
 *
 * @example
 * ```ts
 * normalizeRecording(raw, { api, registry: '127.0.0.1:40123' }).deploys[0].requests[0].path;
 * ```
 */
export function normalizeRecording(recording: Recording, run: { api: FakeCloudflareApi; registry: string }): Recording {
  const replacements = new Map<string, string>([[run.registry, '<registry>']]);
  let versions = 0;
  for (const script of run.api.scripts.values()) {
    for (const id of script.versions.keys()) replacements.set(id, `<version-${(versions += 1)}>`);
    for (const [className, id] of script.namespaces) replacements.set(id, `<namespace:${className}>`);
  }
  let applications = 0;
  for (const id of run.api.applications.keys()) replacements.set(id, `<application-${(applications += 1)}>`);
  const digests = new Map<string, string>();
  const normalize = (value: unknown): unknown => {
    if (typeof value === 'string') {
      let text = value;
      for (const [from, to] of replacements) text = text.replaceAll(from, to);
      text = text.replace(/sha256:[0-9a-f]{64}/g, (digest) => {
        if (!digests.has(digest)) digests.set(digest, `sha256:<image-digest-${digests.size + 1}>`);
        return digests.get(digest)!;
      });
      return text.replace(/^pw-[0-9a-f-]{36}$/, '<password>');
    }
    if (Array.isArray(value)) return value.map(normalize);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normalize(item)]));
    }
    return value;
  };
  return normalize(recording) as Recording;
}
