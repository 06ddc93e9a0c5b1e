// The Nexmark events as three Parquet tables (person, auction, bid), for the DuckDB answers of
// nexmark-sql.ts. Columns are the events' fields without `kind`; numbers are BIGINT.
import path from "node:path";
import { z } from "zod";
import { type Auction, type Bid, type NexmarkEvent, type Person, nexmark, parquet } from "../../io/index.js";
import { Pipeline } from "../../sdk/index.js";
import { filter } from "../../transforms/index.js";

export const PersonRow = z.object({
  id: z.int(),
  name: z.string(),
  emailAddress: z.string(),
  creditCard: z.string(),
  city: z.string(),
  state: z.string(),
  dateTime: z.int(),
  extra: z.string(),
});

export const AuctionRow = z.object({
  id: z.int(),
  itemName: z.string(),
  description: z.string(),
  initialBid: z.int(),
  reserve: z.int(),
  dateTime: z.int(),
  expires: z.int(),
  seller: z.int(),
  category: z.int(),
  extra: z.string(),
});

export const BidRow = z.object({
  auction: z.int(),
  bidder: z.int(),
  price: z.int(),
  dateTime: z.int(),
  extra: z.string(),
});

export const TABLES = ["person", "auction", "bid"] as const;

const Options = z.object({
  events: z.int().min(1).describe("bounded numEvents of the generator"),
  dir: z.string().describe("the tables go to <dir>/person, <dir>/auction and <dir>/bid"),
});

export default Pipeline.define("nexmark-parquet", Options, (p, { events, dir }) => {
  const all = p.read("Events", nexmark.events({ numEvents: events }));
  all
    .apply(filter((e: NexmarkEvent): e is Person => e.kind === "person", "Persons"))
    .write("WritePersons", parquet.write(path.join(dir, "person"), { schema: PersonRow }));
  all
    .apply(filter((e: NexmarkEvent): e is Auction => e.kind === "auction", "Auctions"))
    .write("WriteAuctions", parquet.write(path.join(dir, "auction"), { schema: AuctionRow }));
  all
    .apply(filter((e: NexmarkEvent): e is Bid => e.kind === "bid", "Bids"))
    .write("WriteBids", parquet.write(path.join(dir, "bid"), { schema: BidRow }));
});
