// Page views and unique visitors per calendar day (UTC) of a web server's access log in
// the combined log format: `day,pv,uv` as CSV with a header. Event time comes from each
// request's own timestamp, so the lines' arrival order does not matter.
import { z } from "zod";
import { Pipeline, calendarDays, countDistinctFn, kv, parDo, windowInto } from "../sdk/index.js";
import { csv, text } from "../io/index.js";
import { combine, count, join, map, withTimestamps } from "../transforms/index.js";

const Options = z.object({
  input: z.string().describe("access log file(s) in the combined log format (glob; .gz is decompressed)"),
  output: z.string().describe("directory the CSV shard is written to"),
});

export interface Request {
  readonly client: string;
  readonly at: number;
}

// <client> <ident> <user> [<dd>/<Mon>/<yyyy>:<hh>:<mm>:<ss> <zone>] "<request>" <status> <bytes> ...
const LINE = /^(\S+) \S+ \S+ \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** One log line as a request; a line that is not in the combined format fails the step, naming the line. */
export function parseRequest(line: string): Request {
  const m = LINE.exec(line);
  const month = m ? MONTHS.indexOf(m[3]!) : -1;
  if (!m || month < 0) throw new Error(`not a combined-log-format line: ${JSON.stringify(line.slice(0, 120))}`);
  const [, client, dd, , yyyy, hh, mi, ss, sign, zh, zm] = m;
  const offset = (sign === "-" ? -1 : 1) * (Number(zh) * 60 + Number(zm)) * 60_000;
  return { client: client!, at: Date.UTC(Number(yyyy), month, Number(dd), Number(hh), Number(mi), Number(ss)) - offset };
}

export default Pipeline.define("access-log", Options, (p, opts) => {
  const requests = p.read("ReadLog", text.lines(opts.input)).pipe(
    map(parseRequest, "Parse"),
    withTimestamps((r: Request) => r.at, "EventTime"),
    windowInto(calendarDays(1, "UTC"), { name: "Days" }),
  );
  const pv = requests.pipe(
    map(() => kv("site", null), "PageView"),
    count.perKey("PageViews"),
  );
  const uv = requests.pipe(
    map((r: Request) => kv("site", r.client), "Visitor"),
    combine.perKey(countDistinctFn<string>(), "UniqueVisitors"),
  );
  return join
    .inner(pv, uv, "PerDay")
    .pipe(
      parDo<{ key: string; value: [number, number] }, { day: string; pv: number; uv: number }>(
        {
          process: ({ value: [views, visitors] }, ctx) =>
            ctx.output({ day: new Date(ctx.window.start).toISOString().slice(0, 10), pv: views, uv: visitors }),
        },
        { kind: "map", name: "Row" },
      ),
    )
    .write("WriteCsv", csv.write(opts.output, { header: ["day", "pv", "uv"] }));
});
