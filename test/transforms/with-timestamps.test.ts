import { describe, expect, test } from "vitest";
import { Instant } from "../../sdk/index.js";
import { withTimestamps } from "../../transforms/index.js";
import { build, doFnOf, memory, runDoFn, shape } from "./harness.js";

interface Click {
  readonly at: string;
  readonly page: string;
}

describe("withTimestamps", () => {
  test("is one parDo that re-emits each element with the timestamp computed from it", async () => {
    const built = build((p) => p.read("R", memory<Click>()).pipe(withTimestamps((c: Click) => Instant.of(c.at))));
    expect(shape(built)).toEqual([
      ["R", "read", "read"],
      ["withTimestamps@2", "parDo", "withTimestamps"],
    ]);
    const click = { at: "2024-05-01T10:00:00Z", page: "/" };
    const emitted = await runDoFn(doFnOf(built, "withTimestamps@2"), [click]);
    expect(emitted).toEqual([{ value: click, timestamp: Date.UTC(2024, 4, 1, 10), tag: "main" }]);
  });
});
