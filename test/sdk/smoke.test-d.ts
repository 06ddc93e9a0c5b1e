import { expectTypeOf, test } from "vitest";
import { z } from "zod";
import { type KV, type PCollection, Pipeline, groupByKey, kv } from "../../sdk/index.js";
import { filter } from "../../transforms/filter.js";
import { map } from "../../transforms/map.js";
import { sum } from "../../transforms/sum.js";

const src = { kind: "memory", bounded: true, params: null } as {
  kind: string;
  bounded: boolean;
  params: null;
  __element?: { page: string; n: number };
};

test("pipe flows", () => {
  Pipeline.define("t", z.object({}), (p) => {
    const out = p.read("R", src).pipe(
      map((v) => kv(v.page, v.n)),
      filter((e) => e.value > 1),
      sum.perKey("S"),
    );
    expectTypeOf(out).toEqualTypeOf<PCollection<KV<string, number>>>();
    const g = p.read("R2", src).pipe(
      map((v) => kv(v.n, v.page)),
      groupByKey(),
    );
    expectTypeOf(g).toEqualTypeOf<PCollection<KV<number, string[]>>>();
    // @ts-expect-error grouping a non-KV collection
    p.read("R3", src).pipe(groupByKey());
  });
});
