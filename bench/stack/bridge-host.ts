/**
 * Runs our bridge alone (server-everything over stdio, loopback, anonymous as the bridge
 * allows on loopback) in a process of its own, with the benchmark's bounds. Started by
 * `hosted-stack.ts`; speaks `host-protocol.ts` on stdout.
 */
import { startBridge } from '../../container/src/bridge.ts';
import { serverEverythingCommand } from '../../dev/stack/server-everything.ts';
import { BENCH_BRIDGE_LIMITS, sendHostMessage, stopWithParent } from './host-protocol.ts';

const bridge = await startBridge({
  command: serverEverythingCommand(),
  port: 0,
  host: '127.0.0.1',
  limits: BENCH_BRIDGE_LIMITS,
  logger: (record) => sendHostMessage({ log: { source: 'bridge', line: JSON.stringify(record) } }),
});
sendHostMessage({ ready: { bridgeUrl: bridge.url } });
stopWithParent(() => bridge.close());
