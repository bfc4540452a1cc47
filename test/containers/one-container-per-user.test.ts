/**
 * The production topology, locally: the Worker under `wrangler dev` forwards each user's MCP
 * traffic to a real container of their own (`McpContainer`, `ContainerUpstream`), built from
 * `container/Dockerfile` with server-everything, exactly as deployed. Two users get two containers,
 * every process in them runs as a non-root uid (the stdio server under a uid of its own), a user's
 * later calls reach the same container, and stopping the stack leaves nothing in the engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessSubjectFor } from '../../dev/access-standin/subject.ts';
import { stackContainers } from '../../dev/containers/stack-containers.ts';
import {
  connectAs,
  containersOf,
  docker,
  resultText,
  skipsWithoutEngine,
  startTestContainerStack,
  type TestContainerStack,
} from './container-engine.ts';

describe.skipIf(skipsWithoutEngine())('one real container per user', () => {
  let stack: TestContainerStack | undefined;

  beforeAll(async () => {
    stack = await startTestContainerStack();
  });

  afterAll(async () => {
    await stack?.cleanup();
  });

  it('alice and bob sign in with the SDK client, call echo, and each gets a container of their own', async () => {
    const alice = await connectAs(stack!, 'alice@example.com');
    const bob = await connectAs(stack!, 'bob@example.com');
    try {
      expect(resultText(await alice.callTool({ name: 'echo', arguments: { message: 'from alice' } }))).toBe(
        'Echo: from alice',
      );
      expect(resultText(await bob.callTool({ name: 'echo', arguments: { message: 'from bob' } }))).toBe(
        'Echo: from bob',
      );
    } finally {
      await alice.close();
      await bob.close();
    }
    const [alices, bobs] = [
      await containersOf(stack!, 'alice@example.com'),
      await containersOf(stack!, 'bob@example.com'),
    ];
    expect(alices).toHaveLength(1);
    expect(bobs).toHaveLength(1);
    expect(alices[0]!.id).not.toBe(bobs[0]!.id);
    // Each container served one user only, and each has its own network sidecar.
    const logs = await docker(stack!, ['logs', alices[0]!.id]);
    expect(logs).not.toContain(accessSubjectFor('bob@example.com'));
    const { apps, sidecars } = await stackContainers(stack!.dockerHost, stack!.image);
    expect(apps.map((app) => app.Id).sort()).toEqual([alices[0]!.id, bobs[0]!.id].sort());
    expect(sidecars.map((sidecar) => sidecar.Id).sort()).toEqual([alices[0]!.sidecarId!, bobs[0]!.sidecarId!].sort());
  });

  it('runs every process of a container as a non-root uid, the stdio server under a uid of its own', async () => {
    const [container] = await containersOf(stack!, 'alice@example.com');
    expect((await docker(stack!, ['inspect', '--format', '{{.Config.User}}', container!.id])).trim()).toBe('node');
    const processes = (await docker(stack!, ['top', container!.id, '-eo', 'pid,uid,args']))
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => {
        const [, uid, ...args] = line.trim().split(/\s+/);
        return { uid: Number(uid), args: args.join(' ') };
      });
    const bridge = processes.find((entry) => entry.args === 'node /app/bridge.mjs');
    const server = processes.find((entry) => entry.args.includes('mcp-server-everything'));
    expect(bridge?.uid).toBe(1000);
    expect(server).toBeDefined();
    expect(server!.uid).not.toBe(0);
    expect(server!.uid).not.toBe(bridge!.uid);
    expect(processes.every((entry) => entry.uid !== 0)).toBe(true);
  });

  it("alice's third call reaches her container again, the same one, not restarted", async () => {
    const [before] = await containersOf(stack!, 'alice@example.com');
    const startedAt = (await docker(stack!, ['inspect', '--format', '{{.State.StartedAt}}', before!.id])).trim();
    const alice = await connectAs(stack!, 'alice@example.com');
    try {
      expect(resultText(await alice.callTool({ name: 'echo', arguments: { message: 'third' } }))).toBe('Echo: third');
    } finally {
      await alice.close();
    }
    const after = await containersOf(stack!, 'alice@example.com');
    expect(after.map((container) => container.id)).toEqual([before!.id]);
    expect((await docker(stack!, ['inspect', '--format', '{{.State.StartedAt}}', before!.id])).trim()).toBe(startedAt);
    expect((await stackContainers(stack!.dockerHost, stack!.image)).apps).toHaveLength(2);
  });

  it('leaves no container, sidecar or image tag behind when the stack stops', async () => {
    const { dockerHost, image } = stack!;
    const containers = await stackContainers(dockerHost, image);
    expect(containers.apps.length).toBeGreaterThan(0);
    await stack!.cleanup();
    stack = undefined;
    const names = (await docker({ dockerHost }, ['ps', '-a', '--format', '{{.Names}}'])).split('\n');
    for (const container of [...containers.apps, ...containers.sidecars])
      expect(names).not.toContain(container.Names[0]!.replace(/^\//, ''));
    await expect(docker({ dockerHost }, ['image', 'inspect', image])).rejects.toThrow(/No such image/);
  });
});
