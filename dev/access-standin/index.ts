/**
 * The local Access stand-in: Cloudflare Access for SaaS (OIDC) on loopback, with the
 * project's Access policies applied at its login page. See dev/README.md.
 */
export { startAccessStandIn, type RunningAccessStandIn } from './server.ts';
export { signInAtAccess } from './sign-in.ts';
export { loadDevUsers } from './users.ts';
export { accessSubjectFor } from './subject.ts';
