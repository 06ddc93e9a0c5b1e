import { type Instant } from "../sdk/index.js";

// Nexmark's event generator (Person, Auction and Bid), following the rules of Beam's Java
// Nexmark generator (sdks/java/testing/nexmark, sources/generator); docs/nexmark.md §3 has
// the rules and where they come from. Like Beam's, every event is a pure function of its id
// and the configuration: each event draws from a java.util.Random seeded with its id, so a
// split can start anywhere, a restore resumes at a position without replaying, and any
// runner sees the same events. Events are generated a chunk at a time into columns
// (EventColumns), then made records. The source around it is io/nexmark.ts; this module
// imports nothing heavy, as a generator thread (io/nexmark-thread.ts) loads it alone.

export interface Person {
  readonly kind: "person";
  readonly id: number;
  readonly name: string;
  readonly emailAddress: string;
  readonly creditCard: string;
  readonly city: string;
  readonly state: string;
  readonly dateTime: number;
  readonly extra: string;
}

export interface Auction {
  readonly kind: "auction";
  readonly id: number;
  readonly itemName: string;
  readonly description: string;
  readonly initialBid: number;
  readonly reserve: number;
  readonly dateTime: number;
  readonly expires: number;
  readonly seller: number;
  readonly category: number;
  readonly extra: string;
}

export interface Bid {
  readonly kind: "bid";
  readonly auction: number;
  readonly bidder: number;
  readonly price: number;
  readonly dateTime: number;
  readonly extra: string;
}

export type NexmarkEvent = Person | Auction | Bid;

export interface NexmarkOptions {
  /** Events in all; null: unbounded, paced by the wall clock at `rate`. */
  readonly numEvents: number | null;
  /** Events per second of event time, whole source (Beam's firstEventRate), default 10,000. */
  readonly rate?: number;
  /** Parallel generators, one split each (Beam's numEventGenerators), default 4. */
  readonly generators?: number;
  /** Default 0: Beam's own seeding (each event's Random seeded with its id); others mix this in. */
  readonly seed?: number;
  /** Default 1 (in order): events are permuted within groups of this many. */
  readonly outOfOrderGroupSize?: number;
  /** Event time of the first event, ms since the epoch; default 2015-07-15T00:00:00Z, as Beam's. */
  readonly baseTime?: number;
  /** Default: true when unbounded. Each split waits until its chunk is due on the wall clock at `rate`. */
  readonly paced?: boolean;
  /** Events per chunk, default 4096. */
  readonly chunk?: number;
  /**
   * Default false: a split's events are generated in the thread that reads the split. true:
   * each split's generator runs in its own worker thread, a few chunks ahead, and hands its
   * chunks over as columns (typed arrays moved, strings copied).
   */
  readonly thread?: boolean;
  /** Targets for the `extra` padding, default 200 / 500 / 100 bytes. */
  readonly avgPersonByteSize?: number;
  readonly avgAuctionByteSize?: number;
  readonly avgBidByteSize?: number;
  /** 1 in this many bids goes to a random auction, the rest to the hot one; default 2. */
  readonly hotAuctionRatio?: number;
  /** 1 in this many auctions has a random seller, the rest the hot one; default 4. */
  readonly hotSellersRatio?: number;
  /** 1 in this many bids has a random bidder, the rest the hot one; default 4. */
  readonly hotBiddersRatio?: number;
  /** Auctions open at once (sets auction lengths and which auctions bids pick), default 100. */
  readonly numInFlightAuctions?: number;
  /** People who bid and sell, default 1000. */
  readonly numActivePeople?: number;
}

/** The graph's record of a Nexmark source: every option, defaults filled in. */
export type NexmarkParams = {
  readonly numEvents: number | null;
  readonly rate: number;
  readonly generators: number;
  readonly seed: number;
  readonly outOfOrderGroupSize: number;
  readonly baseTime: number;
  readonly paced: boolean;
  readonly chunk: number;
  readonly thread: boolean;
  readonly avgPersonByteSize: number;
  readonly avgAuctionByteSize: number;
  readonly avgBidByteSize: number;
  readonly hotAuctionRatio: number;
  readonly hotSellersRatio: number;
  readonly hotBiddersRatio: number;
  readonly numInFlightAuctions: number;
  readonly numActivePeople: number;
};

export const DEFAULTS: Omit<NexmarkParams, "numEvents" | "paced"> = Object.freeze({
  rate: 10_000,
  generators: 4,
  seed: 0,
  outOfOrderGroupSize: 1,
  baseTime: Date.UTC(2015, 6, 15),
  chunk: 4096,
  thread: false,
  avgPersonByteSize: 200,
  avgAuctionByteSize: 500,
  avgBidByteSize: 100,
  hotAuctionRatio: 2,
  hotSellersRatio: 4,
  hotBiddersRatio: 4,
  numInFlightAuctions: 100,
  numActivePeople: 1000,
});

