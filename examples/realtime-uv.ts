// Real-time unique visitors: distinct client addresses per calendar day (UTC) of access-log
// requests read from a Kafka topic (see load-access-log.ts), as `day,uv,timing` lines. While a
// day is open, an early pane every `earlyEveryMs` of processing time gives the count so far
// (accumulating: each pane counts every visitor of the day, not only the new ones); the
// on-time pane, once the watermark passes the day's end, gives the final count. With
// `allowedLateness`, requests that come later update the day in late panes.
//
// Event time is each request's own time, parsed from the line; the watermark trails the
// latest time seen in a partition by `maxDelay` (the data's lines are up to 59 s out of
// order), and a partition with no records for `idleTimeout` stops holding it back.
//
//   npx beamline run examples/realtime-uv.ts --runner=stream --brokers=localhost:9092 \
//     --topic=access-log --output=out/uv --checkpoint-dir=ck --checkpoint-interval=10s
//
// The text sink publishes its files at each checkpoint (and at the end of a bounded run or
// on a savepoint): `--checkpoint-interval` sets how often new lines become visible.
import { z } from "zod";
import {
  Pipeline,
  afterProcessingTime,
  afterWatermark,
  calendarDays,
  countDistinctFn,
  kv,
  type PaneTiming,
  parDo,
  windowInto,
} from "../sdk/index.js";
import { kafka, text } from "../io/index.js";
import { combine, map } from "../transforms/index.js";
import { type Request, parseRequest } from "./access-log.js";

const Options = z.object({
  brokers: z.string().describe("bootstrap brokers, host:port[,host:port...]"),
  topic: z.string().describe("topic of access-log lines (one request per record)"),
  output: z.string().describe("directory the `day,uv,timing` lines are written to"),
  bounded: z.boolean().default(false).describe("read up to the end offsets seen when the read starts, then end"),
  earlyEveryMs: z.number().int().positive().default(60_000).describe("processing time between early panes of an open day"),
  maxDelay: z.number().int().nonnegative().default(60_000).describe("ms the watermark trails the latest request time"),
  idleTimeout: z.number().int().positive().default(30_000).describe("ms without records before a partition is idle"),
  allowedLateness: z.number().int().nonnegative().default(0).describe("ms after a day's end that late requests still count"),
  groupId: z.string().optional().describe("consumer group the checkpointed offsets are committed to (lag monitoring)"),
});

const TIMING: Record<PaneTiming, string> = { EARLY: "early", ON_TIME: "on-time", LATE: "late", UNKNOWN: "unknown" };

export default Pipeline.define("realtime-uv", Options, (p, opts) =>
  p
    .read(
      "Requests",
      kafka.read<Request>({
        brokers: opts.brokers,
        topics: opts.topic,
        // A line that is not in the combined log format is a bad record: the job fails naming its topic, partition and offset.
        deserializer: (value) => parseRequest(value === null ? "" : value.toString("utf8")),
        eventTime: (r) => r.at,
        maxDelay: opts.maxDelay,
        idleTimeout: opts.idleTimeout,
        bounded: opts.bounded,
        ...(opts.groupId !== undefined ? { groupId: opts.groupId } : {}),
      }),
    )
    .pipe(
      windowInto(calendarDays(1, "UTC"), {
        name: "Days",
        trigger: afterWatermark({
          early: afterProcessingTime(opts.earlyEveryMs),
          late: afterProcessingTime(opts.earlyEveryMs),
        }),
        accumulation: "accumulating",
        allowedLateness: opts.allowedLateness,
      }),
      map((r: Request) => kv("site", r.client), "Visitor"),
      combine.perKey(countDistinctFn<string>(), "UniqueVisitors"),
      parDo<{ key: string; value: number }, string>(
        {
          process: ({ value }, ctx) =>
            ctx.output(`${new Date(ctx.window.start).toISOString().slice(0, 10)},${value},${TIMING[ctx.pane.timing]}`),
        },
        { kind: "map", name: "Line" },
      ),
    )
    .write("WriteLines", text.write(opts.output)),
);
