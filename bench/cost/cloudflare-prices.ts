/**
 * Cloudflare's published list prices for what an MCP call through the gateway or the template
 * uses, as the cost model (`cost-model.ts`) multiplies them. Each price says the page it comes
 * from and when it was read; the pages' source is `cloudflare/cloudflare-docs` (the file and
 * commit are named, so a reader can check the exact text). Prices are marginal: what usage beyond
 * the Workers Paid plan's included amounts costs. The plan's $5 a month and the included amounts
 * are left out of every figure, since they are shared by everything on an account.
 *
 * Where Cloudflare publishes no figure, the value is an input of the model, marked as such in
 * {@link MODEL_INPUTS}, never presented as a price.
 */

/** When the pages below were read. */
export const PRICES_READ_ON = '2026-12-05';

/** A price, where it is published, and the page's source. */
export interface PublishedPrice {
  usd: number;
  per: string;
  page: string;
  source: string;
}

const WORKERS_PAGE = 'https://developers.cloudflare.com/workers/platform/pricing/';
const KV_PAGE = 'https://developers.cloudflare.com/kv/platform/pricing/';
const DURABLE_OBJECTS_PAGE = 'https://developers.cloudflare.com/durable-objects/platform/pricing/';
const CONTAINERS_PAGE = 'https://developers.cloudflare.com/containers/platform/pricing/';
const OBSERVABILITY_PAGE = 'https://developers.cloudflare.com/observability/pricing/';

/** Cloudflare's list prices (USD), read on {@link PRICES_READ_ON}. */
export const CLOUDFLARE_PRICES = {
  workerRequest: {
    usd: 0.3 / 1e6,
    per: 'request (Standard usage model: 10 million a month included, then $0.30 per million; subrequests are not billed)',
    page: WORKERS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/workers/platform/pricing.mdx @07acbb66',
  },
  workerCpuMs: {
    usd: 0.02 / 1e6,
    per: 'CPU millisecond (30 million a month included, then $0.02 per million)',
    page: WORKERS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/workers/platform/pricing.mdx @07acbb66',
  },
  kvRead: {
    usd: 0.5 / 1e6,
    per: 'KV read (10 million a month included, then $0.50 per million)',
    page: KV_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/partials/workers/kv_pricing.mdx @16f657ef',
  },
  kvWrite: {
    usd: 5 / 1e6,
    per: 'KV write, delete or list (1 million a month included each, then $5.00 per million)',
    page: KV_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/partials/workers/kv_pricing.mdx @16f657ef',
  },
  durableObjectRequest: {
    usd: 0.15 / 1e6,
    per: 'Durable Object request: HTTP request, RPC method call, alarm (1 million a month included, then $0.15 per million)',
    page: DURABLE_OBJECTS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/partials/workers/durable_objects_pricing.mdx @16fe3081',
  },
  durableObjectGbSecond: {
    usd: 12.5 / 1e6,
    per: 'GB-second of Durable Object duration: wall time while active, at 128 MB per object whatever it uses (400,000 GB-s a month included, then $12.50 per million)',
    page: DURABLE_OBJECTS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/partials/workers/durable_objects_pricing.mdx @16fe3081',
  },
  durableObjectRowWritten: {
    usd: 1 / 1e6,
    per: 'row written by a SQLite-backed Durable Object; each setAlarm is one (50 million a month included, then $1.00 per million)',
    page: DURABLE_OBJECTS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/partials/workers/storage_api_pricing.mdx @0ab5b840',
  },
  containerVcpuSecond: {
    usd: 0.00002,
    per: 'vCPU-second of active CPU use (375 vCPU-minutes a month included, then $0.000020)',
    page: CONTAINERS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/containers/platform/pricing.mdx @34e6bd8b',
  },
  containerGibSecond: {
    usd: 0.0000025,
    per: 'GiB-second of memory, provisioned by the instance type while the container runs (25 GiB-hours a month included, then $0.0000025)',
    page: CONTAINERS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/containers/platform/pricing.mdx @34e6bd8b',
  },
  containerDiskGbSecond: {
    usd: 0.00000007,
    per: 'GB-second of disk, provisioned by the instance type while the container runs (200 GB-hours a month included, then $0.00000007)',
    page: CONTAINERS_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/containers/platform/pricing.mdx @34e6bd8b',
  },
  logIngestionGb: {
    usd: 0.25,
    per: 'GB of logs ingested (Workers Logs under Observability pricing from 2026-12-01: 50 GB per billing cycle included, then $0.25)',
    page: OBSERVABILITY_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/observability/pricing/index.mdx @0ec9be22',
  },
  logStorageGbMonth: {
    usd: 0.1,
    per: 'GB-month of logs stored (12 GB-month included, then $0.10); seven days of default retention make a GB ingested 7/30 GB-month',
    page: OBSERVABILITY_PAGE,
    source: 'cloudflare/cloudflare-docs src/content/docs/observability/pricing/index.mdx @0ec9be22',
  },
} as const satisfies Record<string, PublishedPrice>;

export type Prices = { readonly [K in keyof typeof CLOUDFLARE_PRICES]: { readonly usd: number } };

/** Days logs stay queryable by default (the observability pricing page). */
export const LOG_RETENTION_DAYS = 7;

/** A container instance type: vCPU, memory and disk as Cloudflare provisions them. */
export interface InstanceSize {
  vcpu: number;
  memoryGib: number;
  diskGb: number;
}

/**
 * Cloudflare's predefined container instance types
 * (https://developers.cloudflare.com/containers/platform/limits/, read {@link PRICES_READ_ON}).
 */
export const INSTANCE_SIZES = {
  lite: { vcpu: 1 / 16, memoryGib: 0.25, diskGb: 2 },
  basic: { vcpu: 1 / 4, memoryGib: 1, diskGb: 4 },
  'standard-1': { vcpu: 1 / 2, memoryGib: 4, diskGb: 8 },
  'standard-2': { vcpu: 1, memoryGib: 6, diskGb: 12 },
  'standard-3': { vcpu: 2, memoryGib: 8, diskGb: 16 },
  'standard-4': { vcpu: 4, memoryGib: 12, diskGb: 20 },
} as const satisfies Record<string, InstanceSize>;

export type InstanceTypeName = keyof typeof INSTANCE_SIZES;

/**
 * What the model needs but Cloudflare does not publish: inputs, each with the value used and why.
 * Change them here; every figure that depends on one says so.
 */
export const MODEL_INPUTS = {
  logEventAttributeBytes: {
    value: 500,
    why: 'Cloudflare bills logs by GB ingested, each event with its default enriched attributes; the local trace events (measured) lack what Cloudflare adds (request.cf, location, version and the like), whose size it does not publish: 500 bytes per event assumed',
  },
  invocationLogEventsPerRequest: {
    value: 1,
    why: 'with observability enabled, each invocation (of the Worker or of a Durable Object) writes one trace event to Workers Logs, as workerd gives a tail Worker one per invocation locally',
  },
  containerAlarmSeconds: {
    value: 180,
    why: "@cloudflare/containers 0.3.7 keeps a running container's Durable Object awake and re-arms its alarm at most every 3 minutes (dist/lib/container.js, alarm()): one request and two rows written per alarm",
  },
} as const;
