// Nexmark Q8, monitor new users: the people who opened an auction in the same fixed 10 s
// window in which they registered, one row per (person, auction) pair, as
// {id, name, reserve, windowStart}.
//
// Beam's definition: persons (by their dateTime) and auctions (by theirs) in fixed 10 s
// windows, joined on person.id = auction.seller per window, a row per auction with its
// reserve. Flink joins the same windows but deduplicates both sides first, so it gives one row
// per person and window, {id, name, window_start}; we keep Beam's row per auction and add the
// window's start.
import { type Auction, type Person } from "../../io/index.js";
import { type KV, Pipeline, fixedWindows, kv, parDo, seconds, windowInto } from "../../sdk/index.js";
import { join, map } from "../../transforms/index.js";
import { NexmarkArgs, auctions, persons, readEvents, sink } from "./common.js";

interface NewSeller {
  readonly id: number;
  readonly name: string;
  readonly reserve: number;
  readonly windowStart: number;
}

export default Pipeline.define("nexmark-q8", NexmarkArgs, (p, args) => {
  const events = readEvents(p, args);
  const people = events.pipe(
    persons(),
    windowInto(fixedWindows(seconds(10)), { name: "PersonWindows" }),
    map((person: Person) => kv(person.id, person.name), "NameById"),
  );
  const sales = events.pipe(
    auctions(),
    windowInto(fixedWindows(seconds(10)), { name: "AuctionWindows" }),
    map((a: Auction) => kv(a.seller, a.reserve), "ReserveBySeller"),
  );
  return join
    .inner(people, sales, "PersonAuction")
    .apply(
      parDo<KV<number, [string, number]>, NewSeller>(
        {
          process: ({ key, value: [name, reserve] }, ctx) =>
            ctx.output({ id: key, name, reserve, windowStart: ctx.window.start }),
        },
        { kind: "map", name: "Row" },
      ),
    )
    .write("Results", sink(args));
});
