/**
 * Notice de-duplication: `SET <p>dn:{id} 1 NX PX ttl`, one atomic command, the first writer wins.
 * Unlike the other ports this expiry is the server's (real) time, not the caller's `nowMs`: a notice id is
 * unique for its token's lifetime, so only the real-time garbage collection matters.
 */
import type { DedupStore } from '../ports.js';
import { assertReady } from './connection.js';
import type { KeySchema } from './keys.js';
import type { RedisClient } from './scripts.js';

export class RedisDedupStore implements DedupStore {
  readonly #client: RedisClient;
  readonly #keys: KeySchema;

  constructor(client: RedisClient, keys: KeySchema) {
    this.#client = client;
    this.#keys = keys;
  }

  async firstSeen(id: string, ttlSeconds: number): Promise<boolean> {
    assertReady(this.#client);
    const ok = await this.#client.set(
      this.#keys.dedup(id),
      '1',
      'PX',
      Math.max(1, Math.round(ttlSeconds * 1000)),
      'NX',
    );
    return ok === 'OK';
  }
}