// Beam's constants (GeneratorConfig and the model generators).
const PERSON_PROPORTION = 1;
const AUCTION_PROPORTION = 3;
const PROPORTION_DENOMINATOR = 50;
const FIRST_PERSON_ID = 1000;
const FIRST_AUCTION_ID = 1000;
const FIRST_CATEGORY_ID = 10;
const NUM_CATEGORIES = 5;
const PERSON_ID_LEAD = 10;
const AUCTION_ID_LEAD = 10;
const HOT_SELLER_RATIO = 100;
const HOT_AUCTION_RATIO = 100;
const HOT_BIDDER_RATIO = 100;
const FIRST_NAMES = ["Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"];
const LAST_NAMES = ["Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"];
const US_CITIES = [
  "Phoenix",
  "Los Angeles",
  "San Francisco",
  "Boise",
  "Portland",
  "Bend",
  "Redmond",
  "Seattle",
  "Kent",
  "Cheyenne",
];
const US_STATES = ["AZ", "CA", "ID", "OR", "WA", "WY"];

/** Watermark slack of a read that gives no maxDelay: nexmark-flink's tables use `dateTime - 4 s`. */
export const DEFAULT_MAX_DELAY_MS = 4000;

// ---- java.util.Random ----

const TWO_24 = 0x1000000;
const MULT_HI = 0x5de;
const MULT_LO = 0xece66d;
const INV_2_24 = 1 / TWO_24;

/**
 * java.util.Random's 48-bit linear congruential generator (its published algorithm), with the
 * state as two 24-bit halves so that every product stays exact in a double.
 */
export class JavaRandom {
  private hi = 0;
  private lo = 0;

  constructor(seed = 0) {
    this.setSeed(seed);
  }

  /** Seeds as `new Random(seed)` would, for a whole-number seed in the safe range. */
  setSeed(seed: number, mixHi = 0, mixLo = 0): void {
    const lo = ((seed % TWO_24) + TWO_24) % TWO_24;
    const hi = (((Math.floor(seed / TWO_24) % TWO_24) + TWO_24) % TWO_24) | 0;
    this.lo = (lo ^ mixLo ^ MULT_LO) & 0xffffff;
    this.hi = (hi ^ mixHi ^ MULT_HI) & 0xffffff;
  }

  nextInt(bound?: number): number {
    if (bound === undefined) return this.next32();
    if ((bound & -bound) === bound) return Math.floor((bound * this.next31()) / 0x80000000);
    let bits: number;
    let val: number;
    do {
      bits = this.next31();
      val = bits % bound;
    } while (bits - val + (bound - 1) > 0x7fffffff);
    return val;
  }

  nextDouble(): number {
    return (this.nextBits(26) * 0x8000000 + this.nextBits(27)) / 2 ** 53;
  }

  nextLong(): bigint {
    // Java adds the second int sign-extended.
    const high = BigInt(this.next32());
    return BigInt.asIntN(64, (high << 32n) + BigInt(this.next32()));
  }

  // Products stay below 2^50, exact in a double; quotients by 2^24 stay below 2^31, so `| 0` floors them.
  private step(): void {
    const lo = this.lo * MULT_LO + 0xb;
    const carry = (lo * INV_2_24) | 0;
    const hi = this.hi * MULT_LO + this.lo * MULT_HI + carry;
    this.hi = hi - ((hi * INV_2_24) | 0) * TWO_24;
    this.lo = lo - carry * TWO_24;
  }

  private next32(): number {
    this.step();
    return (this.hi * 256 + (this.lo >>> 16)) | 0;
  }

  private next31(): number {
    this.step();
    return this.hi * 128 + (this.lo >>> 17);
  }

  private nextBits(bits: number): number {
    this.step();
    return Math.floor((this.hi * TWO_24 + this.lo) / 2 ** (48 - bits));
  }
}

// ---- The generator's configuration, per split ----

/** A split's part of the event sequence: Beam's GeneratorConfig after `split(generators)`. */
interface Timeline {
  /** The split's first event id; its events have ids firstEventId + (adjusted) 0, 1, 2, ... */
  readonly firstEventId: number;
  /** Events in the split (Infinity: unbounded). */
  readonly count: number;
}

