import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * Asks the OS for a TCP port that is free right now on 127.0.0.1. Another
 * process may take it before the caller binds it; prefer listening on port 0
 * directly where the code under test allows it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
