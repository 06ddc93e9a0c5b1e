// Nexmark Q2, selection: the bids on every 123rd auction (auction % 123 === 0), as
// {auction, price}.
//
// The same in Beam (Java's auctionSkip is 123, SQL's MOD(auction, 123) = 0) and Flink.
import { type Bid } from "../../io/index.js";
import { Pipeline } from "../../sdk/index.js";
import { filter, map } from "../../transforms/index.js";
import { NexmarkArgs, bids, readEvents, sink } from "./common.js";

export default Pipeline.define("nexmark-q2", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      filter((b: Bid) => b.auction % 123 === 0, "EveryHundredTwentyThird"),
      map(({ auction, price }: Bid) => ({ auction, price }), "Row"),
    )
    .write("Results", sink(args)),
);
