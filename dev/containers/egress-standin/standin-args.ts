/**
 * The command line workerd gives its network sidecar, read into settings. workerd 2026-11-02
 * creates the sidecar with `--http-egress-port <port> --http-ingress-address 0.0.0.0:39001
 * --docker-gateway-cidr <cidr> --dns-enabled --tls-intercept [--disable-ipv6]`
 * (`ContainerClient::createSidecarContainer` in workerd's `src/workerd/server/container-client.c++`);
 * flags it may add later are reported and ignored rather than fatal. Pure, so it is tested alone.
 */

/** The sidecar's settings. */
export interface StandInArgs {
  /** workerd's egress listener port on the Docker gateway (changed later by `PUT /egress`). */
  egressPort: number;
  /** Where the ingress API listens: `{ host, port }`. */
  ingress: { host: string; port: number };
  /** The Docker bridge network's CIDR. */
  gatewayCidr: string;
  dnsEnabled: boolean;
  tlsIntercept: boolean;
  disableIpv6: boolean;
  /** Flags this stand-in does not know, for one log line. */
  ignored: string[];
}

/**
 * Parses the sidecar's arguments. Throws with a message naming the flag when a required one is
 * missing or malformed.
 *
 * @example
 * ```ts
 * parseStandInArgs(['--http-egress-port', '40001', '--http-ingress-address', '0.0.0.0:39001', '--docker-gateway-cidr', '198.18.0.0/24']).egressPort; // 40001
 * ```
 */
export function parseStandInArgs(argv: readonly string[]): StandInArgs {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const ignored: string[] = [];
  const withValue = new Set(['--http-egress-port', '--http-ingress-address', '--docker-gateway-cidr']);
  const booleans = new Set(['--dns-enabled', '--tls-intercept', '--disable-ipv6']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (withValue.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${name} needs a value`);
      values.set(name, value);
    } else if (booleans.has(name)) {
      flags.add(name);
    } else {
      ignored.push(arg);
    }
  }
  const egressPort = port(values.get('--http-egress-port'), '--http-egress-port');
  const ingressText = values.get('--http-ingress-address') ?? '0.0.0.0:39001';
  const separator = ingressText.lastIndexOf(':');
  if (separator < 1) throw new Error(`--http-ingress-address must be host:port, got ${JSON.stringify(ingressText)}`);
  return {
    egressPort,
    ingress: {
      host: ingressText.slice(0, separator),
      port: port(ingressText.slice(separator + 1), '--http-ingress-address'),
    },
    gatewayCidr: values.get('--docker-gateway-cidr') ?? '',
    dnsEnabled: flags.has('--dns-enabled'),
    tlsIntercept: flags.has('--tls-intercept'),
    disableIpv6: flags.has('--disable-ipv6'),
    ignored,
  };
}

function port(text: string | undefined, flag: string): number {
  const value = Number(text);
  if (text === undefined || !/^\d{1,5}$/.test(text) || value < 1 || value > 65_535)
    throw new Error(`${flag} must be a port number, got ${JSON.stringify(text)}`);
  return value;
}
