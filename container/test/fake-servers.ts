/**
 * Small stdio MCP servers for the tests: each one answers `initialize` like a real server, then does
 * one particular thing (for the fault tests, one bad thing). Each is a command for `startBridge`.
 */

const answerInitialize = `
  const readline = require('node:readline');
  const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
  const lines = readline.createInterface({ input: process.stdin });
  const initialize = (message) => send({ jsonrpc: '2.0', id: message.id, result: {
    protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'fake', version: '1' } } });
`;

/** Answers `initialize`, then never answers anything else. */
export function silentServer(): string[] {
  return [
    process.execPath,
    '-e',
    `${answerInitialize}
    lines.on('line', (line) => { const m = JSON.parse(line); if (m.method === 'initialize') initialize(m); });`,
  ];
}

/** Answers `initialize`, then writes a line of garbage before each correct `tools/list` answer. */
export function garbageServer(): string[] {
  return [
    process.execPath,
    '-e',
    `${answerInitialize}
    lines.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.method === 'initialize') return initialize(m);
      if (m.method === 'tools/list') { process.stdout.write('%%% not json at all\\n{"half": \\n'); send({ jsonrpc: '2.0', id: m.id, result: { tools: [] } }); }
    });`,
  ];
}

/**
 * Answers `tools/call` after `delayMs` with the text "slow done". A call that asks for progress
 * (`_meta.progressToken`) first gets one progress notification: the sign that the call reached it.
 */
export function slowServer(delayMs: number): string[] {
  return [
    process.execPath,
    '-e',
    `${answerInitialize}
    lines.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.method === 'initialize') return initialize(m);
      if (m.method === 'tools/list') return send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'slow', inputSchema: { type: 'object' } }] } });
      if (m.method !== 'tools/call') return;
      const progressToken = m.params._meta && m.params._meta.progressToken;
      if (progressToken !== undefined) send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken, progress: 0 } });
      setTimeout(() => send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'slow done' }] } }), ${delayMs});
    });`,
  ];
}

/** Answers `tools/call` at once with the text "Echo: <message>", and never sends anything unasked. */
export function quietEchoServer(): string[] {
  return [
    process.execPath,
    '-e',
    `${answerInitialize}
    lines.on('line', (line) => {
      const m = JSON.parse(line);
      if (m.method === 'initialize') return initialize(m);
      if (m.method === 'tools/list') return send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'echo', inputSchema: { type: 'object' } }] } });
      if (m.method === 'tools/call') send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: 'Echo: ' + m.params.arguments.message }] } });
    });`,
  ];
}