/** Events of an unbounded source, as Beam caps them: Long.MAX / (50 × the largest average size). */
function unboundedEvents(p: NexmarkParams): number {
  const largest = Math.max(p.avgPersonByteSize, p.avgAuctionByteSize, p.avgBidByteSize, 1);
  return Number(9223372036854775807n / BigInt(PROPORTION_DENOMINATOR * largest));
}

export function timelineOf(p: NexmarkParams, index: number): Timeline {
  const total = p.numEvents ?? unboundedEvents(p);
  const sub = Math.floor(total / p.generators);
  const count = index === p.generators - 1 ? total - sub * index : sub;
  return { firstEventId: sub * index, count: p.numEvents === null ? Infinity : count };
}

/** Microseconds between two events of one split: Beam's integer inter-event delay times the generators. */
export const delayUs = (p: NexmarkParams): number => Math.floor((1_000_000 + Math.floor(p.rate / 2)) / p.rate) * p.generators;

/** The out-of-order permutation: event number n is generated as this one (the identity for groups of 1). */
function adjusted(p: NexmarkParams, n: number): number {
  const g = p.outOfOrderGroupSize;
  if (g === 1) return n;
  return Math.floor(n / g) * g + ((n * 953) % g);
}

/** Event time of (adjusted) event number n of a split. */
const timestampOf = (p: NexmarkParams, delay: number, n: number): number => p.baseTime + Math.floor((n * delay) / 1000);

// ---- Ids (Beam's PersonGenerator / AuctionGenerator id rules) ----

const lastBase0PersonId = (eventId: number): number => Math.floor(eventId / PROPORTION_DENOMINATOR);

function lastBase0AuctionId(eventId: number): number {
  let epoch = Math.floor(eventId / PROPORTION_DENOMINATOR);
  let offset = eventId % PROPORTION_DENOMINATOR;
  if (offset < PERSON_PROPORTION) {
    epoch--;
    offset = AUCTION_PROPORTION - 1;
  } else if (offset >= PERSON_PROPORTION + AUCTION_PROPORTION) offset = AUCTION_PROPORTION - 1;
  else offset -= PERSON_PROPORTION;
  return epoch * AUCTION_PROPORTION + offset;
}

/** Beam's LongGenerator.nextLong(random, n): nextInt below 2^31 - 1, else |nextLong() % n|. */
function nextBelow(r: JavaRandom, n: number): number {
  if (n < 0x7fffffff) return r.nextInt(n);
  const v = r.nextLong() % BigInt(n);
  return Number(v < 0n ? -v : v);
}

function nextBase0PersonId(p: NexmarkParams, r: JavaRandom, eventId: number): number {
  const numPeople = lastBase0PersonId(eventId) + 1;
  const active = Math.min(numPeople, p.numActivePeople);
  return numPeople - active + nextBelow(r, active + PERSON_ID_LEAD);
}

function nextBase0AuctionId(p: NexmarkParams, r: JavaRandom, eventId: number): number {
  const max = lastBase0AuctionId(eventId);
  const min = Math.max(max - p.numInFlightAuctions, 0);
  return min + nextBelow(r, max - min + 1 + AUCTION_ID_LEAD);
}

// ---- Strings and prices (Beam's StringsGenerator and PriceGenerator) ----

// Characters are written into one buffer and read out as a Latin-1 string: about twice as fast as fromCharCode.
const codes = Buffer.alloc(1 << 16);
const charsOf = (from: number, to: number): string => (codes as Latin1Buffer).latin1Slice(from, to);
/** Node's Buffer method (older than its `toString("latin1")` and without its argument checks), missing from @types/node. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** A string of 3..maxLength-1 lowercase letters and spaces, trimmed. */
function nextString(r: JavaRandom, maxLength: number): string {
  const len = 3 + r.nextInt(maxLength - 3);
  for (let i = 0; i < len; i++) codes[i] = r.nextInt(13) === 0 ? 32 : 97 + r.nextInt(26);
  let from = 0;
  let to = len;
  while (from < to && codes[from] === 32) from++;
  while (to > from && codes[to - 1] === 32) to--;
  return charsOf(from, to);
}

/** Exactly `length` characters, six per nextInt() (Java's signed % and /, so 'H'..'z'). */
function nextExactString(r: JavaRandom, length: number): string {
  let rnd = 0;
  let left = 0;
  for (let i = 0; i < length; i++) {
    if (left === 0) {
      rnd = r.nextInt();
      left = 6;
    }
    codes[i] = 97 + (rnd % 26);
    rnd = (rnd / 26) | 0;
    left--;
  }
  return charsOf(0, length);
}

