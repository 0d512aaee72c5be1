// The shared store: the sandbox's state in Redis, so several instances serve the same tenants and
// a restarted one loses nothing. Every operation that decides something is one Lua script, so it
// is atomic across instances: insert is "set if absent", update is compare-and-set on the whole
// record (retried with the pure change function when another writer got there first).
//
// Keys (see docs/sandbox.md, "Running several instances"):
//   <prefix>:{<tenant>}:<collection>:<id>   one record, JSON
//   <prefix>:{<tenant>}:<collection>        the collection's index: a sorted set of IDs by insertion order
//   <prefix>:{<tenant>}:order               the tenant's insertion counter
//   <prefix>:tenants                        the tenants, scored by their last write (real time, ms)
// Tenant and ID are escaped (keyPart), so neither can reach into another's keys. The braces are a Redis
// Cluster hash tag: all keys of a tenant live in one slot, where a script may touch them together.
// Every tenant key carries an expiry that each read (GETEX) and write renews: a record nobody has
// touched for the expiry goes away, and so does an idle tenant's state, while one in use stays.
import { createHash } from "node:crypto";
import { createClient, type RedisClientType } from "redis";
import type { Collection, Store } from "./store.js";

export const COLLECTIONS: readonly Collection[] = ["merchants", "payments", "paymentRequests", "captureRequests", "deliveries", "timers", "disputes", "cardTokens", "clock", "leases", "chains"];

/** How long an untouched tenant's state is kept by default: 30 days. */
export const DEFAULT_TTL_MS = 30 * 24 * 3_600_000;
/** How often one instance re-marks a tenant as active in the tenant index (a write of its own). */
const TENANT_MARK_MS = 60_000;
/** How long one Redis command may take before the call fails. */
const COMMAND_TIMEOUT_MS = 5_000;
/** Compare-and-set attempts before an update gives up (each one lost to another writer). */
const MAX_UPDATE_ATTEMPTS = 1_000;

// KEYS: record, index, order. ARGV: value, ttl ms, id. Returns {1} when stored, {0, current} when a record was there.
const INSERT = `
local current = redis.call('GET', KEYS[1])
if current then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local n = redis.call('INCR', KEYS[3])
redis.call('ZADD', KEYS[2], n, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
redis.call('PEXPIRE', KEYS[3], ARGV[2])
return {1}
`;

// KEYS: record, index, order. ARGV: '1' and the expected record, or '0' when it is expected absent; then the new value, ttl ms, id.
// Returns {1} when stored, {0} when the record changed meanwhile.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return {0} end
elseif current then
  return {0}
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
if not current then
  local n = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[2], n, ARGV[5])
