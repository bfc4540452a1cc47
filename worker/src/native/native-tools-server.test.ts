import { Client, InMemoryTransport } from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import type { UserProps } from '../config.ts';
import { createNativeToolsServer } from './native-tools-server.ts';

const alice: UserProps = {
  sub: 'access-sub-1',
  email: 'alice@example.com',
  name: 'Alice Example',
  groups: ['engineering'],
};

/** A client talking to a native tools server built for `user`, in memory. */
async function connectedClient(user: UserProps): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createNativeToolsServer(user).connect(serverSide);
  const client = new Client({ name: 'native-tools-test', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

describe('the native tools', () => {
  it('add adds, and refuses arguments that are not numbers', async () => {
    const client = await connectedClient(alice);
    expect(await client.callTool({ name: 'add', arguments: { a: 23, b: 19 } })).toMatchObject({
      content: [{ type: 'text', text: '42' }],
    });
    // Refused as a tool error the model can read (not a protocol error), naming the bad argument.
    expect(await client.callTool({ name: 'add', arguments: { a: '23', b: 19 } })).toEqual({
      isError: true,
      content: [{ type: 'text', text: expect.stringMatching(/^Input validation error: .*\ba: .*expected number/) }],
    });
  });

  it('whoami returns the identity the server was built for, nothing from the call', async () => {
    const client = await connectedClient(alice);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toEqual({
      sub: 'access-sub-1',
      email: 'alice@example.com',
      name: 'Alice Example',
      groups: ['engineering'],
    });
    const bob = await connectedClient({ ...alice, sub: 'access-sub-2', email: 'bob@example.com' });
    expect((await bob.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      email: 'bob@example.com',
    });
  });
});
