// What every Nexmark query module shares: its options, the event source, the three views of
// the events (bids, persons, auctions) and the output (JSON lines, or a blackhole as in
// Flink's suite). The queries are in q*.ts; docs/nexmark.md §4 has their Beam and Flink forms.
import { z } from "zod";
import { type Auction, type Bid, type NexmarkEvent, type Person, blackhole, json, nexmark } from "../../io/index.js";
import { type CombineFn, type PCollection, type Root, type Sink } from "../../sdk/index.js";
import { filter } from "../../transforms/index.js";

export const NexmarkArgs = z.object({
  events: z.number().int().min(1).default(1_000_000).describe("events to generate (a bounded run)"),
  unbounded: z.boolean().default(false).describe("generate without end, paced at --rate by the wall clock (--events is ignored)"),
  rate: z.number().int().positive().default(10_000).describe("events per second of event time, whole source"),
  generators: z.number().int().positive().default(4).describe("parallel generators (Beam's numEventGenerators)"),
  seed: z.number().int().default(0).describe("0: Beam's own per-event seeding; others are mixed into it"),
  generatorThread: z
    .boolean()
    .default(false)
    .describe("run each generator in its own worker thread (default: in the thread that reads it)"),
  output: z.string().optional().describe("directory for the results as JSON lines; absent: they are dropped (blackhole)"),
});
export type NexmarkArgs = z.output<typeof NexmarkArgs>;

/** The generated events; their event time is their dateTime (the source's own timestamps). */
export const readEvents = (p: Root, args: NexmarkArgs): PCollection<NexmarkEvent> =>
  p.read(
    "Events",
    nexmark.events({
      numEvents: args.unbounded ? null : args.events,
      rate: args.rate,
      generators: args.generators,
      seed: args.seed,
      thread: args.generatorThread,
    }),
  );

export const bids = (name = "Bids") => filter((e: NexmarkEvent): e is Bid => e.kind === "bid", name);
export const persons = (name = "Persons") => filter((e: NexmarkEvent): e is Person => e.kind === "person", name);
export const auctions = (name = "Auctions") => filter((e: NexmarkEvent): e is Auction => e.kind === "auction", name);

/** A query's output: JSON lines under `output`, or nowhere. */
export const sink = <T>(args: NexmarkArgs): Sink<T> => (args.output === undefined ? blackhole() : json.write<T>(args.output));

/** The highest score among the inputs and every input that has it (in no particular order); best is 0 while there are none. */
export interface AtMax<T> {
  best: number;
  items: T[];
}

const beats = <T>(acc: AtMax<T>, score: number) => acc.items.length === 0 || score > acc.best;

/**
 * Every input whose score is the highest: a combine, so each bundle keeps only its own
 * leaders before the shuffle (Beam's Q5 and Q7 use a side input or a self-join instead).
 */
export const allAtMax = <T>(score: (item: T) => number): CombineFn<T, AtMax<T>, T[]> => ({
  createAccumulator: () => ({ best: 0, items: [] }),
  addInput: (acc, item) => {
    const s = score(item);
    if (beats(acc, s)) {
      acc.best = s;
      acc.items = [item];
    } else if (s === acc.best) acc.items.push(item);
    return acc;
  },
  mergeAccumulators: (accs) => {
    const out: AtMax<T> = { best: 0, items: [] };
    for (const a of accs) {
      if (a.items.length === 0) continue;
      if (beats(out, a.best)) {
        out.best = a.best;
        out.items = [...a.items];
      } else if (a.best === out.best) out.items.push(...a.items);
    }
    return out;
  },
  extractOutput: (acc) => acc.items,
});
