import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { csv, json, memory, testStream, text } from "../../io/index.js";
import { runLocal } from "../../runners/local/index.js";
import {
  type DeadLetter,
  type KV,
  type PCollection,
  Pipeline,
  afterWatermark,
  fixedWindows,
  groupByKey,
  parDo,
  windowInto,
} from "../../sdk/index.js";
import { combine, count, map, sum } from "../../transforms/index.js";
import { collector, tempDir, valuesOf } from "./support.js";

// Bad input and failing user code: the job fails with a message naming the step (and the
// element, file and line), publishes no output, and leaves no temporary file behind; or,
// where the read has a dead-letter output, bad records go there and the job goes on.

const define = (build: Parameters<typeof Pipeline.define>[2]) => Pipeline.define("failures", z.object({}), build).build({});

/** Every file under `dir`, hidden ones included, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const boom = (bad: number) =>
  parDo<number, string>(
    {
      process: (x, ctx) => {
        if (x === bad) throw new Error(`cannot handle ${x}`);
        ctx.output(`line ${x}`);
      },
    },
    { name: "Boom" },
  );

describe("a DoFn that throws", () => {
  test("fails the run naming the step and the element; the text sink publishes nothing and leaves no temp file", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const values = Array.from({ length: 500 }, (_, i) => i);
    // Chunks of 10: the first 300 elements reach the sink (its shard is open and written) before the failure.
    const built = define((p) => {
      p.read("Numbers", valuesOf(values, { chunk: 10 }))
        .pipe(boom(300))
        .write("Write", text.write(out, { shards: 2 }));
    });
    await expect(runLocal(built, { parallelism: 1 })).rejects.toThrow('step "Boom": cannot handle 300 (element 300)');
    expect(await filesUnder(out)).toEqual([]);
  });

  test("a failure after another branch's shards were closed (pre-commit) still publishes nothing", async () => {
    const dir = await tempDir();
    const first = path.join(dir, "first");
    const second = path.join(dir, "second");
    const built = define((p) => {
      // Bounded reads run one after another: "Early" ends, and its sink closes its shards, before "Late" fails.
      p.read("Early", valuesOf(["a", "b", "c"])).write("WriteEarly", text.write(first));
      p.read("Late", valuesOf([1, 2, 3]))
        .pipe(boom(3))
        .write("WriteLate", text.write(second));
    });
    const error = await runLocal(built, { parallelism: 1 }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('step "Boom": cannot handle 3 (element 3)');
    expect(await filesUnder(first)).toEqual([]);
    expect(await filesUnder(second)).toEqual([]);
  });

  test("a failing run commits nothing to an in-memory collection, and a later good run does", async () => {
    memory.clear("failures-memory");
    const bad = define((p) => {
      p.read("Numbers", valuesOf([1, 2, 3]))
        .pipe(boom(2))
        .write("Out", memory.collect("failures-memory"));
    });
    await expect(runLocal(bad, { parallelism: 1 })).rejects.toThrow('step "Boom"');
    expect(() => memory.results("failures-memory")).toThrow("nothing was committed");
    const good = define((p) => {
      p.read("Numbers", valuesOf([1, 2, 3]))
        .pipe(boom(99))
        .write("Out", memory.collect("failures-memory"));
    });
    await runLocal(good, { parallelism: 1 });
    expect(memory.results<string>("failures-memory").sort()).toEqual(["line 1", "line 2", "line 3"]);
  });

  test("a throwing user CombineFn names the step and the element", async () => {
    const out = collector<unknown>();
    const built = define((p) => {
      p.read("Pairs", valuesOf([kvOf("a", 1), kvOf("b", -1)]))
        .pipe(
          combine.perKey(
            {
              createAccumulator: () => 0,
              addInput: (a: number, x: number) => {
                if (x < 0) throw new Error("negative input");
                return a + x;
              },
              mergeAccumulators: (accs: Iterable<number>) => [...accs].reduce((a, b) => a + b, 0),
              extractOutput: (a: number) => a,
            },
            "Total",
          ),
        )
        .write("Out", out.sink);
    });
    await expect(runLocal(built, { parallelism: 1 })).rejects.toThrow(/step "Total": negative input.*"key":"b"/);
    expect(out.committed()).toBe(false);
  });
});

const kvOf = <K, V>(key: K, value: V): KV<K, V> => ({ key, value });

const Person = z.object({ name: z.string(), age: z.int() });
type Person = z.output<typeof Person>;

const CSV = ["name,age", "ada,36", "bob,not-a-number", "cy,41", "dee,7,extra", '"eve",29', ""].join("\n");
const JSONL = ['{"name":"ada","age":36}', "{not json", '{"name":"bob","age":"x"}', "", '{"name":"cy","age":41}', "[1,2]"].join(
  "\n",
);

describe("bad records in CSV and JSON lines", () => {
  test("without a dead-letter output, a bad CSV row fails the job naming the step, the file and the line", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "people.csv");
    await fs.writeFile(file, CSV);
    const out = path.join(dir, "out");
    const built = define((p) => {
      p.read("People", csv.files(file, Person))
        .pipe(map((r: Person) => r.name))
        .write("Write", text.write(out));
    });
    const error = (await runLocal(built, { parallelism: 1 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^step "People": ${escape(file)}, line 3: column "age"`));
    expect(error.message).toContain('"not-a-number"');
    expect(await filesUnder(out)).toEqual([]);
  });

  test("without a dead-letter output, a bad JSON line fails the job naming the step, the file and the line", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "people.jsonl");
    await fs.writeFile(file, JSONL);
    const built = define((p) => {
      p.read("People", json.lines(file, Person)).write("Out", memory.collect("failures-json-fail"));
    });
    await expect(runLocal(built, { parallelism: 1 })).rejects.toThrow(`step "People": ${file}, line 2: not JSON`);
  });

  test("with dead letters, bad CSV rows go there with position and error, every good row arrives, the summary counts them", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "people.csv");
    await fs.writeFile(file, CSV);
    const good = collector<Person>();
    const bad = collector<DeadLetter>();
    const built = define((p) => {
      const { records, deadLetters } = p.readWithDeadLetters("People", csv.files(file, Person));
      records.write("Good", good.sink);
      deadLetters.write("Bad", bad.sink);
    });
    const summary = await runLocal(built, { parallelism: 1 });
    expect(good.values).toEqual([
      { name: "ada", age: 36 },
      { name: "cy", age: 41 },
      { name: "eve", age: 29 },
    ]);
    expect(bad.values.map((d) => [d.step, d.source, d.position, d.record])).toEqual([
      ["People", file, "line 3", "bob,not-a-number"],
      ["People", file, "line 5", "dee,7,extra"],
    ]);
    expect(bad.values[0]!.error).toContain('column "age"');
    expect(bad.values[1]!.error).toBe("expected 2 cells (as in the header), got 3");
    expect(summary.deadLetters).toBe(2);
  });

  test("with dead letters written by json.write, bad JSON lines are kept as JSON lines a later job can read", async () => {
    const dir = await tempDir();
    await fs.mkdir(path.join(dir, "in"));
    await fs.writeFile(path.join(dir, "in", "a.jsonl"), JSONL);
    await fs.writeFile(path.join(dir, "in", "b.jsonl"), '{"name":"dee","age":7}\n{"name":"eve"}\n');
    memory.clear("failures-json-good");
    const built = define((p) => {
      const { records, deadLetters } = p.readWithDeadLetters("People", json.lines(path.join(dir, "in", "*.jsonl"), Person));
      records.write("Good", memory.collect("failures-json-good"));
      deadLetters.write("Bad", json.write(path.join(dir, "bad"), { shards: 1 }));
    });
    const summary = await runLocal(built, { parallelism: 1 });
    expect(memory.results<Person>("failures-json-good").sort((a, b) => a.age - b.age)).toEqual([
      { name: "dee", age: 7 },
      { name: "ada", age: 36 },
      { name: "cy", age: 41 },
    ]);
    const letters = (await fs.readFile(path.join(dir, "bad", "part-00000-of-00001.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as DeadLetter);
    expect(letters.map((d) => [path.basename(d.source), d.position, d.record])).toEqual([
      ["a.jsonl", "line 2", "{not json"],
      ["a.jsonl", "line 3", '{"name":"bob","age":"x"}'],
      ["a.jsonl", "line 6", "[1,2]"],
      ["b.jsonl", "line 2", '{"name":"eve"}'],
    ]);
    expect(letters.map((d) => d.step)).toEqual(["People", "People", "People", "People"]);
    expect(letters[0]!.error).toMatch(/^not JSON: /);
    expect(letters[2]!.error).toBe("expected a JSON object, got an array");
    expect(letters[3]!.error).toContain('field "age"');
    expect(summary.deadLetters).toBe(4);
  });

  test("dead letters flow through downstream steps like any collection (counted per file)", async () => {
    const dir = await tempDir();
    const file = path.join(dir, "people.csv");
    await fs.writeFile(file, CSV);
    const perFile = collector<KV<string, number>>();
    const built = define((p) => {
      const { deadLetters } = p.readWithDeadLetters("People", csv.files(file, Person));
      deadLetters
        .pipe(
          map((d: DeadLetter) => path.basename(d.source)),
          count.perElement("PerFile"),
        )
        .write("Out", perFile.sink);
    });
    await runLocal(built, { parallelism: 1 });
    expect(perFile.values).toEqual([{ key: "people.csv", value: 2 }]);
  });
});

describe("missing input and wrong element types", () => {
  test("an input glob that matches nothing fails naming the read step and the glob", async () => {
    const dir = await tempDir();
    const glob = path.join(dir, "missing", "*.csv");
    const built = define((p) => {
      p.read("People", csv.files(glob, Person)).write("Out", memory.collect("failures-missing"));
    });
    const error = (await runLocal(built, { parallelism: 1 }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`step "People": csv.files("${glob}"): no file matches "${glob}" (relative to ${process.cwd()})`);
  });

  const notKv = (engine: string, build: (input: PCollection<unknown>) => PCollection<unknown>, stream = false) =>
    test(`a non-KV element into a grouping step (${engine}) fails naming the step and the element`, async () => {
      const source = stream
        ? testStream<unknown>()
            .addElements([{ key: "a", value: 1 }, 5], [42, 7])
            .advanceWatermarkToInfinity()
        : valuesOf<unknown>([{ key: "a", value: 1 }, 42]);
      const built = define((p) => {
        build(p.read("Read", source)).write("Out", memory.collect("failures-not-kv"));
      });
      await expect(runLocal(built, { parallelism: 1 })).rejects.toThrow(
        /^step "Group": needs KV elements \(key, value\), got 42/,
      );
    });

  notKv("batch", (pc) => pc.apply(groupByKey("Group") as never));
  notKv("duckdb", (pc) => pc.apply(sum.perKey("Group") as never));
  notKv("js", (pc) => pc.pipe(windowInto(fixedWindows(10), { trigger: afterWatermark() }), groupByKey("Group") as never), true);
});

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
