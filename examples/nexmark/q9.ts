// Nexmark Q9, winning bids: each auction's winning bid, as
// {auction, seller, category, expires, bidder, price, bidDateTime}; winning-bids.ts has the
// rule and the streaming join.
//
// Beam's definition (WinningBids): a bid counts if it is in [auction.dateTime, expires) and at
// least the reserve; the highest price wins, ties going to the earliest bid (and here then to
// the lowest bidder, so that equal times give one answer). Beam groups through auction windows
// merged with bid windows; we join with state and timers, with the same answer. Flink joins
// bids in [dateTime, expires] (expires included) with no reserve check and outputs every
// auction column with the bid's.
import { Pipeline } from "../../sdk/index.js";
import { NexmarkArgs, readEvents, sink } from "./common.js";
import { winningBids } from "./winning-bids.js";

export default Pipeline.define("nexmark-q9", NexmarkArgs, (p, args) =>
  readEvents(p, args).apply(winningBids()).write("Results", sink(args)),
);
