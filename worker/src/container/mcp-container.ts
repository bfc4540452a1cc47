/**
 * The Container Durable Object class: one instance (and so one container running the bridge) per
 * user, or per tenant where configured. What it may reach and which secrets it gets come from the
 * Worker's bindings (`container-settings.ts`); nothing else enters it. Its bridge gets an identity
 * key derived for this instance alone, never the Worker's `IDENTITY_SIGNING_KEY`. A request whose
 * client went away ends at once, so an abandoned stream never keeps a container awake.
 */
import { Container } from '@cloudflare/containers';
import { deriveUpstreamKey } from '../../../container/src/identity-token.ts';
import { CONTAINER_PORT, containerUpstreamName, readContainerSettings } from './container-settings.ts';

/**
 * The MCP server container. Exported from the Worker's entry module; bound as `MCP_CONTAINER`.
 *
 * @example
 * ```ts
 * const stub = getContainer(env.MCP_CONTAINER, containerInstanceName(user, 'user'));
 * const response = await stub.fetch(request);
 * ```
 */
export class McpContainer extends Container {
  override defaultPort = CONTAINER_PORT;
  /** The bridge's health endpoint; it answers once the bridge listens. */
  override pingEndpoint = 'mcp-container/healthz';
  override enableInternet = false;

  constructor(ctx: ConstructorParameters<typeof Container>[0], env: Cloudflare.Env) {
    super(ctx, env);
    const settings = readContainerSettings(env as unknown as Record<string, unknown>);
    this.sleepAfter = settings.sleepAfter;
    this.allowedHosts = settings.allowedHosts;
    // With internet off, workerd hands the Worker only plain HTTP on port 80 (`interceptAllOutboundHttp`);
    // TLS it is not told to intercept is passed through, and dropped (`EgressHttpService::connect` in
    // workerd's container-client.c++). So HTTPS to an allowed host needs HTTPS interception: the
    // container then trusts the platform's CA, which the bridge hands to the server (platform-ca.ts).
    this.interceptHttps = settings.allowedHosts.length > 0;
    this.envVars = settings.envVars;
    // The key the Worker signs this instance's requests with (`ContainerUpstream`); the container
    // starts only after this, since nothing reaches the instance while it blocks.
    void ctx.blockConcurrencyWhile(async () => {
      const key = await deriveUpstreamKey(env.IDENTITY_SIGNING_KEY, containerUpstreamName(ctx.id));
      this.envVars = { ...settings.envVars, BRIDGE_IDENTITY_KEY: key };
    });
  }

  /**
   * Forwards like `Container.fetch`, with two repairs.
   *
   * A caller that goes away ends the container's request at once. `Container.containerFetch` counts
   * a request as in flight, which keeps the container awake, until it has piped the container's whole
   * body into the stream it returns, and that pipe notices a reader that left only on the container's
   * next write: on an idle MCP stream, the bridge's next keep-alive (forever for a server that never
   * writes). `request.signal` (compatibility flag `enable_request_signal`) aborts when the caller
   * leaves, but only while this handler runs: workerd triggers it when the handler is cancelled, not
   * while it proxies a system stream after returning (`WorkerEntrypoint::requestImpl`,
   * io/worker-entrypoint.c++). So an event stream goes back as a JavaScript stream, which the handler
   * pumps itself; and the container's request gets a signal of its own, as fetch drops an incoming
   * request's signal from the subrequests made with it (`Request::clearSignalIfIgnoredForSubrequest`).
   *
   * A container that stopped outside this object (the platform stopped it, it ran out of memory, its
   * bridge crashed) is replaced, and the request is delivered to the new one. Until the runtime
   * reports the exit, the class still believes the container healthy and forwards to it; the port is
   * then refused ("container is not listening", from workerd's container client and the class's own
   * `NOT_LISTENING_ERROR`), which means the request never reached the container, so sending it again
   * cannot run anything twice. A container that is still running but refuses its port cannot serve.
   */
  override async fetch(request: Request): Promise<Response> {
    const callerGone = new AbortController();
    request.signal.addEventListener('abort', () => callerGone.abort(request.signal.reason), { once: true });
    // The body may have to go twice; the gate bounds it (body-limits.ts) and MCP messages are small.
    const body = request.body === null ? null : await request.arrayBuffer();
    const forward = () =>
      super.fetch(
        new Request(request.url, { method: request.method, headers: request.headers, body, signal: callerGone.signal }),
      );
    let response = await forward();
    if (await refusedByContainer(response)) {
      await this.#stopUnreachableContainer();
      response = await forward();
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType !== 'text/event-stream' || !response.body) return response;
    return new Response(response.body.pipeThrough(new TransformStream()), response);
  }

  /** Makes sure the container that refused its port is gone, so the next forward starts a new one. */
  async #stopUnreachableContainer(): Promise<void> {
    console.warn(JSON.stringify({ event: 'container_unreachable', container: this.ctx.id.toString() }));
    // Resolves once the runtime reports it stopped; a no-op for one it already knows has exited.
    await this.destroy();
  }
}

/**
 * Whether `Container.containerFetch` answered that the container refused the connection: its 500
 * "Error proxying request to container: …" in plain text, never an answer of the bridge (JSON).
 */
async function refusedByContainer(response: Response): Promise<boolean> {
  if (response.status !== 500 || !(response.headers.get('content-type') ?? '').startsWith('text/plain')) return false;
  const text = await response.clone().text();
  return text.startsWith('Error proxying request to container:') && /container is not listening/i.test(text);
}
