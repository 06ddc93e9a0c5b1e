import {
  Instant,
  type KV,
  type PCollection,
  afterCount,
  defineTransform,
  groupByKey,
  kv,
  parDo,
  configureWindowing,
  repeatedly,
} from "../sdk/index.js";

/** An element with the event time it had before the shuffle, which grouping would replace. */
interface Reified<T> {
  readonly value: T;
  readonly timestamp: Instant;
}

/** murmur3's 32-bit finaliser: spreads consecutive counters over the key space. */
const mix32 = (x: number): number => {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

/** Keys like Beam's AssignShardFn (a counter per bundle, hashed), but seeded deterministically so reruns match. */
const addKey = <T>() => {
  let bundles = 0;
  let shard = 0;
  return parDo<T, KV<number, Reified<T>>>(
    {
      startBundle: () => {
        shard = mix32(bundles++);
      },
      process: (value, ctx) => ctx.output(kv(mix32(shard++), { value, timestamp: ctx.timestamp })),
    },
    { kind: "reshuffle.addKey", name: "AddKey" },
  );
};

const restore = <T>() =>
  parDo<KV<number, Reified<T>[]>, T>(
    {
      process: (element, ctx) => {
        for (const { value, timestamp } of element.value) ctx.outputWithTimestamp(value, timestamp);
      },
    },
    { kind: "reshuffle.restore", name: "Restore" },
  );

/**
 * Redistributes elements across workers, keeping their values, timestamps and windows
 * (Beam's Reshuffle): breaks fusion, e.g. after a flatMap that fans out.
 */
export const reshuffle = (name?: string) =>
  defineTransform({ kind: "reshuffle", name }, <T>(input: PCollection<T>): PCollection<T> => {
    const { windowFn: _keep, ...strategy } = input.windowing;
    return input.pipe(
      addKey<T>(),
      // Keep each element's windows; fire on every element and never drop late data;
      // "earliest" lets Restore re-emit the original times.
      configureWindowing({
        trigger: repeatedly(afterCount(1)),
        accumulation: "discarding",
        timestampCombiner: "earliest",
        allowedLateness: Instant.MAX,
        name: "Window",
      }),
      groupByKey("GroupByKey"),
      restore<T>(),
      configureWindowing({ ...strategy, name: "RestoreWindowing" }),
    );
  });
