/**
 * `npm run dev:token -- <email> [mcp-url]`: signs in to the running local stack as a dev
 * user without a browser (consent approved, Access login posted) and prints an access
 * token for `/mcp`, for curl, MCP Inspector's CLI mode or scripts.
 */
import { obtainTokens } from './client/obtain-tokens.ts';

const [email, mcpUrl = `http://localhost:${process.env.SECURE_MCP_WORKER_PORT || 8788}/mcp`] = process.argv.slice(2);
if (!email || !email.includes('@')) {
  console.error(
    'Usage: npm run dev:token -- <email> [mcp-url]   (for example: npm run dev:token -- alice@example.com)',
  );
  process.exit(2);
}
try {
  const tokens = await obtainTokens(mcpUrl, email);
  console.log(tokens.access_token);
  console.error(
    `Access token for ${email}, valid ${tokens.expires_in ?? '?'} s. Use it as: Authorization: Bearer <token>`,
  );
} catch (error) {
  console.error(`No token for ${email}: ${(error as Error).message}`);
  if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED')
    console.error(`Is \`npm run dev\` running? Nothing answers at ${mcpUrl}.`);
  process.exit(1);
}
