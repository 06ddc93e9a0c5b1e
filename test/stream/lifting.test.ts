import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { memory } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import { runStream } from "../../runners/stream/index.js";
import { type KV } from "../../sdk/index.js";
import lateSum, { COLLECT } from "./fixtures/late-sum.js";

// A lifted combine sends partials, not elements; what it drops late is still counted in
// elements, as without lifting (and as on the local runner).

const MODULE = fileURLToPath(new URL("./fixtures/late-sum.ts", import.meta.url));

const totals = (rows: readonly KV<string, number>[]) => {
  const byKey: Record<string, number> = {};
  for (const r of rows) byKey[r.key] = (byKey[r.key] ?? 0) + r.value;
  return byKey;
};

describe.each(["default", "processingTime"] as const)("late elements of a lifted sum, trigger %s", (trigger) => {
  test.each([1, 2])(
    "parallelism %i: three late elements in one bundle are three dropped, the rest summed",
    async (parallelism) => {
      const built = lateSum.build({ trigger });
      memory.clear(COLLECT);
      const local = await runLocal(built, { parallelism: 1 });
      const fromLocal = totals(memory.results<KV<string, number>>(COLLECT));
      memory.clear(COLLECT);
      const stream = await runStream(built, { parallelism, source: { module: MODULE, options: built.options } });
      const fromStream = totals(memory.results<KV<string, number>>(COLLECT));
      expect(fromStream).toEqual({ a: 1, b: 42 });
      expect(fromStream).toEqual(fromLocal);
      expect(local.droppedLate).toBe(3);
      expect(stream.droppedLate).toBe(3);
    },
  );
});
