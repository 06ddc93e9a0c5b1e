import { describe, expect, test } from "vitest";
import { z } from "zod";
import { Pipeline, describeSchema, type Source } from "../../sdk/index.js";
import { toArrowSchema } from "../../runners/core/arrow-schema.js";

const Event = z.object({
  page: z.string(),
  status: z.enum(["ok", "error"]),
  method: z.literal("GET"),
  latency: z.number(),
  bytes: z.int(),
  small: z.int32(),
  big: z.bigint(),
  cached: z.boolean(),
  at: z.date(),
  referer: z.string().nullable(),
  agent: z.string().optional(),
  retries: z.int().default(0),
});

describe("record schemas", () => {
  test("map every supported zod field type to its Arrow type", () => {
    const d = describeSchema(Event);
    expect(d.fields.map((f) => `${f.name}:${f.type}${f.nullable ? "?" : ""}`)).toEqual([
      "page:utf8",
      "status:dictionary",
      "method:dictionary",
      "latency:float64",
      "bytes:int64",
      "small:int32",
      "big:bigint64",
      "cached:bool",
      "at:timestamp_ms",
      "referer:utf8?",
      "agent:utf8?",
      "retries:int64",
    ]);
    const arrow = toArrowSchema(d);
    expect(arrow.fields.map((f) => `${f.name}:${String(f.type)}:${f.nullable}`)).toEqual([
      "page:Utf8:false",
      "status:Dictionary<Int32, Utf8>:false",
      "method:Dictionary<Int32, Utf8>:false",
      "latency:Float64:false",
      "bytes:Int64:false",
      "small:Int32:false",
      "big:Int64:false",
      "cached:Bool:false",
      "at:Timestamp<MILLISECOND, UTC>:false",
      "referer:Utf8:true",
      "agent:Utf8:true",
      "retries:Int64:false",
    ]);
  });

  test("reject nested and non-columnar fields, naming each", () => {
    const bad = z.object({
      tags: z.array(z.string()),
      nested: z.object({ a: z.string() }),
      ok: z.string(),
      mixed: z.enum(["a"]).or(z.number()),
    });
    expect(() => describeSchema(bad)).toThrow(
      /field "tags": zod type "array"[\s\S]*field "nested": zod type "object"[\s\S]*field "mixed"/,
    );
  });

  test("give a read's collection its schema in the graph", () => {
    const source: Source<z.output<typeof Event>> = { kind: "test", bounded: true, params: null, schema: Event };
    const { graph } = Pipeline.define("schemas", z.object({}), (p) => p.read("Events", source)).build({});
    expect(graph.collections[0]?.schema).toEqual(describeSchema(Event));
  });
});
