/**
 * The address rule for Client ID Metadata Documents that the OAuth library leaves to us
 * (docs/security.md, requirement 7): the library fetches a CIMD client's document itself (https
 * only, 5 KB, 10 s, `global_fetch_strictly_public`: @cloudflare/workers-oauth-provider
 * docs/authorization-server.md), but does not look at where its URL points. This step runs before
 * the library and refuses a `client_id` whose host is an IP address in a private, loopback,
 * link-local or otherwise non-public range, or a `localhost` name, so the Worker never fetches one.
 * Loopback is allowed only when `CLIENT_METADATA_LOOPBACK=allow` (the local stack and its tests);
 * production leaves it unset. Names are not resolved here (a Worker has no DNS API): what a public
 * name resolves to is Cloudflare's network's to route.
 */

/** Paths whose requests carry a `client_id` the library may resolve by fetching it. */
const CLIENT_PATHS = new Set(['/authorize', '/token', '/revoke']);

/**
 * A refusal when a request names a CIMD client at a host it may not fetch; undefined otherwise.
 *
 * @example
 * ```ts
 * const refused = await refuseClientMetadataHost(request, { allowLoopback: false });
 * if (refused) return refused;
 * ```
 */
export async function refuseClientMetadataHost(
  request: Request,
  options: { allowLoopback: boolean },
): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (!CLIENT_PATHS.has(url.pathname)) return undefined;
  const clientIds = [url.searchParams.get('client_id')];
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (request.method === 'POST' && type === 'application/x-www-form-urlencoded') {
    clientIds.push(new URLSearchParams(await request.clone().text()).get('client_id'));
  }
  for (const clientId of clientIds) {
    const problem = clientId ? hostProblem(clientId, options.allowLoopback) : undefined;
    if (!problem) continue;
    const body = { error: 'invalid_client', error_description: `Client ID Metadata Document refused: ${problem}` };
    console.log(JSON.stringify({ event: 'client_metadata_refused', clientId, problem }));
    return url.pathname === '/authorize'
      ? new Response(`${body.error_description}\n`, {
          status: 400,
          headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
        })
      : Response.json(body, { status: 401, headers: { 'Cache-Control': 'no-store' } });
  }
  return undefined;
}

/**
 * Why a CIMD `client_id` may not be fetched, or undefined. Only URL-shaped ids are looked at.
 *
 * @example
 * ```ts
 * hostProblem('https://10.0.0.7/client.json', false); // 'its host 10.0.0.7 is a private or reserved address'
 * ```
 */
function hostProblem(clientId: string, allowLoopback: boolean): string | undefined {
  let host: string;
  try {
    const url = new URL(clientId);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
  const loopback = host === 'localhost' || host.endsWith('.localhost') || isLoopbackAddress(host);
  if (loopback) {
    return allowLoopback ? undefined : `its host ${host} is this machine (loopback); only the local stack allows that`;
  }
  if (isReservedAddress(host)) return `its host ${host} is a private or reserved address`;
  return undefined;
}

function ipv4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return undefined;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : undefined;
}

function isLoopbackAddress(host: string): boolean {
  const v4 = ipv4(host);
  if (v4) return v4[0] === 127;
  return host === '::1' || host === '0:0:0:0:0:0:0:1';
}

/** RFC 6890 special-purpose ranges a client's document can have no business at. */
function isReservedAddress(host: string): boolean {
  const v4 = ipv4(host) ?? mappedIpv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 192 && b === 0) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (!host.includes(':')) return false;
  return (
    host === '::' ||
    /^f[cd][0-9a-f]{2}:/.test(host) || // unique local fc00::/7
    /^fe[89ab][0-9a-f]:/.test(host) || // link-local fe80::/10
    /^ff[0-9a-f]{2}:/.test(host) // multicast
  );
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`). */
function mappedIpv4(host: string): number[] | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (dotted) return ipv4(dotted[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (!hex) return undefined;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return [high >> 8, high & 255, low >> 8, low & 255];
}
