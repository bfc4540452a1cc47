/**
 * What a real-container stack leaves in the engine, removed when it stops: every container workerd
 * started from the stack's image, the network sidecar beside each (named `<container>-proxy`, see
 * workerd's `ContainerClient`), and the image tag wrangler built. workerd removes its containers
 * when the Worker is disposed cleanly; this also covers a wrangler that was killed.
 */
import { dockerApi, listContainers, removeContainer, type ListedContainer } from './docker-api.ts';

/**
 * Removes the containers of `image`, their sidecars and `alsoRemove` (what ran before wrangler was
 * stopped), then the image tag (its layers stay, as the builder's cache).
 *
 * @example
 * ```ts
 * await removeStackContainers('unix:///…/docker.sock', 'cloudflare-dev/mcpcontainer:smcp-1a2b3c4d');
 * ```
 */
export async function removeStackContainers(
  dockerHost: string,
  image: string,
  alsoRemove: readonly ListedContainer[] = [],
): Promise<void> {
  const socket = dockerHost.replace(/^unix:\/\//, '');
  const { apps, sidecars } = await stackContainers(dockerHost, image);
  const seen = new Set<string>();
  // The app containers first: they live in their sidecar's network namespace.
  for (const container of [
    ...apps,
    ...alsoRemove.filter((entry) => entry.Image === image),
    ...sidecars,
    ...alsoRemove,
  ]) {
    if (seen.has(container.Id)) continue;
    seen.add(container.Id);
    await removeContainer(socket, container.Id);
  }
  await dockerApi(socket, 'DELETE', `/images/${encodeURIComponent(image)}?noprune=true`);
}

/**
 * The containers (apps and sidecars) the engine runs for `image`, for tests and the launcher.
 *
 * @example
 * ```ts
 * const { apps, sidecars } = await stackContainers(dockerHost, stack.image);
 * ```
 */
export async function stackContainers(
  dockerHost: string,
  image: string,
): Promise<{ apps: Awaited<ReturnType<typeof listContainers>>; sidecars: Awaited<ReturnType<typeof listContainers>> }> {
  const socket = dockerHost.replace(/^unix:\/\//, '');
  const all = await listContainers(socket);
  const apps = all.filter((container) => container.Image === image);
  const names = new Set(apps.flatMap((container) => container.Names.map((name) => `${name.replace(/^\//, '')}-proxy`)));
  return {
    apps,
    sidecars: all.filter((container) => container.Names.some((name) => names.has(name.replace(/^\//, '')))),
  };
}
