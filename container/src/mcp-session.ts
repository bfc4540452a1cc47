/**
 * One MCP session: the SDK's Streamable HTTP server transport on the client side, a stdio child of
 * its own on the server side, and raw JSON-RPC relayed between them with ids unchanged.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { StdioChild } from './stdio-child.ts';

/** Why a session ended, as logged. */
export type SessionEndReason = 'client-closed' | 'server-exited' | 'server-not-started' | 'bridge-closing';

const END_MESSAGES: Record<SessionEndReason, string> = {
  'client-closed': 'The MCP session was closed',
  'server-exited': 'The MCP server process exited; start a new session',
  'server-not-started': 'The MCP server process could not be started',
  'bridge-closing': 'The bridge is shutting down',
};

/** What a session needs from the bridge. */
export interface McpSessionOptions {
  id: string;
  /** The identity that opened the session; only the same identity may use it. */
  userKey: string;
  http: StreamableHTTPServerTransport;
  command: readonly string[];
  env?: Record<string, string>;
  log: (event: string, fields?: object) => void;
  /** Called once, as soon as the session ends, so it can no longer be found. */
  onEnded: (session: McpSession) => void;
}

/** A live MCP session. It starts its stdio child on construction and ends when either side goes away. */
export class McpSession {
  readonly id: string;
  readonly userKey: string;
  /** The child once started; `undefined` when it could not be started. */
  private readonly child: Promise<StdioChild | undefined>;
  private readonly http: StreamableHTTPServerTransport;
  private readonly log: McpSessionOptions['log'];
  private readonly onEnded: McpSessionOptions['onEnded'];
  /** Client requests the server has not answered yet, oldest first. */
  private readonly inFlight = new Set<RequestId>();
  private pid: number | undefined;
  private ending: Promise<void> | undefined;

  constructor(options: McpSessionOptions) {
    this.id = options.id;
    this.userKey = options.userKey;
    this.http = options.http;
    this.log = options.log;
    this.onEnded = options.onEnded;
    this.http.onmessage = (message) => void this.relayToServer(message);
    this.http.onclose = () => void this.end('client-closed');
    this.child = this.startChild(options.command, options.env);
  }

  /** The stdio child's process id, once it runs. */
  get serverPid(): number | undefined {
    return this.pid;
  }

  /** Serves one HTTP request of this session (POST, GET stream or DELETE). */
  handleRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    return this.http.handleRequest(request, response);
  }

  /**
   * Ends the session (idempotent): answers the requests still in flight with a JSON-RPC error, closes
   * the HTTP side and stops the child. Resolves when the child has exited.
   */
  end(reason: SessionEndReason): Promise<void> {
    this.ending ??= this.finish(reason);
    return this.ending;
  }

  private async startChild(command: readonly string[], env?: Record<string, string>): Promise<StdioChild | undefined> {
    let child: StdioChild;
    try {
      child = await StdioChild.spawn(command, env);
    } catch (error) {
      this.log('child.spawn_failed', { sessionId: this.id, error: (error as Error).message });
      return undefined;
    }
    this.pid = child.pid;
    this.log('child.spawned', { sessionId: this.id, pid: child.pid });
    child.onmessage = (message) => this.relayToClient(message);
    child.onerror = (error) => this.log('child.error', { sessionId: this.id, pid: child.pid, error: error.message });
    void child.exited.then(({ code, signal }) => {
      this.log('child.exited', { sessionId: this.id, pid: child.pid, code, signal });
      void this.end('server-exited');
    });
    return child;
  }

  private async relayToServer(message: JSONRPCMessage): Promise<void> {
    if (isJSONRPCRequest(message)) this.inFlight.add(message.id);
    if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      this.inFlight.delete(message.params?.requestId as RequestId);
    }
    const child = await this.child;
    if (child === undefined) {
      await this.end('server-not-started');
      return;
    }
    try {
      await child.send(message);
    } catch {
      // The child is going away; its exit ends the session and answers what is still in flight.
      this.log('relay.failed', { sessionId: this.id, direction: 'to-server' });
    }
  }

  private relayToClient(message: JSONRPCMessage): void {
    const isResponse = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (isResponse && message.id !== undefined) this.inFlight.delete(message.id);
    // stdio says nothing about which request a server-initiated message belongs to. Sending it on the
    // newest open request stream reaches clients that never open the GET stream; with nothing in
    // flight it goes to the GET stream.
    const relatedRequestId = isResponse ? undefined : [...this.inFlight].at(-1);
    this.http.send(message, { relatedRequestId }).catch(() => {
      // The client closed that stream, or no stream can carry the message.
      this.log('relay.undeliverable', { sessionId: this.id, direction: 'to-client' });
    });
  }

  private async finish(reason: SessionEndReason): Promise<void> {
    this.onEnded(this);
    const error = { code: ErrorCode.ConnectionClosed, message: END_MESSAGES[reason] };
    const unanswered = [...this.inFlight];
    this.inFlight.clear();
    await Promise.allSettled(unanswered.map((id) => this.http.send({ jsonrpc: '2.0', id, error })));
    await this.http.close();
    this.log('session.closed', { sessionId: this.id, reason });
    await (await this.child)?.stop();
  }
}
