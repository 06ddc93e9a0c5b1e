// Nexmark Q11, user sessions: the number of bids in each session of each bidder, a session
// being bids less than 10 s apart, as {bidder, count, start, end} (start: the first bid's
// dateTime; end: the last bid's + 10 s, which is the session window's end).
//
// Session windows with a 10 s gap per bidder, as both Beam (windowSizeSec, not sessionGap)
// and Flink (SESSION(dateTime, 10 s)) define it. The output is Flink's; Beam gives
// (bidder, count) and also fires early every 100,000 bids of a session with 1 s of allowed
// lateness, which we leave out, so each session has one result.
import { type Bid } from "../../io/index.js";
import { type KV, Pipeline, kv, parDo, seconds, sessions, windowInto } from "../../sdk/index.js";
import { count, map } from "../../transforms/index.js";
import { NexmarkArgs, bids, readEvents, sink } from "./common.js";

interface Session {
  readonly bidder: number;
  readonly count: number;
  readonly start: number;
  readonly end: number;
}

export default Pipeline.define("nexmark-q11", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      bids(),
      windowInto(sessions(seconds(10)), { name: "Sessions" }),
      map((b: Bid) => kv(b.bidder, null), "ByBidder"),
      count.perKey("BidsPerSession"),
      parDo<KV<number, number>, Session>(
        {
          process: ({ key, value }, ctx) =>
            ctx.output({ bidder: key, count: value, start: ctx.window.start, end: ctx.window.end }),
        },
        { kind: "map", name: "Row" },
      ),
    )
    .write("Results", sink(args)),
);
