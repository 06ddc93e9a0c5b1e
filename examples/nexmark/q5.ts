// Nexmark Q5, hot items: per sliding window of 10 s every 5 s, the auctions with the most
// bids, every one tied at the maximum, as {auction, count, windowStart}.
//
// Beam's definition (Java and SQL): 10 s windows every 5 s. Flink slides every 2 s. Beam Java
// finds the maximum through a side input (SQL and Flink through a self-join on the window);
// here a count per auction is followed by a combine per window that keeps the counts at the
// maximum, so each bundle passes on only its own leaders.
import { type Bid } from "../../io/index.js";
import { type KV, Pipeline, kv, parDo, seconds, slidingWindows, windowInto } from "../../sdk/index.js";
import { combine, count, map } from "../../transforms/index.js";
import { NexmarkArgs, allAtMax, bids, readEvents, sink } from "./common.js";

interface HotItem {
  readonly auction: number;
  readonly count: number;
  readonly windowStart: number;
}

export default Pipeline.define("nexmark-q5", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      windowInto(slidingWindows(seconds(10), seconds(5)), { name: "Sliding" }),
      map((b: Bid) => kv(b.auction, null), "ByAuction"),
      count.perKey("BidsPerAuction"),
      combine.globally(
        allAtMax((c: KV<number, number>) => c.value),
        "MostBids",
      ),
      parDo<KV<number, number>[], HotItem>(
        {
          process: (hottest, ctx) => {
            for (const { key, value } of hottest) ctx.output({ auction: key, count: value, windowStart: ctx.window.start });
          },
        },
        { kind: "flatMap", name: "Rows" },
      ),
    )
    .write("Results", sink(args)),
);
