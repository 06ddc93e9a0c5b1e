// Nexmark Q1, currency conversion: every bid with its price in euros,
// {auction, bidder, price, dateTime, extra}.
//
// The conversion is Beam's (Java and SQL): price * 89 / 100 in integer division, so the price
// stays whole cents. Flink computes 0.908 * price as a DECIMAL(23, 3), which gives different
// numbers; the columns are the same.
import { type Bid } from "../../io/index.js";
import { Pipeline } from "../../sdk/index.js";
import { map } from "../../transforms/index.js";
import { NexmarkArgs, bids, readEvents, sink } from "./common.js";

export default Pipeline.define("nexmark-q1", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      map(
        ({ auction, bidder, price, dateTime, extra }: Bid) => ({
          auction,
          bidder,
          price: Math.floor((price * 89) / 100),
          dateTime,
          extra,
        }),
        "ToEuros",
      ),
    )
    .write("Results", sink(args)),
);
