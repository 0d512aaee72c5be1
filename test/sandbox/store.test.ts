// The store interface's promises, held by both stores: the memory store always, the Redis store
// when REDIS_URL names a Redis server (.ci/run starts one and sets it). Two Redis connections
// stand for two sandbox instances sharing one Redis.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { RedisStore } from "../../src/sandbox/redis-store.js";
import { MemoryStore, type Store } from "../../src/sandbox/store.js";

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL) console.warn("test/sandbox/store.test.ts: REDIS_URL is not set, so the Redis store's tests are SKIPPED (.ci/run starts Redis and sets it)");

let run = 0;
const tenant = (label: string) => `T_${label}_${process.pid}_${Date.now()}_${++run}`;

interface Pair {
  /** One store, or two connections to one shared store. */
  a: Store;
  b: Store;
}

function contract(name: string, open: () => Promise<Pair>, close: (pair: Pair) => Promise<void>) {
  describe(name, () => {
    let s: Pair;
    beforeAll(async () => {
      s = await open();
    });
    afterAll(() => close(s));

    test("insert stores a record once; a second insert gets the first record back", async () => {
      const t = tenant("insert");
      expect(await s.a.insert(t, "payments", "P1", { n: 1 })).toEqual({ created: true, value: { n: 1 } });
      expect(await s.b.insert(t, "payments", "P1", { n: 2 })).toEqual({ created: false, value: { n: 1 } });
      expect(await s.b.get(t, "payments", "P1")).toEqual({ n: 1 });
    });

    test("of 100 parallel inserts of one ID, split across connections, exactly one is created", async () => {
      const t = tenant("race");
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? s.a : s.b).insert(t, "paymentRequests", "R1", { by: i })));
      expect(answers.filter((x) => x.created)).toHaveLength(1);
      const winner = answers.find((x) => x.created)!.value;
      for (const answer of answers) expect(answer.value).toEqual(winner);
    });

    test("update is atomic: 100 parallel increments, split across connections, all count", async () => {
      const t = tenant("update");
      await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? s.a : s.b).update<{ n: number }>(t, "clock", "seq", (c) => ({ n: (c?.n ?? 0) + 1 }))));
      expect(await s.a.get(t, "clock", "seq")).toEqual({ n: 100 });
    });

    test("update that returns undefined changes nothing and gives the record as it is", async () => {
      const t = tenant("noop");
      expect(await s.a.update(t, "payments", "none", () => undefined)).toBeUndefined();
      await s.a.insert(t, "payments", "P", { v: 1 });
      expect(await s.b.update(t, "payments", "P", () => undefined)).toEqual({ v: 1 });
    });

    test("a record handed out is a copy: changing it changes nothing stored", async () => {
      const t = tenant("copy");
      const value = { list: [1] };
      await s.a.insert(t, "payments", "P", value);
      value.list.push(2);
      expect(await s.a.get(t, "payments", "P")).toEqual({ list: [1] });
    });

    test("list keeps insertion order, update keeps a record's place, remove takes it out", async () => {
      const t = tenant("list");
      for (const id of ["c", "a", "b"]) await s.a.insert(t, "timers", id, { id });
      await s.b.update<{ id: string; x?: number }>(t, "timers", "c", (c) => ({ ...c!, x: 1 }));
      expect(await s.b.list(t, "timers")).toEqual([{ id: "c", x: 1 }, { id: "a" }, { id: "b" }]);
      expect(await s.a.remove(t, "timers", "a")).toBe(true);
      expect(await s.a.remove(t, "timers", "a")).toBe(false);
      expect((await s.b.list<{ id: string }>(t, "timers")).map((r) => r.id)).toEqual(["c", "b"]);
    });

    test("tenants are apart, even with IDs that look like key syntax; reset clears one tenant only", async () => {
      const t = tenant("x");
      const tricky = `${t}}:payments:P\ud800`;
      await s.a.insert(t, "payments", "P", { who: "plain" });
      await s.a.insert(tricky, "payments", "P", { who: "tricky" });
      await s.a.insert(t, "payments", "P}:payments:P", { who: "id" });
      expect(await s.b.get(t, "payments", "P")).toEqual({ who: "plain" });
      expect(await s.b.get(tricky, "payments", "P")).toEqual({ who: "tricky" });
      expect(await s.b.list(t, "payments")).toHaveLength(2);
      expect(await s.a.tenants()).toEqual(expect.arrayContaining([t, tricky]));
      await s.b.reset(tricky);
      expect(await s.a.get(tricky, "payments", "P")).toBeUndefined();
      expect(await s.a.list(tricky, "payments")).toEqual([]);
      expect(await s.a.get(t, "payments", "P")).toEqual({ who: "plain" });
    });
  });
}

contract(
  "memory store",
  async () => {
    const store = new MemoryStore();
    return { a: store, b: store };
  },
  async () => {},
);

describe.skipIf(!REDIS_URL)("Redis store", () => {
  contract(
    "two connections to one Redis",
    async () => ({ a: await RedisStore.connect({ url: REDIS_URL!, prefix: "antom-sandbox-test" }), b: await RedisStore.connect({ url: REDIS_URL!, prefix: "antom-sandbox-test" }) }),
    async ({ a, b }) => {
      await a.close?.();
      await b.close?.();
    },
  );

  test("every key a tenant writes carries an expiry, and an expired record leaves the list", async () => {
    const { createClient } = await import("redis");
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    const store = await RedisStore.connect({ url: REDIS_URL!, prefix: "antom-sandbox-ttl-test", ttlMs: 60_000 });
    try {
      const t = tenant("ttl");
      await store.insert(t, "payments", "P1", { n: 1 });
      await store.insert(t, "payments", "P2", { n: 2 });
      await store.update<{ n: number }>(t, "clock", "offset", () => ({ n: 1 }));
      const keys = await redis.keys(`antom-sandbox-ttl-test:{${t}}:*`);
      expect(keys.length).toBeGreaterThanOrEqual(5);
      for (const key of keys) {
        const ttl = await redis.pTTL(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(60_000);
      }
      // A read renews the expiry: a record in use (a merchant, a clock) never lapses.
      const offsetKey = `antom-sandbox-ttl-test:{${t}}:clock:offset`;
      await redis.pExpire(offsetKey, 1_000);
      expect(await store.get(t, "clock", "offset")).toEqual({ n: 1 });
      expect(await redis.pTTL(offsetKey)).toBeGreaterThan(50_000);
      // As if P1 had expired: it leaves the list, and the index forgets it.
      await redis.del(`antom-sandbox-ttl-test:{${t}}:payments:P1`);
      expect(await store.list(t, "payments")).toEqual([{ n: 2 }]);
      expect(await redis.zRange(`antom-sandbox-ttl-test:{${t}}:payments`, 0, -1)).toEqual(["P2"]);
    } finally {
      await store.close();
      await redis.close();
    }
  });

  test("an unreachable Redis is a clear error at connect, naming the host and never the password", async () => {
    await expect(RedisStore.connect({ url: "redis://user:s3cret@127.0.0.1:1/0" })).rejects.toThrow(/cannot reach Redis at redis:\/\/user:\*\*\*@127\.0\.0\.1:1\/0/);
    await expect(RedisStore.connect({ url: "redis://user:s3cret@127.0.0.1:1/0" })).rejects.not.toThrow(/s3cret/);
  });
});
