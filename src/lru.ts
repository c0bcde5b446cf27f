import type { Clock } from './clock';

/**
 * A map that keeps at most `capacity` entries, forgetting the least recently
 * used first. Every in-process cache keyed by something a request carries (a
 * person, a time zone name) is one of these, so no request can make the
 * process grow without end.
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, not ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    // Map keeps insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }
}

/**
 * A small expiring cache of promises, so concurrent asks for the same key
 * share one request. It holds at most `capacity` entries, forgetting the
 * least recently used first, so keys that are never asked again still leave.
 */
export class ExpiringCache<T> {
  private readonly entries: LruMap<string, { value: Promise<T>; expires: number }>;
  constructor(
    private readonly ttlMs: number,
    private readonly clock: Clock,
    capacity: number,
  ) {
    this.entries = new LruMap(capacity);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Promise<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Caches `value`; a rejected one is dropped, so a failure is not remembered. */
  set(key: string, value: Promise<T>): Promise<T> {
    this.entries.set(key, { value, expires: this.clock.now() + this.ttlMs });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
