import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";
import {
  type BagState,
  type KV,
  type PCollection,
  type PaneInfo,
  Pipeline,
  type Window,
  bagState,
  combinePerKey,
  eventTimer,
  groupByKey,
  kv,
  outputTag,
  parDo,
  sideInput,
  sumFn,
} from "../../sdk/index.js";
import { filter } from "../../transforms/filter.js";
import { flatMap } from "../../transforms/flat-map.js";
import { map } from "../../transforms/map.js";
import { sum } from "../../transforms/sum.js";
import { boundedOf } from "../support/sources.js";

interface View {
  readonly page: string;
  readonly at: number;
}

const typesOf = (build: Parameters<typeof Pipeline.define>[2]) => Pipeline.define("types", z.object({}), build);

describe("element types", () => {
  test("flow through pipe", () => {
    typesOf((p) => {
      const views = p.read("Views", boundedOf<View>());
      expectTypeOf(views).toEqualTypeOf<PCollection<View>>();
      const pages = views.pipe(
        map((v) => v.page),
        flatMap((page) => page.split("/")),
        filter((s) => s.length > 0),
      );
      expectTypeOf(pages).toEqualTypeOf<PCollection<string>>();
      const lengths = pages.apply(
        "Lengths",
        map((s) => s.length),
      );
      expectTypeOf(lengths).toEqualTypeOf<PCollection<number>>();
    });
  });

  test("a type-guard filter narrows the element type", () => {
    typesOf((p) => {
      const mixed = p.read("In", boundedOf<string | number>());
      expectTypeOf(mixed.pipe(filter((x): x is number => typeof x === "number"))).toEqualTypeOf<PCollection<number>>();
    });
  });

  test("a transform for another element type does not compile", () => {
    typesOf((p) => {
      const views = p.read("Views", boundedOf<View>());
      const onStrings = map((s: string) => s.length);
      // @ts-expect-error View is not string
      views.pipe(onStrings);
    });
  });
});

describe("KV types", () => {
  test("keys and values flow through grouping and combining", () => {
    typesOf((p) => {
      const pairs = p.read("Views", boundedOf<View>()).pipe(map((v) => kv(v.page, v.at)));
      expectTypeOf(pairs).toEqualTypeOf<PCollection<KV<string, number>>>();
      expectTypeOf(pairs.pipe(groupByKey())).toEqualTypeOf<PCollection<KV<string, number[]>>>();
      expectTypeOf(pairs.pipe(sum.perKey())).toEqualTypeOf<PCollection<KV<string, number>>>();
      expectTypeOf(pairs.pipe(combinePerKey(sumFn()))).toEqualTypeOf<PCollection<KV<string, number>>>();
      const byAt = pairs.pipe(
        map((e) => kv(e.value, e.key)),
        groupByKey(),
      );
      expectTypeOf(byAt).toEqualTypeOf<PCollection<KV<number, string[]>>>();
    });
  });

  test("grouping a collection that is not KV is a compile error", () => {
    typesOf((p) => {
      const views = p.read("Views", boundedOf<View>());
      // @ts-expect-error View has no key/value
      views.pipe(groupByKey());
      // @ts-expect-error strings are not KV
      views.pipe(map((v) => v.page)).apply(groupByKey());
      // @ts-expect-error summing per key needs numeric values
      views.pipe(map((v) => kv(v.at, v.page))).pipe(sum.perKey());
    });
  });
});

describe("DoFn contexts", () => {
  test("declared state, timers, side inputs and outputs are typed", () => {
    typesOf((p) => {
      const pairs = p.read("Views", boundedOf<View>()).pipe(map((v) => kv(v.page, v.at)));
      const pages = p.read("Pages", boundedOf<string>());
      const outs = pairs.apply(
        "Buffer",
        parDo(
          {
            process(el, ctx) {
              expectTypeOf(el).toEqualTypeOf<KV<string, number>>();
              expectTypeOf(ctx.state.seen).toEqualTypeOf<BagState<number>>();
              expectTypeOf(ctx.side.known).toEqualTypeOf<readonly string[]>();
              expectTypeOf(ctx.window).toEqualTypeOf<Window>();
              expectTypeOf(ctx.pane).toEqualTypeOf<PaneInfo>();
              ctx.timers.flush.set(ctx.timestamp + 1000);
              ctx.output(el.key);
              ctx.outputTo("late", el.value);
              // @ts-expect-error the late output carries numbers
              ctx.outputTo("late", el.key);
              // @ts-expect-error no such output
              ctx.outputTo("nope", 1);
            },
            onTimer: {
              flush: (ctx) => ctx.output(String(ctx.state.seen.read().length)),
            },
          },
          {
            output: outputTag<string>(),
            declarations: {
              state: { seen: bagState<number>() },
              timers: { flush: eventTimer() },
              sideInputs: { known: sideInput.list(pages) },
              outputs: { late: outputTag<number>() },
            },
          },
        ),
      );
      expectTypeOf(outs.main).toEqualTypeOf<PCollection<string>>();
      expectTypeOf(outs.late).toEqualTypeOf<PCollection<number>>();
    });
  });
});
