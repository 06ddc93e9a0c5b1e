// Nexmark Q12, processing-time windows: the number of bids of each bidder in every 10 s of
// processing time, as {bidder, count}. Which pane a bid falls in depends on when it is
// processed, so only the total per bidder over all panes is deterministic.
//
// Beam's definition: the global window per bidder with a trigger firing repeatedly 10 s of
// processing time after a pane's first bid, discarding. Flink groups by
// TUMBLE(PROCTIME(), 10 s) and also outputs the window's start and end.
import { type Bid } from "../../io/index.js";
import { Pipeline, afterProcessingTime, globalWindows, kv, repeatedly, seconds, windowInto } from "../../sdk/index.js";
import { count, map } from "../../transforms/index.js";
import { NexmarkArgs, bids, readEvents, sink } from "./common.js";

export default Pipeline.define("nexmark-q12", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      windowInto(globalWindows(), {
        name: "EveryTenSeconds",
        trigger: repeatedly(afterProcessingTime(seconds(10))),
        accumulation: "discarding",
      }),
      map((b: Bid) => kv(b.bidder, null), "ByBidder"),
      count.perKey("BidsPerBidder"),
      map(({ key, value }: { key: number; value: number }) => ({ bidder: key, count: value }), "Row"),
    )
    .write("Results", sink(args)),
);
