import { type Timer, type TimerSpec } from "../../../sdk/dofn.js";
import { type TimerSpecNode } from "../../../sdk/graph.js";
import { Instant } from "../../../sdk/time.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { BinaryHeap } from "./heap.js";
import { GLOBAL_NAMESPACE, type KeyGroupRange, inKeyGroupRange, readEncodedKey, writeEncodedKey } from "./keys.js";

export type TimeDomain = TimerSpecNode["domain"];

/** A timer's identity: setting a timer with the same identity moves it. */
export interface TimerAddress {
  readonly step: string;
  readonly keyGroup: number;
  /** The encoded key (encodeKey); decodeKey gives the key back for the timer callback. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
}

export interface FiredTimer extends TimerAddress {
  readonly domain: TimeDomain;
  /** When the timer was set to fire. */
  readonly time: Instant;
}

interface Entry extends FiredTimer {
  readonly id: string;
  /** Set order, the tie-break between timers of equal time; kept by snapshots. */
  readonly seq: number;
  live: boolean;
}

const MAGIC = 0x54; // "T"
const VERSION = 1;
const DOMAINS: readonly TimeDomain[] = ["eventTime", "processingTime"];
/** Dead heap entries tolerated before compaction (and then only while they are at least half). */
const COMPACT_AFTER = 64;

const idOf = (a: TimerAddress): string =>
  `${a.step.length}:${a.step}${a.key.length}:${a.key}${a.namespace.length}:${a.namespace}${a.name}`;

/**
 * The id as one flat string. A template literal gives a tree of string pieces (a "cons"
 * string, a node per piece) which V8 keeps as it is; reading a character flattens it, and a
 * pending timer's id then takes about a third of the memory (Nexmark Q12 holds one per bidder).
 */
function flatIdOf(a: TimerAddress): string {
  const id = idOf(a);
  id.charCodeAt(0);
  return id;
}
/** Firing order: time, then set order; the id only separates timers set on different workers before a rescale. */
const earlier = (a: Entry, b: Entry): boolean =>
  a.time !== b.time ? a.time < b.time : a.seq !== b.seq ? a.seq < b.seq : a.id < b.id;

/**
 * Event-time and processing-time timers of every stateful step on one worker, with Beam's
 * semantics (InMemoryTimerInternals, and the direct runner's WatermarkManager):
 *
 * - A timer fires once its domain's time has passed it: an event-time timer at `t` fires when
 *   the input watermark is strictly greater than `t` (so a timer at a window's maxTimestamp,
 *   end - 1, fires when the watermark reaches the window's end); a processing-time timer at `t`
 *   fires when processing time is strictly greater than `t`. A timer at Instant.MAX could never
 *   fire and is refused.
 * - Setting a timer with the identity of a pending one replaces it (the same time again is a
 *   no-op); setting it in the other domain is an error. Firing or deleting removes it.
 * - Timers fire in time order, ties in the order they were set.
 * - Neither clock moves backwards; a timer set at or before its domain's current time fires on
 *   the next advance or poll.
 *
 * Pending timers sit in one binary heap per domain with lazy deletion (a replaced or deleted
 * timer's entry is skipped when it surfaces, and the heap is compacted when mostly dead), and
 * by key group for snapshots, which hold each key group apart like KeyedStateBackend's.
 */
export class TimerService {
  private readonly byGroup = new Map<number, Map<string, Entry>>();
  private readonly heaps: Record<TimeDomain, BinaryHeap<Entry>> = {
    eventTime: new BinaryHeap(earlier),
    processingTime: new BinaryHeap(earlier),
  };
  private readonly dead: Record<TimeDomain, number> = { eventTime: 0, processingTime: 0 };
  private readonly now: Record<TimeDomain, Instant> = { eventTime: Instant.MIN, processingTime: Instant.MIN };
  private nextSeq = 0;
  private count = 0;

  get currentWatermark(): Instant {
    return this.now.eventTime;
  }

  get currentProcessingTime(): Instant {
    return this.now.processingTime;
  }

  /** Number of pending timers. */
  get size(): number {
    return this.count;
  }

  setTimer(address: TimerAddress, time: Instant, domain: TimeDomain): void {
    if (!Number.isInteger(time) || time < Instant.MIN || time >= Instant.MAX)
      throw new RangeError(
        `timer "${address.name}" of step "${address.step}": ${time} is not an instant before Instant.MAX ` +
          `(a timer fires once time passes it, and nothing passes Instant.MAX)`,
      );
    const id = flatIdOf(address);
    let group = this.byGroup.get(address.keyGroup);
    const old = group?.get(id);
    if (old) {
      if (old.domain !== domain)
        throw new Error(`timer "${address.name}" of step "${address.step}" is set in ${old.domain}, not ${domain}`);
      if (old.time === time) return;
      this.kill(old);
    } else this.count++;
    const { step, keyGroup, key, namespace, name } = address;
    const entry: Entry = { step, keyGroup, key, namespace, name, domain, time, id, seq: this.nextSeq++, live: true };
    if (!group) this.byGroup.set(keyGroup, (group = new Map()));
    group.set(id, entry);
    this.heaps[domain].push(entry);
  }

