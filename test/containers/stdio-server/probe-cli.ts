/**
 * The identity-key hunt as a program, for `docker exec -i -u <user> <container> node
 * /opt/mcp-server/node_modules/secure-mcp-container-test-server/probe-identity-key.mjs`: the needles on
 * stdin, one per line (so that they are in no command line the hunt would find), the report as JSON
 * on stdout.
 */
import { readFileSync } from 'node:fs';
import { probeIdentityKey } from './probe-identity-key.ts';

const needles = readFileSync(0, 'utf8').split('\n').filter(Boolean);
process.stdout.write(`${JSON.stringify(await probeIdentityKey(needles))}\n`);
