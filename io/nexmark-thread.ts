import { parentPort, workerData } from "node:worker_threads";
import { type EventColumns, generateColumns } from "./nexmark-generator.js";
// Types only (erased): the thread does not load the source's module, nor apache-arrow with it.
import type { GeneratorThreadData, GeneratorThreadMessage } from "./nexmark.js";

// A Nexmark split's generator in its own thread (`nexmark.events({ thread: true })`): it
// generates the split's chunks in order, at most `ahead` of them not yet taken by the reading
// side, and posts each as columns, its typed arrays moved (not copied) and its strings cloned.
// The reading side acknowledges each chunk it takes; pacing stays with the reading side.

const { params, split, from, count, ahead } = workerData as GeneratorThreadData;
const port = parentPort!;
let inFlight = 0;
let at = from;
let ended = false;

const buffersOf = (c: EventColumns): ArrayBuffer[] => [
  c.kind.buffer as ArrayBuffer,
  ...[c.person.id, c.person.dateTime].map((a) => a.buffer as ArrayBuffer),
  ...[
    c.auction.id,
    c.auction.initialBid,
    c.auction.reserve,
    c.auction.dateTime,
    c.auction.expires,
    c.auction.seller,
    c.auction.category,
  ].map((a) => a.buffer as ArrayBuffer),
  ...[c.bid.auction, c.bid.bidder, c.bid.price, c.bid.dateTime].map((a) => a.buffer as ArrayBuffer),
];

function post(message: GeneratorThreadMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function fill(): void {
  try {
    while (inFlight < ahead && at < count) {
      // The chunk ends at a multiple of the chunk size, as on the reading side's own path.
      const length = Math.min(params.chunk - (at % params.chunk), count - at);
      const columns = generateColumns(params, split, at, length);
      at += length;
      inFlight++;
      post({ type: "chunk", columns, position: at }, buffersOf(columns));
    }
    if (at >= count && !ended) {
      ended = true;
      post({ type: "end" });
    }
  } catch (e) {
    post({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
}

port.on("message", () => {
  inFlight--;
  fill();
});
fill();
