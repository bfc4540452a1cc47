/** The Access stand-in's endpoints the template-shape Worker signs in with. */
export interface TemplateAccessEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
}

/**
 * The settings and secrets of the template-shape Worker (`bench/template-shape/index.ts`),
 * as its env file holds them: where it answers, and the Access application it signs in at.
 *
 * @example
 * ```ts
 * templateEnvVars('http://localhost:40123', access, { id: 'template-shape', secret });
 * // { PUBLIC_URL: 'http://localhost:40123', ACCESS_CLIENT_ID: 'template-shape', ... }
 * ```
 */
export function templateEnvVars(
  workerUrl: string,
  access: TemplateAccessEndpoints,
  client: { id: string; secret: string },
): Record<string, string> {
  return {
    PUBLIC_URL: workerUrl,
    ACCESS_CLIENT_ID: client.id,
    ACCESS_CLIENT_SECRET: client.secret,
    ACCESS_AUTHORIZATION_URL: access.authorizationUrl,
    ACCESS_TOKEN_URL: access.tokenUrl,
  };
}

/**
 * The redirect URI the template registers at Access: its `/callback`.
 *
 * @example
 * ```ts
 * templateCallbackUrl('http://localhost:40123'); // 'http://localhost:40123/callback'
 * ```
 */
export function templateCallbackUrl(workerUrl: string): string {
  return new URL('/callback', workerUrl).href;
}
