import { describe, expect, it } from 'vitest';
import { PLATFORM_CA_PATH, platformCaEnvironment } from './platform-ca.ts';

describe('the platform’s HTTPS interception CA', () => {
  it('is handed to a Node stdio server when the platform put it in the container, and not otherwise', () => {
    expect(platformCaEnvironment((path) => path === PLATFORM_CA_PATH)).toEqual({
      NODE_EXTRA_CA_CERTS: PLATFORM_CA_PATH,
    });
    expect(platformCaEnvironment(() => false)).toEqual({});
  });
});