  /** Deletes a pending timer; false if there was none. */
  deleteTimer(address: TimerAddress): boolean {
    const entry = this.byGroup.get(address.keyGroup)?.get(idOf(address));
    if (!entry) return false;
    this.remove(entry);
    this.kill(entry);
    return true;
  }

  /** The pending timer at an address, if any. */
  getTimer(address: TimerAddress): { readonly time: Instant; readonly domain: TimeDomain } | undefined {
    const entry = this.byGroup.get(address.keyGroup)?.get(idOf(address));
    return entry && { time: entry.time, domain: entry.domain };
  }

  /** The DoFn's `ctx.timers` for one key and namespace. */
  timers<S extends Readonly<Record<string, TimerSpec>>>(
    step: string,
    specs: S,
    encodedKey: string,
    keyGroup: number,
    namespace: string = GLOBAL_NAMESPACE,
  ): { readonly [K in keyof S]: Timer } {
    const out: Record<string, Timer> = {};
    for (const [name, spec] of Object.entries(specs)) {
      const address: TimerAddress = { step, keyGroup, key: encodedKey, namespace, name };
      out[name] = {
        set: (at) => this.setTimer(address, at, spec.domain),
        clear: () => void this.deleteTimer(address),
      };
    }
    return out as { readonly [K in keyof S]: Timer };
  }

  /** Moves the input watermark without firing; poll with pollEventTimer. */
  setWatermark(to: Instant): void {
    this.advance("eventTime", to);
  }

  setProcessingTime(now: Instant): void {
    this.advance("processingTime", now);
  }

  /**
   * Removes and returns the earliest event-time timer the watermark has passed. Operators whose
   * callbacks set timers poll one at a time, so that a newly due timer fires in order.
   */
  pollEventTimer(): FiredTimer | undefined {
    return this.poll("eventTime");
  }

  pollProcessingTimer(): FiredTimer | undefined {
    return this.poll("processingTime");
  }

  /** Moves the watermark and removes every event-time timer it has passed (time < to), in order. */
  advanceWatermark(to: Instant): FiredTimer[] {
    this.setWatermark(to);
    return this.drain("eventTime");
  }

  /** Moves processing time and removes every processing-time timer it has passed (time < now), in order. */
  advanceProcessingTime(now: Instant): FiredTimer[] {
    this.setProcessingTime(now);
    return this.drain("processingTime");
  }

  /** The earliest pending event-time timer's time, to know when the watermark matters. */
  nextEventTime(): Instant | undefined {
    return this.top("eventTime")?.time;
  }

  /** The earliest pending processing-time timer's time, to schedule a wake-up after it. */
  nextProcessingTime(): Instant | undefined {
    return this.top("processingTime")?.time;
  }

  /** Every pending timer of a domain in firing order (for inspection and tests). */
  pending(domain: TimeDomain): FiredTimer[] {
    const out: Entry[] = [];
    for (const group of this.byGroup.values()) for (const e of group.values()) if (e.domain === domain) out.push(e);
    return out.sort((a, b) => (earlier(a, b) ? -1 : 1)).map(fired);
  }

  /** The key groups that hold timers, ascending. */
  keyGroups(): number[] {
    return [...this.byGroup.keys()].sort((a, b) => a - b);
  }

  /**
   * The timers of the given key groups (default: all), each key group written apart, plus both
   * clocks and the set-order counter.
   */
  snapshot(keyGroups?: Iterable<number>): Uint8Array {
    const wanted = keyGroups ? [...new Set(keyGroups)].filter((g) => this.byGroup.has(g)) : [...this.byGroup.keys()];
    wanted.sort((a, b) => a - b);
    const w = new BinaryWriter().u8(MAGIC).u8(VERSION);
    w.varint(this.now.eventTime).varint(this.now.processingTime).uvarint(this.nextSeq).uvarint(wanted.length);
    for (const g of wanted) w.uvarint(g).bytes(writeGroup(this.byGroup.get(g) ?? new Map()));
    return w.finish();
  }

