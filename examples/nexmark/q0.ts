// Nexmark Q0, pass-through: every bid as it is, {auction, bidder, price, dateTime, extra}.
// The cost of reading the events and writing the results, against which the other queries
// are measured.
//
// Beam SQL and Flink: bids only, projected to these columns (Flink's bids also carry channel
// and url, which our generator, like Beam's, does not make). Beam Java passes every event,
// persons and auctions too; we follow Beam SQL and Flink.
import { type Bid } from "../../io/index.js";
import { Pipeline } from "../../sdk/index.js";
import { map } from "../../transforms/index.js";
import { NexmarkArgs, bids, readEvents, sink } from "./common.js";

export default Pipeline.define("nexmark-q0", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      map(({ auction, bidder, price, dateTime, extra }: Bid) => ({ auction, bidder, price, dateTime, extra }), "Row"),
    )
    .write("Results", sink(args)),
);
