// Winning bids, Nexmark's Q9 and the input of Q4 and Q6: for each auction, among its bids b
// with auction.dateTime <= b.dateTime < auction.expires and b.price >= auction.reserve, the
// highest price; ties go to the earliest bid, then the lowest bidder. An auction without
// such a bid has no winner.
//
// As a streaming join: a stateful DoFn keyed by auction id over the auctions and bids keeps
// the auction and the best valid bid so far, and an event-time timer at expires - 1 emits the
// winner (stamped expires - 1, as Beam's WinningBids) and clears the key. A bid that comes
// before its auction waits in a bag; a timer at its dateTime drops it if no auction came by
// then (an auction valid for it has dateTime <= its own, so it has arrived once the watermark
// passes it). Only the fields the result needs are kept in state.
import { type Auction, type Bid, type NexmarkEvent } from "../../io/index.js";
import {
  type KV,
  type PCollection,
  bagState,
  defineTransform,
  eventTimer,
  kv,
  outputTag,
  parDo,
  valueState,
} from "../../sdk/index.js";
import { flatten, map } from "../../transforms/index.js";
import { auctions, bids } from "./common.js";

export interface WinningBid {
  readonly auction: number;
  readonly seller: number;
  readonly category: number;
  readonly expires: number;
  readonly bidder: number;
  readonly price: number;
  readonly bidDateTime: number;
}

/** What the join keeps of an auction. */
interface OpenAuction {
  readonly id: number;
  readonly seller: number;
  readonly category: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly reserve: number;
}

/** What the join keeps of a bid. */
interface Candidate {
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
}

const isValid = (a: OpenAuction, b: Candidate): boolean =>
  a.dateTime <= b.dateTime && b.dateTime < a.expires && b.price >= a.reserve;

/** Whether b wins over the best so far: a higher price, then an earlier bid, then a lower bidder. */
const beats = (b: Candidate, best: Candidate | undefined): boolean =>
  best === undefined ||
  b.price > best.price ||
  (b.price === best.price && (b.dateTime < best.dateTime || (b.dateTime === best.dateTime && b.bidder < best.bidder)));

const openAuction = (a: Auction): OpenAuction => ({
  id: a.id,
  seller: a.seller,
  category: a.category,
  dateTime: a.dateTime,
  expires: a.expires,
  reserve: a.reserve,
});

const candidate = (b: Bid): Candidate => ({ bidder: b.bidder, price: b.price, dateTime: b.dateTime });

type AuctionOrBid = { readonly auction: OpenAuction } | { readonly bid: Candidate };

const pickWinner = () =>
  parDo(
    {
      process: ({ value }: KV<number, AuctionOrBid>, ctx) => {
        const { state, timers } = ctx;
        if ("auction" in value) {
          const a = value.auction;
          state.auction.write(a);
          let best: Candidate | undefined;
          for (const b of state.early.read()) if (isValid(a, b) && beats(b, best)) best = b;
          if (best) state.best.write(best);
          state.early.clear();
          state.dropAt.clear();
          timers.drop.clear();
          timers.close.set(a.expires - 1);
          return;
        }
        const b = value.bid;
        const a = state.auction.read();
        if (a) {
          if (isValid(a, b) && beats(b, state.best.read())) state.best.write(b);
          return;
        }
        state.early.add(b);
        const dropAt = state.dropAt.read();
        if (dropAt === undefined || b.dateTime < dropAt) {
          state.dropAt.write(b.dateTime);
          timers.drop.set(b.dateTime);
        }
      },
      onTimer: {
        close: (ctx) => {
          const a = ctx.state.auction.read();
          const best = ctx.state.best.read();
          if (a && best)
            ctx.output({
              auction: a.id,
              seller: a.seller,
              category: a.category,
              expires: a.expires,
              bidder: best.bidder,
              price: best.price,
              bidDateTime: best.dateTime,
            });
          ctx.state.auction.clear();
          ctx.state.best.clear();
        },
        // No auction came for the waiting bids up to the timer's time: no auction can be valid for them now.
        drop: (ctx) => {
          const waiting = ctx.state.early.read().filter((b) => b.dateTime > ctx.timestamp);
          ctx.state.early.clear();
          ctx.state.dropAt.clear();
          if (waiting.length === 0) return;
          let next = Infinity;
          for (const b of waiting) {
            ctx.state.early.add(b);
            next = Math.min(next, b.dateTime);
          }
          ctx.state.dropAt.write(next);
          ctx.timers.drop.set(next);
        },
      },
    },
    {
      name: "Winner",
      output: outputTag<WinningBid>(),
      declarations: {
        state: {
          auction: valueState<OpenAuction>(),
          best: valueState<Candidate>(),
          early: bagState<Candidate>(),
          dropAt: valueState<number>(),
        },
        timers: { close: eventTimer(), drop: eventTimer() },
      },
    },
  );

/** Each auction's winning bid, stamped with the auction's expires - 1. */
export const winningBids = (name = "WinningBids") =>
  defineTransform({ kind: "nexmark.winningBids", name }, (events: PCollection<NexmarkEvent>): PCollection<WinningBid> => {
    const keyedAuctions = events.pipe(
      auctions(),
      map((a: Auction) => kv<number, AuctionOrBid>(a.id, { auction: openAuction(a) }), "KeyAuctions"),
    );
    const keyedBids = events.pipe(
      bids(),
      map((b: Bid) => kv<number, AuctionOrBid>(b.auction, { bid: candidate(b) }), "KeyBids"),
    );
    return flatten([keyedAuctions, keyedBids], "AuctionsAndBids").apply(pickWinner());
  });
