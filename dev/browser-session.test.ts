import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSession } from './browser-session.ts';

/** Two servers on two ports of the same host, like the Worker and the Access stand-in. */
let first: Server;
let second: Server;
let firstOrigin: string;
let secondOrigin: string;
const requestedPaths: string[] = [];

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk;
  return body;
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = request.url ?? '/';
  requestedPaths.push(path);
  switch (path) {
    case '/set-cookies':
      response.setHeader('Set-Cookie', [
        '__Host-session=host-prefixed; Path=/; Secure; HttpOnly; SameSite=Lax',
        'plain=1; Path=/',
        '__Host-broken=not-secure; Path=/', // breaks its prefix's rules: a browser drops it
      ]);
      response.writeHead(302, { Location: `${secondOrigin}/echo-cookies` }).end();
      return;
    case '/echo-cookies':
      response.end(request.headers.cookie ?? '');
      return;
    case '/see-other':
      response.writeHead(303, { Location: '/echo-request' }).end();
      return;
    case '/temporary':
      response.writeHead(307, { Location: '/echo-request' }).end();
      return;
    case '/echo-request':
      response.end(`${request.method} ${await readBody(request)}`);
      return;
    case '/to-target':
      response.writeHead(302, { Location: '/target?x=1' }).end();
      return;
    case '/loop':
      response.writeHead(302, { Location: '/loop' }).end();
      return;
    default:
      response.writeHead(404).end();
  }
}

function start(): Promise<Server> {
  const server = createServer((request, response) => void handle(request, response));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const originOf = (server: Server) => `http://localhost:${(server.address() as AddressInfo).port}`;
const stop = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });

beforeAll(async () => {
  [first, second] = await Promise.all([start(), start()]);
  [firstOrigin, secondOrigin] = [originOf(first), originOf(second)];
});
afterAll(() => Promise.all([stop(first), stop(second)]));

describe('BrowserSession', () => {
  it('fetch() does not follow redirects', async () => {
    const response = await new BrowserSession().fetch(`${firstOrigin}/to-target`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/target?x=1');
  });

  it('keeps cookies per host across ports, with Secure and __Host- cookies working on http://localhost', async () => {
    const { response, url } = (await new BrowserSession().follow(`${firstOrigin}/set-cookies`)) as {
      response: Response;
      url: URL;
    };
    expect(url.origin).toBe(secondOrigin);
    const sent = (await response.text()).split('; ').sort();
    expect(sent).toEqual(['__Host-session=host-prefixed', 'plain=1']);
  });

  it('continues with a GET without body after 303', async () => {
    const { response } = (await new BrowserSession().follow(`${firstOrigin}/see-other`, {
      method: 'POST',
      body: 'a=1',
    })) as { response: Response };
    expect(await response.text()).toBe('GET ');
  });

  it('repeats the request after 307', async () => {
    const { response } = (await new BrowserSession().follow(`${firstOrigin}/temporary`, {
      method: 'POST',
      body: 'a=1',
    })) as { response: Response };
    expect(await response.text()).toBe('POST a=1');
  });

  it('stops before fetching the first URL `until` accepts', async () => {
    const result = await new BrowserSession().follow(`${firstOrigin}/to-target`, undefined, {
      until: (url) => url.pathname === '/target',
    });
    expect(result).toEqual({ stopped: true, url: new URL(`${firstOrigin}/target?x=1`) });
    expect(requestedPaths).not.toContain('/target?x=1');
  });

  it('gives up after maxHops redirects', async () => {
    await expect(new BrowserSession().follow(`${firstOrigin}/loop`, undefined, { maxHops: 3 })).rejects.toThrow(
      'more than 3 redirects',
    );
    expect(requestedPaths.filter((path) => path === '/loop')).toHaveLength(4);
  });
});
