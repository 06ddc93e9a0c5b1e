// Nexmark Q6, average selling price by seller: after each auction a seller wins a bid on, the
// mean of that seller's last (up to) 10 winning prices, as {seller, auction, avgPrice}
// (Math.round of the mean).
//
// Beam's definition (Flink does not run Q6: its OVER window cannot take retractions), made
// independent of arrival order: the winning bids (Q9) of a seller are taken in event-time
// order, by their time (the auction's expires - 1) and then auction id. Beam's global window
// firing on every element emits in arrival order instead. A stateful DoFn keyed by seller
// holds winning bids until an event-time timer at their time fires (then every winning bid up
// to that time has arrived) and releases them in order.
import { type KV, Pipeline, bagState, eventTimer, outputTag, parDo, valueState } from "../../sdk/index.js";
import { withKeys } from "../../transforms/index.js";
import { NexmarkArgs, readEvents, sink } from "./common.js";
import { type WinningBid, winningBids } from "./winning-bids.js";

interface SellerAverage {
  readonly seller: number;
  readonly auction: number;
  readonly avgPrice: number;
}

/** A winning bid waiting for its turn: its time, auction and price. */
interface Sale {
  readonly at: number;
  readonly auction: number;
  readonly price: number;
}

const LAST = 10;

const inOrder = (a: Sale, b: Sale) => a.at - b.at || a.auction - b.auction;

const averageOfLastTen = () =>
  parDo(
    {
      process: ({ value }: KV<number, WinningBid>, ctx) => {
        const at = value.expires - 1;
        ctx.state.waiting.add({ at, auction: value.auction, price: value.price });
        const due = ctx.state.dueAt.read();
        if (due === undefined || at < due) {
          ctx.state.dueAt.write(at);
          ctx.timers.release.set(at);
        }
      },
      onTimer: {
        release: (ctx) => {
          const seller = ctx.key as number;
          const now: Sale[] = [];
          const later: Sale[] = [];
          for (const s of ctx.state.waiting.read()) (s.at <= ctx.timestamp ? now : later).push(s);
          const prices = [...(ctx.state.prices.read() ?? [])];
          for (const sale of now.sort(inOrder)) {
            prices.push(sale.price);
            if (prices.length > LAST) prices.shift();
            const sum = prices.reduce((a, b) => a + b, 0);
            ctx.output({ seller, auction: sale.auction, avgPrice: Math.round(sum / prices.length) });
          }
          ctx.state.prices.write(prices);
          ctx.state.waiting.clear();
          ctx.state.dueAt.clear();
          if (later.length === 0) return;
          for (const s of later) ctx.state.waiting.add(s);
          const next = later.reduce((m, s) => Math.min(m, s.at), Infinity);
          ctx.state.dueAt.write(next);
          ctx.timers.release.set(next);
        },
      },
    },
    {
      name: "AverageOfLastTen",
      output: outputTag<SellerAverage>(),
      declarations: {
        state: { waiting: bagState<Sale>(), dueAt: valueState<number>(), prices: valueState<number[]>() },
        timers: { release: eventTimer() },
      },
    },
  );

export default Pipeline.define("nexmark-q6", NexmarkArgs, (p, args) =>
  readEvents(p, args)
    .pipe(
      winningBids(),
      withKeys((w: WinningBid) => w.seller, "BySeller"),
      averageOfLastTen(),
    )
    .write("Results", sink(args)),
);
