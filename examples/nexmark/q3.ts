// Nexmark Q3, local item suggestion: the auctions in category 10 whose seller lives in
// Oregon, Idaho or California, as {name, city, state, id} (the seller's name, city and state,
// the auction's id).
//
// An unwindowed streaming join, as Beam Java's Query3: a stateful DoFn keyed by seller keeps
// the person once seen and the auctions that came before it, and emits each match once, as
// soon as both sides are there. Beam Java also clears a seller's state 600 s of event time
// after its last event; we keep it, which gives Flink's answer (a regular join without a
// window) whatever the span of the input. Beam SQL joins in fixed 10 s windows instead.
import { type Auction, type Person } from "../../io/index.js";
import { type KV, Pipeline, bagState, kv, outputTag, parDo, valueState } from "../../sdk/index.js";
import { filter, flatten, map } from "../../transforms/index.js";
import { NexmarkArgs, auctions, persons, readEvents, sink } from "./common.js";

interface Seller {
  readonly name: string;
  readonly city: string;
  readonly state: string;
}

interface Suggestion extends Seller {
  readonly id: number;
}

type SellerOrAuction = { readonly seller: Seller } | { readonly auction: number };

const STATES: ReadonlySet<string> = new Set(["OR", "ID", "CA"]);

const joinOnSeller = () =>
  parDo(
    {
      process: ({ value }: KV<number, SellerOrAuction>, ctx) => {
        const { seller, auctions } = ctx.state;
        if ("seller" in value) {
          const s = value.seller;
          seller.write(s);
          for (const id of auctions.read()) ctx.output({ ...s, id });
          auctions.clear();
          return;
        }
        const s = seller.read();
        if (s) ctx.output({ ...s, id: value.auction });
        else auctions.add(value.auction);
      },
    },
    {
      name: "JoinOnSeller",
      output: outputTag<Suggestion>(),
      declarations: { state: { seller: valueState<Seller>(), auctions: bagState<number>() } },
    },
  );

export default Pipeline.define("nexmark-q3", NexmarkArgs, (p, args) => {
  const events = readEvents(p, args);
  const sellers = events.pipe(
    persons(),
    filter((s: Person) => STATES.has(s.state), "InOregonIdahoCalifornia"),
    map(({ id, name, city, state }: Person) => kv<number, SellerOrAuction>(id, { seller: { name, city, state } }), "KeySellers"),
  );
  const items = events.pipe(
    auctions(),
    filter((a: Auction) => a.category === 10, "InCategory10"),
    map((a: Auction) => kv<number, SellerOrAuction>(a.seller, { auction: a.id }), "KeyAuctions"),
  );
  return flatten([sellers, items], "SellersAndAuctions").apply(joinOnSeller()).write("Results", sink(args));
});
