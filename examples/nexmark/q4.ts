// Nexmark Q4, average price for a category: the mean winning price of each category's
// auctions, per sliding window of 10 s every 5 s by the winning bid's time (its auction's
// expires - 1), as {category, windowStart, avgPrice} (the mean rounded with Math.round).
//
// Beam's definition: winning bids (Q9, with its reserve check and [dateTime, expires)
// interval), keyed by category, sliding windows, mean per key; Beam's isLast flag is left
// out. Flink instead takes each auction's highest bid in [dateTime, expires] with no reserve
// check and keeps one unwindowed, continuously updated average per category.
import { type KV, Pipeline, kv, parDo, seconds, slidingWindows, windowInto } from "../../sdk/index.js";
import { map, mean } from "../../transforms/index.js";
import { NexmarkArgs, readEvents, sink } from "./common.js";
import { type WinningBid, winningBids } from "./winning-bids.js";

interface CategoryAverage {
  readonly category: number;
  readonly windowStart: number;
  readonly avgPrice: number;
}

export default Pipeline.define("nexmark-q4", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      winningBids(),
      map((w: WinningBid) => kv(w.category, w.price), "PriceByCategory"),
      windowInto(slidingWindows(seconds(10), seconds(5)), { name: "Sliding" }),
      mean.perKey("MeanPrice"),
      parDo<KV<number, number>, CategoryAverage>(
        {
          process: ({ key, value }, ctx) =>
            ctx.output({ category: key, windowStart: ctx.window.start, avgPrice: Math.round(value) }),
        },
        { kind: "map", name: "Row" },
      ),
    )
    .write("Results", sink(args)),
);
