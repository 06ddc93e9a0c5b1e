import { memory } from "../../../io/index.js";
import { fixedWindows, kv, outputTag, parDo, sideInput, windowInto } from "../../../sdk/index.js";
import { type RunnerCase, topicPipeline, windowOf } from "../runner-case.js";
import { sorted } from "./support.js";

// Side inputs: each view kind in the global window, and windowed side inputs where each
// main-input window reads the side input's matching window.

const KEYS = ["a", "b", "c"];

const pipeline = topicPipeline("side-inputs", {
  singleton: (p) => {
    const factor = p.read("Factor", memory.create([10]));
    p.read("Numbers", memory.create([1, 2, 3]))
      .apply(
        "Scale",
        parDo(
          { process: (x: number, ctx) => ctx.output(x * ctx.side.factor) },
          { output: outputTag<number>(), declarations: { sideInputs: { factor: sideInput.singleton(factor) } } },
        ),
      )
      .write("Collect", memory.collect("side-inputs/singleton"));
  },
  list: (p) => {
    const all = p.read("All", memory.create([3, 1, 2]));
    p.read("Keys", memory.create(["a", "b"]))
      .apply(
        "Attach",
        parDo(
          { process: (key: string, ctx) => ctx.output({ key, list: sorted(ctx.side.all) }) },
          {
            output: outputTag<{ key: string; list: number[] }>(),
            declarations: { sideInputs: { all: sideInput.list(all) } },
          },
        ),
      )
      .write("Collect", memory.collect("side-inputs/list"));
  },
  map: (p) => {
    const table = p.read("Table", memory.create([kv("a", 1), kv("b", 2)]));
    p.read("Keys", memory.create(KEYS))
      .apply(
        "Lookup",
        parDo(
          { process: (key: string, ctx) => ctx.output({ key, found: ctx.side.table.get(key) ?? null }) },
          {
            output: outputTag<{ key: string; found: number | null }>(),
            declarations: { sideInputs: { table: sideInput.map(table) } },
          },
        ),
      )
      .write("Collect", memory.collect("side-inputs/map"));
  },
  multimap: (p) => {
    const table = p.read("Table", memory.create([kv("a", 2), kv("b", 3), kv("a", 1)]));
    p.read("Keys", memory.create(KEYS))
      .apply(
        "Lookup",
        parDo(
          { process: (key: string, ctx) => ctx.output({ key, values: sorted(ctx.side.table.get(key) ?? []) }) },
          {
            output: outputTag<{ key: string; values: number[] }>(),
            declarations: { sideInputs: { table: sideInput.multimap(table) } },
          },
        ),
      )
      .write("Collect", memory.collect("side-inputs/multimap"));
  },
  windowed: (p) => {
    const window = fixedWindows(10);
    const rates = p
      .read("Rates", memory.create([100, 200, 300, 400], { timestamps: [3, 15, 27, 31] }))
      .apply(windowInto(window, { name: "WindowRates" }));
    const notes = p
      .read("Notes", memory.create(["n0a", "n2", "n0b"], { timestamps: [2, 21, 9] }))
      .apply(windowInto(window, { name: "WindowNotes" }));
    p.read("Numbers", memory.create([1, 2, 3, 4, 5], { timestamps: [1, 8, 12, 25, 37] }))
      .apply(windowInto(window, { name: "WindowNumbers" }))
      .apply(
        "Attach",
        parDo(
          {
            process: (x: number, ctx) =>
              ctx.output({ x, window: windowOf(ctx.window), rate: ctx.side.rate, notes: sorted(ctx.side.notes) }),
          },
          {
            output: outputTag<{ x: number; window: { start: number; end: number }; rate: number; notes: string[] }>(),
            declarations: { sideInputs: { rate: sideInput.singleton(rates), notes: sideInput.list(notes) } },
          },
        ),
      )
      .write("Collect", memory.collect("side-inputs/windowed"));
  },
});

export default pipeline;

const globalCase = (name: string, about: string, outputs: readonly unknown[]): RunnerCase => ({
  name: `side-inputs/${name}`,
  about,
  pipeline,
  module: import.meta.url,
  args: { case: name },
  outputs: { [`side-inputs/${name}`]: outputs },
});

export const cases: RunnerCase[] = [
  globalCase(
    "singleton",
    "A singleton view of a one-element collection in the global window (Beam's View.asSingleton).",
    [10, 20, 30],
  ),
  globalCase("list", "A list view gives every main element all side elements of the global window (Beam's View.asList).", [
    { key: "a", list: [1, 2, 3] },
    { key: "b", list: [1, 2, 3] },
  ]),
  globalCase("map", "A map view: lookups of present keys give their value, an absent key nothing (Beam's View.asMap).", [
    { key: "a", found: 1 },
    { key: "b", found: 2 },
    { key: "c", found: null },
  ]),
  globalCase(
    "multimap",
    "A multimap view groups the side input's values by key; an absent key has none (Beam's View.asMultimap).",
    [
      { key: "a", values: [1, 2] },
      { key: "b", values: [3] },
      { key: "c", values: [] },
    ],
  ),
  {
    name: "side-inputs/windowed",
    about:
      "Main input and side inputs in fixed 10 ms windows: each main element reads the side inputs' window that " +
      "matches its own (Beam's default WindowMappingFn: the side window containing the main window's max " +
      "timestamp); a side window with no elements is an empty list.",
    pipeline,
    module: import.meta.url,
    args: { case: "windowed" },
    outputs: {
      "side-inputs/windowed": [
        { x: 1, window: { start: 0, end: 10 }, rate: 100, notes: ["n0a", "n0b"] },
        { x: 2, window: { start: 0, end: 10 }, rate: 100, notes: ["n0a", "n0b"] },
        { x: 3, window: { start: 10, end: 20 }, rate: 200, notes: [] },
        { x: 4, window: { start: 20, end: 30 }, rate: 300, notes: ["n2"] },
        { x: 5, window: { start: 30, end: 40 }, rate: 400, notes: [] },
      ],
    },
  },
];
