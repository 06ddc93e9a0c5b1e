import { expectTypeOf, test } from "vitest";
import { z } from "zod";
import { type KV, type PCollection, Pipeline, kv } from "../../sdk/index.js";
import {
  type CoGroupByKeyResult,
  asyncMap,
  coGroupByKey,
  count,
  distinct,
  join,
  keys,
  map,
  max,
  min,
  partition,
  top,
  values,
  withKeys,
} from "../../transforms/index.js";
import { memory } from "./harness.js";

interface Order {
  readonly user: string;
  readonly cents: number;
}
interface User {
  readonly name: string;
}

const define = (build: Parameters<typeof Pipeline.define>[2]) => Pipeline.define("t", z.object({}), build);

test("coGroupByKey gives each tag an array of its input's values under the common key", () => {
  define((p) => {
    const orders = p.read("O", memory<KV<string, Order>>());
    const users = p.read("U", memory<KV<string, User>>());
    const grouped = coGroupByKey({ orders, users });
    expectTypeOf(grouped).toEqualTypeOf<PCollection<KV<string, CoGroupByKeyResult<{ orders: Order; users: User }>>>>();
    expectTypeOf(grouped).toEqualTypeOf<PCollection<KV<string, { orders: Order[]; users: User[] }>>>();
    const ids = p.read("I", memory<KV<number, User>>());
    // @ts-expect-error inputs keyed by different types cannot be grouped together
    coGroupByKey({ orders, ids });
  });
});

test("joins pair values as [left, right], with null for a missing side", () => {
  define((p) => {
    const orders = p.read("O", memory<KV<string, Order>>());
    const users = p.read("U", memory<KV<string, User>>());
    expectTypeOf(join.inner(orders, users)).toEqualTypeOf<PCollection<KV<string, [Order, User]>>>();
    expectTypeOf(join.left(orders, users)).toEqualTypeOf<PCollection<KV<string, [Order, User | null]>>>();
    expectTypeOf(join.full(orders, users)).toEqualTypeOf<PCollection<KV<string, [Order | null, User | null]>>>();
    const ids = p.read("I", memory<KV<number, User>>());
    // @ts-expect-error the keys of both sides must have one type
    join.inner(orders, ids);
  });
});

test("partition returns a list of collections of the input's type", () => {
  define((p) => {
    const parts = p.read("O", memory<Order>()).apply(partition(2, (o) => (o.cents > 100 ? 1 : 0)));
    expectTypeOf(parts).toEqualTypeOf<readonly PCollection<Order>[]>();
  });
});

test("counting, keys and values follow the element types", () => {
  define((p) => {
    const users = p.read("U", memory<string>());
    expectTypeOf(users.pipe(count.perElement())).toEqualTypeOf<PCollection<KV<string, number>>>();
    expectTypeOf(users.pipe(count.globally())).toEqualTypeOf<PCollection<number>>();
    expectTypeOf(users.pipe(distinct())).toEqualTypeOf<PCollection<string>>();
    const pairs = users.pipe(withKeys((u) => u.length));
    expectTypeOf(pairs).toEqualTypeOf<PCollection<KV<number, string>>>();
    expectTypeOf(pairs.pipe(count.perKey())).toEqualTypeOf<PCollection<KV<number, number>>>();
    expectTypeOf(pairs.pipe(keys())).toEqualTypeOf<PCollection<number>>();
    expectTypeOf(pairs.pipe(values())).toEqualTypeOf<PCollection<string>>();
    // @ts-expect-error keys needs KV elements
    users.pipe(keys());
  });
});

test("min, max and top keep the ordered element type", () => {
  define((p) => {
    const words = p.read("W", memory<string>());
    expectTypeOf(words.pipe(min.globally())).toEqualTypeOf<PCollection<string | null>>();
    expectTypeOf(words.pipe(top.largest(3))).toEqualTypeOf<PCollection<string[]>>();
    const scores = words.pipe(map((w) => kv(w, w.length)));
    expectTypeOf(scores.pipe(max.perKey())).toEqualTypeOf<PCollection<KV<string, number | null>>>();
    expectTypeOf(scores.pipe(top.smallestPerKey(2))).toEqualTypeOf<PCollection<KV<string, number[]>>>();
    expectTypeOf(words.pipe(top.of(2, (a, b) => a.length - b.length))).toEqualTypeOf<PCollection<string[]>>();
    // @ts-expect-error objects have no natural order
    p.read("O", memory<Order>()).pipe(min.globally());
  });
});

test("asyncMap outputs what the promise resolves to", () => {
  define((p) => {
    const out = p.read("W", memory<string>()).pipe(asyncMap(async (w) => w.length, { concurrency: 8 }));
    expectTypeOf(out).toEqualTypeOf<PCollection<number>>();
  });
});
