// Where the sandbox keeps its state, behind a small interface whose every operation is atomic,
// so idempotency and capture limits hold under concurrency. Records are JSON documents filed by
// tenant (the merchant's client ID), collection and ID; `update` is an atomic read-modify-write
// with a pure function, which a shared store implements with a transaction or a script
// (redis-store.ts: compare-and-set in a Lua script). The memory store is the default.

export type Collection = "merchants" | "payments" | "paymentRequests" | "captureRequests" | "deliveries" | "timers" | "disputes" | "cardTokens" | "clock" | "leases" | "chains";

export interface Store {
  get<T>(tenant: string, collection: Collection, id: string): Promise<T | undefined>;
  /** Stores `value` unless a record exists; returns the record that is there afterwards (SET NX). */
  insert<T>(tenant: string, collection: Collection, id: string, value: T): Promise<{ created: boolean; value: T }>;
  /**
   * Atomically replaces a record with `change(current)`. `change` must be pure: a shared store
   * may call it again when another writer got there first. Returning `undefined` leaves the
   * record as it was. Resolves to the record afterwards.
   */
  update<T>(tenant: string, collection: Collection, id: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined>;
  /** Deletes a record; resolves to whether one was there. */
  remove(tenant: string, collection: Collection, id: string): Promise<boolean>;
  /** Every record of a collection, in insertion order. */
  list<T>(tenant: string, collection: Collection): Promise<T[]>;
  /** The tenants that have records (a shared store may also list one whose records are gone). */
  tenants(): Promise<string[]>;
  /** Forgets everything of one tenant. */
  reset(tenant: string): Promise<void>;
  /** Lets go of connections, if the store has any. */
  close?(): Promise<void>;
}

/**
 * A record as stored: a deep copy, so nothing the caller keeps can change stored state. Records
 * are handed out without another copy: the sandbox never changes a record it read, it builds
 * the next one (`{ ...current, ... }`), as a shared store's serialised records require anyway.
 */
const stored = <T>(value: T): T => copyJson(value) as T;

/** A deep copy of JSON data (records are nothing else); several times cheaper than structuredClone. */
function copyJson(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = copyJson((value as Record<string, unknown>)[key]);
  return out;
}

/** The embedded store: one process, state in memory, atomic because each operation runs to completion. */
export class MemoryStore implements Store {
  private readonly data = new Map<string, Map<Collection, Map<string, unknown>>>();

  private collection(tenant: string, collection: Collection): Map<string, unknown> {
    let byCollection = this.data.get(tenant);
    if (!byCollection) this.data.set(tenant, (byCollection = new Map()));
    let records = byCollection.get(collection);
    if (!records) byCollection.set(collection, (records = new Map()));
    return records;
  }

  async get<T>(tenant: string, collection: Collection, id: string): Promise<T | undefined> {
    return this.data.get(tenant)?.get(collection)?.get(id) as T | undefined;
  }

  async insert<T>(tenant: string, collection: Collection, id: string, value: T): Promise<{ created: boolean; value: T }> {
    const records = this.collection(tenant, collection);
    if (records.has(id)) return { created: false, value: records.get(id) as T };
    const copy = stored(value);
    records.set(id, copy);
    return { created: true, value: copy };
  }

  async update<T>(tenant: string, collection: Collection, id: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const records = this.collection(tenant, collection);
    const next = change(records.get(id) as T | undefined);
    if (next !== undefined) records.set(id, stored(next));
    return records.get(id) as T | undefined;
  }

  async remove(tenant: string, collection: Collection, id: string): Promise<boolean> {
    return this.data.get(tenant)?.get(collection)?.delete(id) ?? false;
  }

  async list<T>(tenant: string, collection: Collection): Promise<T[]> {
    return [...(this.data.get(tenant)?.get(collection)?.values() ?? [])] as T[];
  }

  async tenants(): Promise<string[]> {
    return [...this.data.keys()];
  }

  async reset(tenant: string): Promise<void> {
    this.data.delete(tenant);
  }
}