  /**
   * A service with the timers of the key groups in `owned` from any number of snapshots. Each
   * clock restarts at the earliest of the snapshots' (never past a timer another worker had
   * not yet fired); the set order carries on after the latest.
   */
  static restore(snapshots: Iterable<Uint8Array>, owned: KeyGroupRange): TimerService {
    const service = new TimerService();
    const seen = new Set<number>();
    let first = true;
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      const magic = r.u8();
      const version = r.u8();
      if (magic !== MAGIC) throw new Error("not a timer snapshot");
      if (version !== VERSION)
        throw new Error(`timer snapshot version ${version} is not supported (this build reads ${VERSION})`);
      const [watermark, processingTime] = [r.varint(), r.varint()];
      service.now.eventTime = first ? watermark : Math.min(service.now.eventTime, watermark);
      service.now.processingTime = first ? processingTime : Math.min(service.now.processingTime, processingTime);
      service.nextSeq = Math.max(service.nextSeq, r.uvarint());
      first = false;
      for (let n = r.uvarint(); n > 0; n--) {
        const g = r.uvarint();
        const section = r.bytes();
        if (!inKeyGroupRange(owned, g)) continue;
        if (seen.has(g)) throw new Error(`timer snapshot: key group ${g} appears in more than one snapshot`);
        seen.add(g);
        service.readGroup(new BinaryReader(section), g);
      }
      if (!r.done) throw new Error("timer snapshot: trailing bytes");
    }
    return service;
  }

  private readGroup(r: BinaryReader, keyGroup: number): void {
    const group = new Map<string, Entry>();
    for (let n = r.uvarint(); n > 0; n--) {
      const [step, key, namespace, name] = [r.string(), readEncodedKey(r), r.string(), r.string()];
      const code = r.u8();
      const domain = DOMAINS[code];
      if (!domain) throw new Error(`timer snapshot: unknown time domain ${code}`);
      const time = r.varint();
      const seq = r.uvarint();
      const address = { step, keyGroup, key, namespace, name };
      const entry: Entry = { ...address, domain, time, seq, id: flatIdOf(address), live: true };
      group.set(entry.id, entry);
      this.heaps[domain].push(entry);
      this.count++;
    }
    if (!r.done) throw new Error(`timer snapshot: trailing bytes in key group ${keyGroup}`);
    if (group.size > 0) this.byGroup.set(keyGroup, group);
  }

  private advance(domain: TimeDomain, to: Instant): void {
    if (Number.isNaN(to) || to < this.now[domain])
      throw new RangeError(
        `${domain === "eventTime" ? "the watermark" : "processing time"} cannot move back from ${this.now[domain]} to ${to}`,
      );
    this.now[domain] = to;
  }

  private drain(domain: TimeDomain): FiredTimer[] {
    const fired: FiredTimer[] = [];
    for (let t = this.poll(domain); t; t = this.poll(domain)) fired.push(t);
    return fired;
  }

  private poll(domain: TimeDomain): FiredTimer | undefined {
    const entry = this.top(domain);
    if (!entry || !(entry.time < this.now[domain])) return undefined;
    this.heaps[domain].pop();
    this.remove(entry);
    entry.live = false;
    return fired(entry);
  }

  /** The earliest live entry, discarding dead ones on the way. */
  private top(domain: TimeDomain): Entry | undefined {
    const heap = this.heaps[domain];
    for (let e = heap.peek(); e; e = heap.peek()) {
      if (e.live) return e;
      heap.pop();
      this.dead[domain]--;
    }
    return undefined;
  }

  /** Takes an entry out of the index by key group (the heap entry dies lazily). */
  private remove(entry: Entry): void {
    const group = this.byGroup.get(entry.keyGroup);
    if (group?.get(entry.id) !== entry) return;
    group.delete(entry.id);
    if (group.size === 0) this.byGroup.delete(entry.keyGroup);
    this.count--;
  }

  /** Marks a heap entry dead, compacting the heap once dead entries are at least half of it. */
  private kill(entry: Entry): void {
    entry.live = false;
    const heap = this.heaps[entry.domain];
    if (++this.dead[entry.domain] > COMPACT_AFTER && this.dead[entry.domain] * 2 >= heap.size) {
      heap.retain((e) => e.live);
      this.dead[entry.domain] = 0;
    }
  }
}

const fired = ({ step, keyGroup, key, namespace, name, domain, time }: Entry): FiredTimer => ({
  step,
  keyGroup,
  key,
  namespace,
  name,
  domain,
  time,
});

function writeGroup(group: ReadonlyMap<string, Entry>): Uint8Array {
  const w = new BinaryWriter().uvarint(group.size);
  for (const e of group.values()) {
    w.string(e.step);
    writeEncodedKey(w, e.key);
    w.string(e.namespace).string(e.name).u8(DOMAINS.indexOf(e.domain)).varint(e.time).uvarint(e.seq);
  }
  return w.finish();
}