/** Padding that brings a record of `current` bytes to `average` on average (±20%). */
function nextExtra(r: JavaRandom, current: number, average: number): string {
  if (current > average) return "";
  const rest = average - current;
  const delta = Math.round(rest * 0.2);
  const size = rest - delta + (delta === 0 ? 0 : r.nextInt(2 * delta));
  return nextExactString(r, size);
}

/** Log-uniform cents from 1 dollar to 1 million dollars. */
const nextPrice = (r: JavaRandom): number => Math.round(Math.pow(10, r.nextDouble() * 6) * 100);

const pad4 = (n: number): string => (n < 10 ? "000" : n < 100 ? "00" : n < 1000 ? "0" : "") + n;

// ---- Columns ----

/** One chunk of events as columns: `kind` (0 person, 1 auction, 2 bid) orders them, each kind's columns hold its fields in that order. */
export interface EventColumns {
  readonly length: number;
  readonly kind: Uint8Array;
  readonly person: {
    readonly length: number;
    readonly id: Float64Array;
    readonly name: string[];
    readonly emailAddress: string[];
    readonly creditCard: string[];
    readonly city: string[];
    readonly state: string[];
    readonly dateTime: Float64Array;
    readonly extra: string[];
  };
  readonly auction: {
    readonly length: number;
    readonly id: Float64Array;
    readonly itemName: string[];
    readonly description: string[];
    readonly initialBid: Float64Array;
    readonly reserve: Float64Array;
    readonly dateTime: Float64Array;
    readonly expires: Float64Array;
    readonly seller: Float64Array;
    readonly category: Float64Array;
    readonly extra: string[];
  };
  readonly bid: {
    readonly length: number;
    readonly auction: Float64Array;
    readonly bidder: Float64Array;
    readonly price: Float64Array;
    readonly dateTime: Float64Array;
    readonly extra: string[];
  };
}

/** The 48-bit value `seed` mixes into every event's Random (0 for seed 0: Beam's own streams). */
function seedMix(seed: number): [number, number] {
  if (seed === 0) return [0, 0];
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.floor(seed / 2 ** 32);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  const g = Math.imul(h ^ (h >>> 16), 0x27d4eb2f);
  return [(h >>> 8) & 0xffffff, (g >>> 8) & 0xffffff];
}

/**
 * Generates events `from` .. `from + length - 1` of a split (counted from 0 within the split)
 * into columns. Pure: the same arguments give the same columns.
 */
