/**
 * Where an isolate's CPU goes, by part of the code: each sample of a CPU profile is charged to
 * the innermost frame of the bundle on its stack (so a `crypto.subtle` or `JSON.parse` call counts
 * for the code that made it), and that frame's function is looked up in the bundle's source map
 * to find the source file, which names the part. Samples with no bundle frame are the runtime's
 * own (garbage collection, workerd's JavaScript internals, native work). The bundle's code is the
 * deployed one: the source map is written beside it, not into it.
 */
import { SourceMap, type SourceMapPayload } from 'node:module';
import type { CpuProfile } from './isolate-cpu.ts';

/** The bundle whose frames are charged, and its source map. */
export interface BundleSources {
  /** The module's file name as the profile's frames give it in `url` (compared by suffix). */
  moduleName: string;
  map: SourceMapPayload;
}

/** CPU per call charged to one part. */
export interface CpuShare {
  part: string;
  msPerCall: number;
}

/**
 * Parts by where the source comes from, first match wins. Paths are as {@link partOfSource}
 * normalises them: `src/` is the Worker's (`worker/src/`), `container/src/` the bridge's shared code.
 */
const PARTS: ReadonlyArray<[RegExp, string]> = [
  [
    /node_modules\/@cloudflare\/workers-oauth-provider\//,
    'sign-in: OAuth provider library (token lookup, key unwrap, decryption)',
  ],
  [/^src\/(access\/|index\.ts|config\.ts)/, "sign-in: the Worker's checks and token-record cache"],
  [/^src\/mcp\/gate\/(audit-record|argument-digest|answer-outcomes)\./, 'audit record'],
  [/^(src\/mcp\/gate\/|policies\/)/, 'policy gate'],
  [
    /^(src\/mcp\/(upstream|select-upstream|container-upstream)\.|src\/container\/|container\/src\/identity-token\.)|node_modules\/jose\//,
    'forward: upstream request and identity token',
  ],
  [/^src\/(mcp\/|read-body-at-most\.)/, 'MCP route: origin, body, session'],
  [/^src\/native\//, 'native tools'],
  [/bench\/template-shape\//, "the template shape's own code"],
  [/node_modules\/(agents|partyserver|partysocket)\//, 'agents (McpAgent)'],
  [/node_modules\/@modelcontextprotocol\//, 'MCP SDK'],
  [/node_modules\/(zod|zod-to-json-schema)\//, 'zod (schemas)'],
  [/node_modules\/(unenv|@cloudflare\/unenv-preset)\//, 'Node.js polyfills (unenv)'],
  [/^src\//, 'the Worker, other'],
  [/node_modules\//, 'other libraries'],
];

/**
 * The part a source file (as a source map names it) belongs to. Pure.
 *
 * @example
 * ```ts
 * partOfSource('../../node_modules/@cloudflare/workers-oauth-provider/dist/oauth-provider.js'); // 'sign-in: OAuth provider library (…)'
 * partOfSource('../src/mcp/gate/policy-gate.ts'); // 'policy gate'
 * ```
 */
export function partOfSource(source: string): string {
  const path = source
    .replace(/^(\.\.\/)+/, '')
    .replace(/^.*?\/node_modules\//, 'node_modules/')
    .replace(/^worker\/src\//, 'src/');
  return PARTS.find(([pattern]) => pattern.test(path))?.[1] ?? `the bundle, other (${path})`;
}

function runtimePart(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return 'runtime: garbage collection';
  if (functionName === '(program)') return 'runtime: native work, or samples V8 could not attribute';
  if (url.startsWith('node-internal:') || url.startsWith('cloudflare-internal:') || url.startsWith('node:'))
    return "runtime: workerd's JavaScript internals";
  if (url.endsWith('operation-counting.js')) return 'benchmark: the operation-counting wrapper';
  return 'runtime: other';
}

/**
 * Charges each sample of `profile` to a part and returns the CPU per call of each part, most first
 * (the same sample period as the isolate's total, so the parts add up to it). Pure.
 *
 * @example
 * ```ts
 * const parts = cpuByPart(profile, 1500, 340, { moduleName: 'index.js', map });
 * ```
 */
export function cpuByPart(
  profile: CpuProfile,
  calls: number,
  samplePeriodUs: number,
  bundle: BundleSources | undefined,
): CpuShare[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const sourceMap = bundle ? new SourceMap(bundle.map) : undefined;
  const partOfNode = new Map<number, string>();
  const partOf = (id: number): string => {
    const known = partOfNode.get(id);
    if (known) return known;
    const leaf = nodes.get(id)!.callFrame;
    let part = runtimePart(leaf.functionName, leaf.url);
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)!.callFrame;
      if (!bundle || !frame.url.endsWith(bundle.moduleName)) continue;
      const entry = sourceMap!.findEntry(frame.lineNumber, frame.columnNumber);
      part = 'originalSource' in entry ? partOfSource(entry.originalSource) : 'the bundle, unmapped';
      break;
    }
    partOfNode.set(id, part);
    return part;
  };
  const samples = new Map<string, number>();
  for (const id of profile.samples) {
    const name = nodes.get(id)?.callFrame.functionName;
    if (name === '(idle)' || name === '(root)') continue;
    const part = partOf(id);
    samples.set(part, (samples.get(part) ?? 0) + 1);
  }
  return [...samples]
    .map(([part, count]) => ({ part, msPerCall: (count * samplePeriodUs) / 1000 / calls }))
    .sort((a, b) => b.msPerCall - a.msPerCall);
}
