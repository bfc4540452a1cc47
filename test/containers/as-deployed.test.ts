/**
 * The real-container mode with the Worker as deployed: the same bundle in workerd without
 * `wrangler dev` (`dev/stack/direct-workerd.ts`), its Durable Objects in an isolate of their own,
 * the image built beforehand the way wrangler builds it. The benchmark's production-like row through
 * a real container runs this way; here a user signs in, calls echo through a container of their own,
 * and stopping the stack leaves nothing in the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackContainers } from '../../dev/containers/stack-containers.ts';
import {
  connectAs,
  containersOf,
  resultText,
  skipsWithoutEngine,
  startTestContainerStack,
  type TestContainerStack,
} from './container-engine.ts';

describe.skipIf(skipsWithoutEngine())('a real container behind the Worker as deployed (no wrangler dev)', () => {
  let stack: TestContainerStack | undefined;

  beforeAll(async () => {
    stack = await startTestContainerStack({ workerRuntime: 'workerd' });
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it('alice signs in, calls echo through a container of her own, and stopping the stack removes it', async () => {
    const alice = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await alice.callTool({ name: 'echo', arguments: { message: 'as deployed' } }))).toBe(
        'Echo: as deployed',
      );
    } finally {
      await alice.close();
    }
    expect(await containersOf(stack!, 'alice@example.com')).toHaveLength(1);
    await stack!.cleanup();
    const { apps, sidecars } = await stackContainers(stack!.dockerHost, stack!.image);
    expect([...apps, ...sidecars]).toEqual([]);
    stack = undefined;
  });
});
