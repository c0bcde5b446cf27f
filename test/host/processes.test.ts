/**
 * The free ports the tests and the bench start their parts on: outside the
 * ephemeral range, so no outgoing connection can take one before it is bound.
 */
import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/host/processes';

describe('freePort', () => {
  it('gives a loopback port below the ephemeral ranges that can be listened on, and never one in use', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) expect(port >= 20_000 && port < 32_000, String(port)).toBe(true);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(ports[0], '127.0.0.1', resolve));
    // The first port it tries is the one just taken: it must try another. Each
    // draw aims at the middle of its port's slot: (port - 20000) / 12000 alone
    // lands just below the slot for about one port in 18, once floating point
    // rounds it, and then names the port before it.
    const tries = [ports[0]!, ports[1]!].map((port) => (port - 20_000 + 0.5) / 12_000);
    const random = vi.spyOn(Math, 'random').mockImplementation(() => tries.shift() ?? 0.25);
    try {
      expect(await freePort()).toBe(ports[1]);
      expect(random).toHaveBeenCalledTimes(2);
    } finally {
      random.mockRestore();
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
