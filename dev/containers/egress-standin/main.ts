/**
 * The network sidecar stand-in: what workerd runs beside each container when `wrangler dev` runs
 * containers (`MINIFLARE_CONTAINER_EGRESS_IMAGE`), in place of `cloudflare/proxy-everything`,
 * which comes from Docker Hub. It owns the network namespace the app container joins, carries
 * workerd's requests in (`ingress-server.ts`) and hands every outbound connection to workerd
 * (`egress-proxy.ts`, `firewall.ts`, DNS in `dns-answer.ts`, HTTPS interception in
 * `tls-interception.ts`), so that the Container class's
 * `enableInternet` and `allowedHosts` are enforced locally the way the platform enforces them.
 * dev/README.md says how it differs from the real one.
 *
 * Logs one JSON line per event on stdout (`docker logs <container>-proxy`).
 */
import { createSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { answerQuery } from './dns-answer.ts';
import { applyEgressUpdate, hostnameAllowed, type EgressConfig } from './egress-config.ts';
import { startEgressProxy } from './egress-proxy.ts';
import { applyFirewall, DNS_PORT, ipv4Rules, ipv6Rules } from './firewall.ts';
import { startIngressServer } from './ingress-server.ts';
import { parseStandInArgs } from './standin-args.ts';
import { createInterceptionCa } from './tls-interception.ts';

function log(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...fields })}\n`);
}

let args;
try {
  args = parseStandInArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`egress-standin: ${(error as Error).message}\n`);
  process.exit(2);
}
if (args.ignored.length > 0) log('args.ignored', { args: args.ignored });

// workerd adds host.docker.internal:host-gateway to the sidecar's hosts file: the Docker gateway.
const gateway = (await lookup('host.docker.internal', { family: 4 })).address;
let config: EgressConfig = { port: args.egressPort, allowHostnames: [], internetEnabled: undefined };

const firewall = () =>
  applyFirewall(
    ipv4Rules({ gateway, egressPort: config.port, ingressPort: args.ingress.port, dnsEnabled: args.dnsEnabled }),
  );
await firewall();
if (args.disableIpv6)
  await applyFirewall(ipv6Rules(), 'ip6tables-restore').catch((error: Error) =>
    log('ipv6.rules_failed', { reason: error.message }),
  );

const ca = args.tlsIntercept ? await createInterceptionCa() : undefined;
await startEgressProxy({ gateway, config: () => config, ca, log });
if (args.dnsEnabled) {
  const dns = createSocket('udp4');
  dns.on('message', (query, sender) => {
    dns.send(
      answerQuery(query, (name) => hostnameAllowed(name, config.allowHostnames)),
      sender.port,
      sender.address,
    );
  });
  await new Promise<void>((resolve) => dns.bind(DNS_PORT, '127.0.0.1', resolve));
}
await startIngressServer(args.ingress.host, args.ingress.port, {
  gateway,
  caCertificate: ca?.certificate,
  async updateEgress(body) {
    const next = applyEgressUpdate(config, body);
    const portChanged = next.port !== config.port;
    config = next;
    if (portChanged) await firewall();
    log('egress.config', {
      port: config.port,
      allowHostnames: config.allowHostnames,
      internetEnabled: config.internetEnabled,
    });
  },
  log,
});
log('standin.ready', { gateway, egressPort: config.port, ingress: `${args.ingress.host}:${args.ingress.port}` });

for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
