/**
 * A few calls of the Docker Engine API over its unix socket (the same API workerd uses to run the
 * containers, see `ContainerClient` in workerd's `src/workerd/server/container-client.c++`). Used
 * where the project needs an answer it can rely on (is the engine up, which containers exist)
 * rather than the text output of the `docker` CLI.
 */
import { request } from 'node:http';

/** One answer of the engine: status code and the body parsed as JSON when it is JSON. */
export interface DockerAnswer {
  status: number;
  body: unknown;
}

/**
 * Sends one request to the engine at `socketPath` and resolves with its answer. Rejects only when
 * the socket cannot be reached (no engine), never for a 4xx or 5xx.
 *
 * @example
 * ```ts
 * const { status } = await dockerApi('/work/.docker/docker.sock', 'GET', '/_ping');
 * ```
 */
export function dockerApi(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<DockerAnswer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      {
        socketPath,
        method,
        path,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if ((response.headers['content-type'] ?? '').includes('json') && text !== '') {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: response.statusCode ?? 0, body: parsed });
        });
        response.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`the Docker engine did not answer ${method} ${path} in time`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Whether an engine answers `GET /_ping` on `socketPath`.
 *
 * @example
 * ```ts
 * if (await engineAnswers(socket)) console.log('reusing the running engine');
 * ```
 */
export async function engineAnswers(socketPath: string): Promise<boolean> {
  try {
    const { status } = await dockerApi(socketPath, 'GET', '/_ping', undefined, 3_000);
    return status === 200;
  } catch {
    return false;
  }
}

/** A container as `GET /containers/json` lists it (the fields this project reads). */
export interface ListedContainer {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Labels: Record<string, string>;
}

/**
 * Every container the engine knows (running or not), optionally only those whose name starts
 * with `namePrefix`.
 *
 * @example
 * ```ts
 * const left = await listContainers(socket, 'workerd-secure-mcp');
 * ```
 */
export async function listContainers(socketPath: string, namePrefix = ''): Promise<ListedContainer[]> {
  const { status, body } = await dockerApi(socketPath, 'GET', '/containers/json?all=1');
  if (status !== 200 || !Array.isArray(body)) throw new Error(`listing containers failed (${status})`);
  return (body as ListedContainer[]).filter((container) =>
    container.Names.some((name) => name.replace(/^\//, '').startsWith(namePrefix)),
  );
}

/**
 * Removes a container, running or not; a container that is already gone is not an error.
 *
 * @example
 * ```ts
 * await removeContainer(socket, container.Id);
 * ```
 */
export async function removeContainer(socketPath: string, id: string): Promise<void> {
  const { status, body } = await dockerApi(
    socketPath,
    'DELETE',
    `/containers/${encodeURIComponent(id)}?force=true&v=true`,
  );
  if (status !== 204 && status !== 404 && status !== 409)
    throw new Error(`removing container ${id} failed (${status}): ${JSON.stringify(body)}`);
}
