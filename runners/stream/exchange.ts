import { type MessagePort } from "node:worker_threads";
import { type Bundle } from "../core/exec/bundle.js";
import { concatBundles, decodeBundle, encodeBundle } from "../core/exec/bundle-codec.js";
import { type ChannelMessage, type Signal } from "./signals.js";

/** On the wire between two workers: a data buffer, a signal, or credits given back. */
type Wire =
  | { readonly t: "d"; readonly e: number; readonly b: ArrayBuffer }
  | { readonly t: "s"; readonly e: number; readonly s: Signal }
  | { readonly t: "c"; readonly n: number };

export interface ExchangeOptions {
  /** Data buffers one worker may have in flight to another before it waits for credits. */
  readonly credits: number;
  /** Elements per buffer: a buffer is sent when it has this many. */
  readonly flushRows: number;
  /** A buffer with fewer elements is sent after this long. */
  readonly bufferTimeoutMs: number;
}

/** Elements waiting to be sent on one edge to one worker. */
interface Pending {
  parts: Bundle[];
  rows: number;
}

/** What one worker sends to another: buffers per edge, and the queue of wire messages held for credits. */
class Peer {
  credits: number;
  readonly pending = new Map<number, Pending>();
  readonly queue: Wire[] = [];

  constructor(
    readonly port: MessagePort,
    credits: number,
  ) {
    this.credits = credits;
  }
}

/**
 * The exchange of one worker: bounded, credit-based channels to every other worker over
 * MessagePorts. Elements bound for a worker collect per edge and go as one columnar buffer
 * (bundle-codec.ts; the ArrayBuffer is transferred, never structured-cloned) when
 * `flushRows` are waiting or after `bufferTimeoutMs`. Each data buffer takes a credit; the
 * receiver gives it back once its worker has processed the buffer, so at most `credits`
 * buffers are in flight per pair. Sending never blocks: what has no credit waits in the
 * queue, and the worker's sources pause while anything waits (`backlogged`), which is how a
 * slow step slows the sources feeding it without two workers ever waiting on each other.
 * Signals keep their place behind the data of their edge and need no credit.
 */
export class Exchange {
  private readonly peers: (Peer | null)[];
  private timer: NodeJS.Timeout | null = null;
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly worker: number,
    ports: readonly (MessagePort | null)[],
    private readonly options: ExchangeOptions,
    /** Delivers what came from another worker (the caller serialises it with the rest of the worker's work). */
    private readonly deliver: (edge: number, from: number, message: ChannelMessage, done: () => void) => void,
  ) {
    this.peers = ports.map((port, from) => {
      if (!port) return null;
      const peer = new Peer(port, options.credits);
      port.on("message", (w: Wire) => this.onWire(from, peer, w));
      return peer;
    });
  }

  /** Whether data waits for credits: the worker's sources should pause. */
  get backlogged(): boolean {
    return this.peers.some((p) => p !== null && p.queue.some((w) => w.t === "d"));
  }

  /** Resolves once nothing waits for credits. */
  drained(): Promise<void> {
    if (!this.backlogged) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  send(to: number, edge: number, bundle: Bundle): void {
    const peer = this.peer(to);
    let p = peer.pending.get(edge);
    if (!p) peer.pending.set(edge, (p = { parts: [], rows: 0 }));
    p.parts.push(bundle);
    p.rows += bundle.values.length;
    if (p.rows >= this.options.flushRows) this.flushEdge(peer, edge);
    else this.timer ??= setTimeout(() => this.flushAll(), this.options.bufferTimeoutMs);
  }

  signal(to: number, edge: number, signal: Signal): void {
    const peer = this.peer(to);
    this.flushEdge(peer, edge);
    peer.queue.push({ t: "s", e: edge, s: signal });
    this.pump(peer);
  }

  /** Sends every buffer now (the buffer timeout, or the end of a source's chunk). */
  flushAll(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const peer of this.peers) if (peer) for (const edge of [...peer.pending.keys()]) this.flushEdge(peer, edge);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const peer of this.peers) peer?.port.close();
    for (const w of this.waiters.splice(0)) w();
  }

  private peer(to: number): Peer {
    const peer = this.peers[to];
    if (!peer) throw new Error(`internal: worker ${this.worker} has no channel to worker ${to}`);
    return peer;
  }

  private flushEdge(peer: Peer, edge: number): void {
    const p = peer.pending.get(edge);
    if (!p) return;
    peer.pending.delete(edge);
    const bytes = encodeBundle(p.parts.length === 1 ? p.parts[0]! : concatBundles(p.parts));
    peer.queue.push({ t: "d", e: edge, b: bytes.buffer });
    this.pump(peer);
  }

  private pump(peer: Peer): void {
    if (this.closed) return;
    while (peer.queue.length > 0) {
      const w = peer.queue[0]!;
      if (w.t === "d") {
        if (peer.credits === 0) return;
        peer.credits--;
        peer.port.postMessage(w, [w.b]);
      } else peer.port.postMessage(w);
      peer.queue.shift();
    }
    if (!this.backlogged) for (const w of this.waiters.splice(0)) w();
  }

  private onWire(from: number, peer: Peer, w: Wire): void {
    switch (w.t) {
      case "c":
        peer.credits += w.n;
        this.pump(peer);
        return;
      case "d":
        this.deliver(w.e, from, { kind: "data", bundle: decodeBundle(new Uint8Array(w.b)) }, () => {
          if (!this.closed) peer.port.postMessage({ t: "c", n: 1 } satisfies Wire);
        });
        return;
      case "s":
        this.deliver(w.e, from, w.s, () => {});
    }
  }
}
