// Runs before anything TypeScript: checks what `npm run dev` needs and says in one
// line what is missing, instead of a stack trace from deep inside a tool.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = readFileSync(join(root, '.nvmrc'), 'utf8').trim();
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);

if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `secure-mcp needs Node.js 22.12 or newer (this is ${process.version}); run \`nvm use\` (.nvmrc says ${required}).`,
  );
  process.exit(1);
}
for (const dependency of ['wrangler', 'tsx', 'oidc-provider', '@modelcontextprotocol/server-everything']) {
  if (!existsSync(join(root, 'node_modules', dependency, 'package.json'))) {
    console.error(`Missing dependency ${dependency}: run \`npm ci\` in ${root} first.`);
    process.exit(1);
  }
}