export function generateColumns(p: NexmarkParams, split: number, from: number, length: number): EventColumns {
  const { firstEventId } = timelineOf(p, split);
  const delay = delayUs(p);
  const [mixHi, mixLo] = seedMix(p.seed);
  const r = new JavaRandom();
  const kind = new Uint8Array(length);
  const f64 = () => new Float64Array(length);
  const person = {
    length: 0,
    id: f64(),
    name: [] as string[],
    emailAddress: [] as string[],
    creditCard: [] as string[],
    city: [] as string[],
    state: [] as string[],
    dateTime: f64(),
    extra: [] as string[],
  };
  const auction = {
    length: 0,
    id: f64(),
    itemName: [] as string[],
    description: [] as string[],
    initialBid: f64(),
    reserve: f64(),
    dateTime: f64(),
    expires: f64(),
    seller: f64(),
    category: f64(),
    extra: [] as string[],
  };
  const bid = { length: 0, auction: f64(), bidder: f64(), price: f64(), dateTime: f64(), extra: [] as string[] };
  const ahead = Math.floor((p.numInFlightAuctions * PROPORTION_DENOMINATOR) / AUCTION_PROPORTION);
  for (let i = 0; i < length; i++) {
    const n = adjusted(p, from + i);
    const eventId = firstEventId + n;
    const t = timestampOf(p, delay, n);
    r.setSeed(eventId, mixHi, mixLo);
    const rem = eventId % PROPORTION_DENOMINATOR;
    if (rem < PERSON_PROPORTION) {
      kind[i] = 0;
      const j = person.length++;
      const name = `${FIRST_NAMES[r.nextInt(FIRST_NAMES.length)]} ${LAST_NAMES[r.nextInt(LAST_NAMES.length)]}`;
      const email = `${nextString(r, 7)}@${nextString(r, 5)}.com`;
      const card = `${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))} ${pad4(r.nextInt(10000))}`;
      const city = US_CITIES[r.nextInt(US_CITIES.length)]!;
      const state = US_STATES[r.nextInt(US_STATES.length)]!;
      person.id[j] = lastBase0PersonId(eventId) + FIRST_PERSON_ID;
      person.name.push(name);
      person.emailAddress.push(email);
      person.creditCard.push(card);
      person.city.push(city);
      person.state.push(state);
      person.dateTime[j] = t;
      const size = 8 + name.length + email.length + card.length + city.length + state.length;
      person.extra.push(nextExtra(r, size, p.avgPersonByteSize));
    } else if (rem < PERSON_PROPORTION + AUCTION_PROPORTION) {
      kind[i] = 1;
      const j = auction.length++;
      let seller: number;
      if (r.nextInt(p.hotSellersRatio) > 0) seller = Math.trunc(lastBase0PersonId(eventId) / HOT_SELLER_RATIO) * HOT_SELLER_RATIO;
      else seller = nextBase0PersonId(p, r, eventId);
      const category = FIRST_CATEGORY_ID + r.nextInt(NUM_CATEGORIES);
      const initialBid = nextPrice(r);
      const horizon = timestampOf(p, delay, n + ahead) - t;
      const expires = t + 1 + nextBelow(r, Math.max(2 * horizon, 1));
      const itemName = nextString(r, 20);
      const description = nextString(r, 100);
      const reserve = initialBid + nextPrice(r);
      auction.id[j] = lastBase0AuctionId(eventId) + FIRST_AUCTION_ID;
      auction.itemName.push(itemName);
      auction.description.push(description);
      auction.initialBid[j] = initialBid;
      auction.reserve[j] = reserve;
      auction.dateTime[j] = t;
      auction.expires[j] = expires;
      auction.seller[j] = seller + FIRST_PERSON_ID;
      auction.category[j] = category;
      auction.extra.push(nextExtra(r, 8 + itemName.length + description.length + 40, p.avgAuctionByteSize));
    } else {
      kind[i] = 2;
      const j = bid.length++;
      let a: number;
      if (r.nextInt(p.hotAuctionRatio) > 0) a = Math.trunc(lastBase0AuctionId(eventId) / HOT_AUCTION_RATIO) * HOT_AUCTION_RATIO;
      else a = nextBase0AuctionId(p, r, eventId);
      let bidder: number;
      if (r.nextInt(p.hotBiddersRatio) > 0)
        bidder = Math.trunc(lastBase0PersonId(eventId) / HOT_BIDDER_RATIO) * HOT_BIDDER_RATIO + 1;
      else bidder = nextBase0PersonId(p, r, eventId);
      bid.auction[j] = a + FIRST_AUCTION_ID;
      bid.bidder[j] = bidder + FIRST_PERSON_ID;
      bid.price[j] = nextPrice(r);
      bid.dateTime[j] = t;
      bid.extra.push(nextExtra(r, 32, p.avgBidByteSize));
    }
  }
  return { length, kind, person, auction, bid };
}

/** The events of a chunk of columns as records, in order, and their event times. */
export function columnsToEvents(c: EventColumns): { values: NexmarkEvent[]; timestamps: Instant[] } {
  const values = new Array<NexmarkEvent>(c.length);
  const timestamps = new Array<Instant>(c.length);
  const { person: ps, auction: as, bid: bs } = c;
  let pi = 0;
  let ai = 0;
  let bi = 0;
  for (let i = 0; i < c.length; i++) {
    const k = c.kind[i];
    if (k === 2) {
      const dateTime = bs.dateTime[bi]!;
      values[i] = {
        kind: "bid",
        auction: bs.auction[bi]!,
        bidder: bs.bidder[bi]!,
        price: bs.price[bi]!,
        dateTime,
        extra: bs.extra[bi]!,
      };
      timestamps[i] = dateTime;
      bi++;
    } else if (k === 1) {
      const dateTime = as.dateTime[ai]!;
      values[i] = {
        kind: "auction",
        id: as.id[ai]!,
        itemName: as.itemName[ai]!,
        description: as.description[ai]!,
        initialBid: as.initialBid[ai]!,
        reserve: as.reserve[ai]!,
        dateTime,
        expires: as.expires[ai]!,
        seller: as.seller[ai]!,
        category: as.category[ai]!,
        extra: as.extra[ai]!,
      };
      timestamps[i] = dateTime;
      ai++;
    } else {
      const dateTime = ps.dateTime[pi]!;
      values[i] = {
        kind: "person",
        id: ps.id[pi]!,
        name: ps.name[pi]!,
        emailAddress: ps.emailAddress[pi]!,
        creditCard: ps.creditCard[pi]!,
        city: ps.city[pi]!,
        state: ps.state[pi]!,
        dateTime,
        extra: ps.extra[pi]!,
      };
      timestamps[i] = dateTime;
      pi++;
    }
  }
  return { values, timestamps };
}