end
redis.call('PEXPIRE', KEYS[2], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[4])
return {1}
`;

// KEYS: record, index. ARGV: id. Returns 1 when a record was there.
const REMOVE = `
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('DEL', KEYS[1])
`;

interface Script {
  source: string;
  sha: string;
}
const script = (source: string): Script => ({ source, sha: createHash("sha1").update(source).digest("hex") });
const SCRIPTS = { insert: script(INSERT), compareAndSet: script(COMPARE_AND_SET), remove: script(REMOVE) };

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Prefix of every key (default `antom-sandbox`), so one Redis database can hold other data too. */
  prefix?: string;
  /** How long an untouched tenant's records are kept, ms (default 30 days). */
  ttlMs?: number;
  /** Where connection trouble is reported; it is retried, never thrown at a caller who did not ask. */
  log?: (line: string) => void;
}

export class RedisStore implements Store {
  private readonly client: RedisClientType;
  private readonly prefix: string;
  private readonly ttl: string;
  private readonly ttlMs: number;
  private readonly marked = new Map<string, number>();
  private readonly log: (line: string) => void;

  private constructor(client: RedisClientType, options: RedisStoreOptions) {
    this.client = client;
    this.log = options.log ?? ((line: string) => console.error(line));
    this.prefix = options.prefix ?? "antom-sandbox";
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.ttl = String(this.ttlMs);
  }

  /** Connects, and fails at once (with the URL's host, never its password) when Redis cannot be reached. */
  static async connect(options: RedisStoreOptions): Promise<RedisStore> {
    const where = describe(options.url);
    const log = options.log ?? ((line: string) => console.error(line));
    let connected = false;
    const client = createClient({
      url: options.url,
      // While Redis is away, a call fails at once (the request is answered U / UNKNOWN_EXCEPTION)
      // instead of waiting in a queue, and the client keeps reconnecting in the background.
      disableOfflineQueue: true,
      // A Redis that stops answering without closing the connection fails a call too.
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
      socket: {
        connectTimeout: 5_000,
        // Before the first connection: fail fast. Afterwards: keep trying, as a server would.
        reconnectStrategy: (retries) => (connected ? Math.min(retries * 100, 2_000) : false),
      },
    }) as RedisClientType;
    let lastError = "";
    client.on("error", (error: Error) => {
      const text = error.message || String(error);
      if (connected && text !== lastError) log(`sandbox: Redis at ${where}: ${text}`);
      lastError = text;
    });
    try {
      await client.connect();
    } catch (error) {
      throw new Error(`cannot reach Redis at ${where}: ${(error as Error).message || lastError || String(error)}`);
    }
    connected = true;
    return new RedisStore(client, options);
  }

  private tenantKey(tenant: string): string {
    return `${this.prefix}:{${keyPart(tenant)}}`;
  }
  private keys(tenant: string, collection: Collection, id: string): [record: string, index: string, order: string] {
    const base = this.tenantKey(tenant);
    return [`${base}:${collection}:${keyPart(id)}`, `${base}:${collection}`, `${base}:order`];
  }

  private async run(which: keyof typeof SCRIPTS, keys: string[], args: string[]): Promise<unknown> {
    const { sha, source } = SCRIPTS[which];
    try {
      return await this.client.sendCommand(["EVALSHA", sha, String(keys.length), ...keys, ...args]);
    } catch (error) {
      // A fresh or flushed Redis does not know the script yet: send it whole once.
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return this.client.sendCommand(["EVAL", source, String(keys.length), ...keys, ...args]);
    }
  }

  /**
   * Notes that a tenant has state, for `tenants()`; at most once a minute per tenant and
   * instance. Best effort: the write it follows has been made, so a failure here is only logged.
   */
  private async mark(tenant: string): Promise<void> {
    const now = Date.now();
    if ((this.marked.get(tenant) ?? 0) > now - TENANT_MARK_MS) return;
    this.marked.set(tenant, now);
    if (this.marked.size > 100_000) this.marked.clear();
    try {
      await this.client.zAdd(`${this.prefix}:tenants`, { score: now, value: keyPart(tenant) });
    } catch (error) {
      this.marked.delete(tenant);
      this.log(`sandbox: could not note tenant ${JSON.stringify(tenant.slice(0, 64))} in Redis: ${(error as Error).message}`);
    }
  }

  /** A record's JSON, its expiry renewed (a record in use stays); null when there is none. */
  private read(key: string): Promise<string | null> {
    return this.client.sendCommand<string | null>(["GETEX", key, "PX", this.ttl]);
  }

  async get<T>(tenant: string, collection: Collection, id: string): Promise<T | undefined> {
    const text = await this.read(this.keys(tenant, collection, id)[0]);
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async insert<T>(tenant: string, collection: Collection, id: string, value: T): Promise<{ created: boolean; value: T }> {
    const text = JSON.stringify(value);
    const reply = (await this.run("insert", this.keys(tenant, collection, id), [text, this.ttl, id])) as [number, string?];
    if (reply[0] === 1) {
      await this.mark(tenant);
      return { created: true, value: JSON.parse(text) as T };
    }
    return { created: false, value: JSON.parse(reply[1]!) as T };
  }

  async update<T>(tenant: string, collection: Collection, id: string, change: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    const keys = this.keys(tenant, collection, id);
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const before = await this.read(keys[0]);
      const current = before === null ? undefined : (JSON.parse(before) as T);
      const next = change(current);
      if (next === undefined) return current;
      const text = JSON.stringify(next);
      const expected = before === null ? ["0", ""] : ["1", before];
      const [stored] = (await this.run("compareAndSet", keys, [...expected, text, this.ttl, id])) as [number];
      if (stored === 1) {
        await this.mark(tenant);
        return JSON.parse(text) as T;
      }
    }
    throw new Error(`the ${collection} record ${id} kept changing under ${MAX_UPDATE_ATTEMPTS} attempts to update it`);
  }

  async remove(tenant: string, collection: Collection, id: string): Promise<boolean> {
    const [record, index] = this.keys(tenant, collection, id);
    return ((await this.run("remove", [record, index], [id])) as number) === 1;
  }

  async list<T>(tenant: string, collection: Collection): Promise<T[]> {
    const index = `${this.tenantKey(tenant)}:${collection}`;
    const ids = await this.client.zRange(index, 0, -1);
    if (ids.length === 0) return [];
    const texts = await this.client.mGet(ids.map((id) => this.keys(tenant, collection, id)[0]));
    const gone = ids.filter((_, i) => texts[i] === null);
    // Records that expired or were removed between the two reads leave the index.
    if (gone.length > 0) await this.client.zRem(index, gone);
    return texts.filter((text): text is string => text !== null).map((text) => JSON.parse(text) as T);
  }

  async tenants(): Promise<string[]> {
    const key = `${this.prefix}:tenants`;
    // Tenants idle for longer than the expiry have no state left.
    await this.client.zRemRangeByScore(key, "-inf", Date.now() - this.ttlMs);
    return (await this.client.zRange(key, 0, -1)).map(fromKeyPart);
  }

  async reset(tenant: string): Promise<void> {
    const base = this.tenantKey(tenant);
    for (const collection of COLLECTIONS) {
      const index = `${base}:${collection}`;
      const ids = await this.client.zRange(index, 0, -1);
      for (let i = 0; i < ids.length; i += 500) await this.client.del(ids.slice(i, i + 500).map((id) => this.keys(tenant, collection, id)[0]));
      await this.client.del(index);
    }
    await this.client.del(`${base}:order`);
    // The tenant stays in the tenant index: other instances, which noted it in the last minute,
    // would not note it again, and its next timers would go unseen. Idle, it ages out of it.
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

/**
 * A tenant or an ID as part of a key: letters, digits and `_.~-` as they are, every other UTF-16
 * unit as `%` and four hex digits. One-to-one, never a brace or a colon, and, unlike
 * encodeURIComponent, defined for any string (a lone surrogate included).
 */
export function keyPart(text: string): string {
  return text.replace(/[^A-Za-z0-9_.~-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The text a key part stands for. */
export function fromKeyPart(part: string): string {
  return part.replace(/%([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The URL without its password, for messages. */
export function describe(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unreadable URL)";
  }
}
