/**
 * Records the machine and the package versions a run measured on, since figures only compare with
 * figures taken on the same machine and software.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

/** The machine and software a run measured on: results only compare with the same. */
export interface MachineDescription {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  /** 1-minute load average at the start: other work on a shared machine skews every row. */
  loadAverageAtStart: number;
  node: string;
  versions: Record<string, string>;
}

const measuredPackages = [
  '@modelcontextprotocol/sdk',
  '@modelcontextprotocol/server-everything',
  '@cloudflare/workers-oauth-provider',
  'agents',
  'wrangler',
  'supergateway',
  'esbuild',
  'hdr-histogram-js',
  'vega',
  'vega-lite',
];

/**
 * Describes this machine and the versions of the packages the benchmark measures or uses
 * (read from the installed manifests, as some packages do not export `package.json`).
 *
 * @example
 * ```ts
 * const machine = describeMachine(); // { cpuModel: 'AMD EPYC ...', cores: 2, ... }
 * ```
 */
export function describeMachine(): MachineDescription {
  const versions: Record<string, string> = {};
  for (const name of measuredPackages) {
    const manifest = JSON.parse(readFileSync(join(nodeModules, name, 'package.json'), 'utf8')) as { version: string };
    versions[name] = manifest.version;
  }
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
    node: process.version,
    versions,
  };
}
