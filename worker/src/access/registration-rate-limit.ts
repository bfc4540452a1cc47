/**
 * A rate limit on dynamic client registration per client IP (docs/security.md 7), through the
 * Workers Rate Limiting binding `REGISTRATION_RATE_LIMITER` when it is configured. Cloudflare's
 * edge always sets `CF-Connecting-IP`; a request without it (local development) has no address
 * to count against and is not limited.
 *
 * @example
 * ```ts
 * const limited = await limitRegistration(request, env.REGISTRATION_RATE_LIMITER);
 * if (limited) return limited;
 * ```
 */
export async function limitRegistration(
  request: Request,
  limiter: RateLimit | undefined,
): Promise<Response | undefined> {
  if (!limiter || request.method !== 'POST' || new URL(request.url).pathname !== '/register') return undefined;
  const ip = request.headers.get('CF-Connecting-IP');
  if (!ip) return undefined;
  const { success } = await limiter.limit({ key: `register:${ip}` });
  if (success) return undefined;
  return Response.json(
    {
      error: 'temporarily_unavailable',
      error_description: 'Too many client registrations from this address; try again in a minute',
    },
    { status: 429, headers: { 'Retry-After': '60', 'Cache-Control': 'no-store' } },
  );
}
