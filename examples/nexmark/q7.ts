// Nexmark Q7, highest bid: per fixed 10 s window, every bid at the window's highest price,
// as {auction, bidder, price, dateTime, extra}.
//
// Beam's definition: fixed 10 s windows, each bid compared with its own window's maximum.
// Beam Java gets the maximum through a side input and Beam SQL through a self-join; here one
// combine per window keeps the highest price and the bids at it, so each bundle passes on only
// its own leaders. Flink regular-joins each window's maximum to the bids in
// [window end - 10 s, window end] (both ends included, so a bid at a window's end can match
// the window before it too), and its sink swaps the price and bidder columns.
import { type Bid } from "../../io/index.js";
import { Pipeline, fixedWindows, seconds, windowInto } from "../../sdk/index.js";
import { combine, flatMap } from "../../transforms/index.js";
import { NexmarkArgs, allAtMax, bids, readEvents, sink } from "./common.js";

export default Pipeline.define("nexmark-q7", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      windowInto(fixedWindows(seconds(10)), { name: "Fixed" }),
      combine.globally(
        allAtMax((b: Bid) => b.price),
        "HighestBids",
      ),
      flatMap(
        (highest: Bid[]) =>
          highest.map(({ auction, bidder, price, dateTime, extra }) => ({ auction, bidder, price, dateTime, extra })),
        "Rows",
      ),
    )
    .write("Results", sink(args)),
);
