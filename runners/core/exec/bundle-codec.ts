import { deserialize, serialize } from "node:v8";
import { GLOBAL_WINDOW, NO_FIRING, type PaneInfo, type PaneTiming, type Window, kv } from "../../../sdk/index.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { type Bundle, type Meta, SOURCE_META, isUniform } from "./bundle.js";

/*
 * The wire form of a bundle crossing a worker exchange: ONE ArrayBuffer, transferred by
 * postMessage, so arrays of objects are never structured-cloned on the hot path.
 *
 *   [version u8][header length u32 LE][header][pad to 8][column][pad][column][pad]...
 *
 * The header (codec.ts varints) holds the element count, the metas (one shared meta, or a
 * dictionary of distinct metas and an index column: see "metas" below), the value layout and
 * every column's byte length. Columns start 8-aligned so typed arrays view them in place; they are in the
 * platform's byte order, which is safe because a frame never leaves the process.
 *
 * Value layouts, chosen by looking at the values:
 *   scalar  all strings, all numbers, all booleans or all null: one column of that kind
 *   kv      all plain `{key, value}` objects (as `kv()` makes them) whose keys and values
 *           are each a scalar column: a key column and a value column
 *   v8      anything else (mixed, objects, bigint, Date, Map, undefined, lone surrogates):
 *           the fallback, `v8.serialize` of the whole values array
 */

const VERSION = 1;
const PREFIX = 5;
const align8 = (n: number): number => (n + 7) & ~7;

/** What a frame can hold, beside its header, per column. */
type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array;

class FrameWriter {
  readonly header = new BinaryWriter();
  private readonly columns: Uint8Array[] = [];

  column(c: Column): void {
    this.header.uvarint(c.byteLength);
    this.columns.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
  }

  /** Copies everything into one buffer that the returned array owns exactly, so it can be transferred. */
  finish(): Uint8Array<ArrayBuffer> {
    const header = this.header.finish();
    let size = align8(PREFIX + header.length);
    for (const c of this.columns) size += align8(c.length);
    const out = new Uint8Array(size);
    out[0] = VERSION;
    new DataView(out.buffer).setUint32(1, header.length, true);
    out.set(header, PREFIX);
    let pos = align8(PREFIX + header.length);
    for (const c of this.columns) {
      out.set(c, pos);
      pos += align8(c.length);
    }
    return out;
  }
}

interface TypedArrayClass<T> {
  readonly BYTES_PER_ELEMENT: number;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
}

class FrameReader {
  readonly header: BinaryReader;
  private pos: number;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < PREFIX) throw new Error(`truncated: ${bytes.length} bytes, shorter than the ${PREFIX}-byte prefix`);
    if (bytes[0] !== VERSION) throw new Error(`unsupported bundle codec version ${bytes[0]} (this build reads ${VERSION})`);
    const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(1, true);
    if (PREFIX + length > bytes.length) throw new Error(`truncated: header of ${length} bytes, have ${bytes.length - PREFIX}`);
    this.header = new BinaryReader(bytes.subarray(PREFIX, PREFIX + length));
    this.pos = align8(PREFIX + length);
  }

  /** The next column's bytes, viewed in place. */
  column(): Uint8Array {
    const length = this.header.uvarint();
    if (this.pos + length > this.bytes.length)
      throw new Error(`truncated: column of ${length} bytes at offset ${this.pos}, have ${this.bytes.length - this.pos}`);
    const c = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += align8(length);
    return c;
  }

  /** The next column as n typed elements, copied first if the buffer did not arrive aligned. */
  typed<T>(type: TypedArrayClass<T>, n: number): T {
    const c = this.column();
    if (c.length !== n * type.BYTES_PER_ELEMENT) throw new Error(`column of ${c.length} bytes cannot hold ${n} elements`);
    const aligned = c.byteOffset % type.BYTES_PER_ELEMENT === 0 && c.buffer instanceof ArrayBuffer ? c : c.slice();
    return new type(aligned.buffer as ArrayBuffer, aligned.byteOffset, n);
  }

  /** Checks that the header and the columns were read to the end. */
  end(): void {
    if (!this.header.done) throw new Error("header has trailing bytes");
    if (this.pos !== this.bytes.length) throw new Error(`frame ends at ${this.pos}, buffer has ${this.bytes.length} bytes`);
  }
}

export function encodeBundle(bundle: Bundle): Uint8Array<ArrayBuffer> {
  const f = new FrameWriter();
  f.header.uvarint(bundle.values.length);
  writeMetas(f, bundle.metas, bundle.values.length);
  writeValues(f, bundle.values);
  return f.finish();
}

export function decodeBundle(bytes: Uint8Array): Bundle {
  return decoding(bytes, (f, n) => {
    const metas = readMetas(f, n);
    const values = readValues(f, n);
    f.end();
    return { values, metas };
  });
}

/** How a frame lays out its values: "string", "kv<string,number>", "v8"... (for tests and diagnostics). */
export function valueLayoutOf(bytes: Uint8Array): string {
  return decoding(bytes, (f, n) => {
    readMetas(f, n);
    const l = readLayout(f.header);
    return l.layout === "scalar" ? l.kind : l.layout === "kv" ? `kv<${l.key},${l.value}>` : "v8";
  });
}

/** Runs a reader over a frame, naming the bundle in whatever it throws. */
function decoding<T>(bytes: Uint8Array, read: (f: FrameReader, n: number) => T): T {
  try {
    const f = new FrameReader(bytes);
    return read(f, f.header.uvarint());
  } catch (e) {
    throw new Error(`cannot decode bundle (${bytes.length} bytes): ${(e as Error).message}`, { cause: e });
  }
}

/** One bundle from many small ones; the metadata stays shared if every non-empty part has the same meta. */
export function concatBundles(bundles: readonly Bundle[]): Bundle {
  if (bundles.length === 1) return bundles[0]!;
  const values: unknown[] = [];
  for (const b of bundles) for (const v of b.values) values.push(v);
  const parts = bundles.filter((b) => b.values.length > 0);
  const first = parts[0];
  if (!first) return { values, metas: bundles[0]?.metas ?? SOURCE_META };
  const shared = isUniform(first.metas) ? first.metas : (first.metas[0] as Meta);
  const same = (m: Meta): boolean => metaEquals(m, shared);
  if (parts.every((b) => (isUniform(b.metas) ? same(b.metas) : b.metas.every(same)))) return { values, metas: shared };
  const metas: Meta[] = [];
  for (const b of parts) {
    if (isUniform(b.metas)) for (let i = 0; i < b.values.length; i++) metas.push(b.metas);
    else for (const m of b.metas) metas.push(m);
  }
  return { values, metas };
}

// ---- metas -------------------------------------------------------------------------------
//
// Per-element metas go as a dictionary of distinct metas and an index column. The dictionary
// is itself columnar: a timestamp column and a column pointing into a small table of shapes
// (windows, pane, retraction), because in a stream every element tends to have its own
// timestamp while a whole bundle shares a handful of windows and panes.

const UNIFORM = 0;
const PER_ELEMENT = 1;
const TIMINGS: readonly PaneTiming[] = ["EARLY", "ON_TIME", "LATE", "UNKNOWN"];

/** A meta without its timestamp. */
type Shape = Omit<Meta, "timestamp">;

function writeMetas(f: FrameWriter, metas: Meta | readonly Meta[], n: number): void {
  if (isUniform(metas)) {
    writeShape(f.header.u8(UNIFORM).f64(metas.timestamp), metas);
    return;
  }
  if (metas.length !== n) throw new Error(`bundle has ${n} values but ${metas.length} metas`);
  const dictionary = new MetaDictionary();
  const index = new Uint32Array(n);
  for (let i = 0; i < n; i++) index[i] = dictionary.indexOf(metas[i]!);
  f.header.u8(PER_ELEMENT).uvarint(dictionary.shapes.length);
  for (const s of dictionary.shapes) writeShape(f.header, s);
  f.header.uvarint(dictionary.timestamps.length);
  f.column(new Float64Array(dictionary.timestamps));
  f.column(indexColumn(dictionary.shapeOf, dictionary.shapes.length));
  f.column(indexColumn(index, dictionary.timestamps.length));
}

function readMetas(f: FrameReader, n: number): Meta | Meta[] {
  const kind = f.header.u8();
  if (kind === UNIFORM) return withTimestamp(f.header.f64(), readShape(f.header));
  if (kind !== PER_ELEMENT) throw new Error(`unknown metas kind ${kind}`);
  const shapes = Array.from({ length: f.header.uvarint() }, () => readShape(f.header));
  const timestamps = f.typed(Float64Array, f.header.uvarint());
  const dictionary = lookup(f, timestamps.length, shapes).map((s, i) => withTimestamp(timestamps[i]!, s));
  return lookup(f, n, dictionary);
}

/** Indexes into a table of `size` entries, two bytes each while they fit. */
const indexColumn = (xs: ArrayLike<number>, size: number): Uint16Array | Uint32Array =>
  size <= 0x10000 ? new Uint16Array(xs) : new Uint32Array(xs);

/** The next index column, as the table entries it points at. */
function lookup<T>(f: FrameReader, n: number, table: readonly T[]): T[] {
  const index = table.length <= 0x10000 ? f.typed(Uint16Array, n) : f.typed(Uint32Array, n);
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) {
    const x = table[index[i]!];
    if (x === undefined) throw new Error(`index ${index[i]} past a table of ${table.length}`);
    out[i] = x;
  }
  return out;
}

/** Distinct metas of a bundle: the previous one by identity (runs are the common case), the rest by value. */
class MetaDictionary {
  readonly shapes: Shape[] = [];
  readonly timestamps: number[] = [];
  /** The shape of each entry. */
  readonly shapeOf: number[] = [];
  private readonly shapesByKey = new Map<string, number>();
  /** Per shape, its entries by timestamp ("-0" apart, as a Map takes -0 for 0). */
  private readonly entries: Map<number | string, number>[] = [];
  private last: Meta | null = null;
  private lastEntry = 0;
  private lastShape = -1;

  indexOf(m: Meta): number {
    if (m === this.last) return this.lastEntry;
    const previous = this.shapes[this.lastShape];
    const shape = previous && shapeEquals(m, previous) ? this.lastShape : this.shapeIndex(m);
    const byTime = this.entries[shape]!;
    const t = Object.is(m.timestamp, -0) ? "-0" : m.timestamp;
    let entry = byTime.get(t);
    if (entry === undefined) {
      entry = this.timestamps.push(m.timestamp) - 1;
      this.shapeOf.push(shape);
      byTime.set(t, entry);
    }
    this.last = m;
    this.lastEntry = entry;
    this.lastShape = shape;
    return entry;
  }

  private shapeIndex(m: Meta): number {
    const key = shapeKey(m);
    let shape = this.shapesByKey.get(key);
    if (shape === undefined) {
      shape = this.shapes.push(m) - 1;
      this.shapesByKey.set(key, shape);
      this.entries.push(new Map());
    }
    return shape;
  }
}

// String(-0) is "0": keep -0 apart so a value-equal shape really round-trips to itself.
const numKey = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));
const shapeKey = ({ pane: p, windows, retraction }: Shape): string =>
  `${retraction}|${p.index}|${p.nonSpeculativeIndex}|${p.timing}|${p.isFirst}|${p.isLast}|` +
  windows.map((w) => `${numKey(w.start)},${numKey(w.end)}`).join(";");

const windowEquals = (a: Window, b: Window): boolean => Object.is(a.start, b.start) && Object.is(a.end, b.end);
const paneEquals = (a: PaneInfo, b: PaneInfo): boolean =>
  a === b ||
  (a.index === b.index &&
    a.nonSpeculativeIndex === b.nonSpeculativeIndex &&
    a.timing === b.timing &&
    a.isFirst === b.isFirst &&
    a.isLast === b.isLast);
const shapeEquals = (a: Shape, b: Shape): boolean =>
  a.retraction === b.retraction &&
  paneEquals(a.pane, b.pane) &&
  (a.windows === b.windows ||
    (a.windows.length === b.windows.length && a.windows.every((w, i) => windowEquals(w, b.windows[i]!))));
const metaEquals = (a: Meta, b: Meta): boolean => a === b || (Object.is(a.timestamp, b.timestamp) && shapeEquals(a, b));

function writeShape(w: BinaryWriter, s: Shape): void {
  const timing = TIMINGS.indexOf(s.pane.timing);
  if (timing < 0) throw new Error(`unknown pane timing ${String(s.pane.timing)}`);
  w.u8((s.retraction ? 1 : 0) | (s.pane.isFirst ? 2 : 0) | (s.pane.isLast ? 4 : 0) | (timing << 3))
    .varint(s.pane.index)
    .varint(s.pane.nonSpeculativeIndex)
    .uvarint(s.windows.length);
  for (const win of s.windows) {
    if (windowEquals(win, GLOBAL_WINDOW)) w.u8(0);
    else w.u8(1).f64(win.start).f64(win.end);
  }
}

/** Windows and panes equal to GLOBAL_WINDOW or NO_FIRING come back as those very objects, for `===` fast paths. */
function readShape(r: BinaryReader): Shape {
  const flags = r.u8();
  const timing = TIMINGS[flags >> 3];
  if (timing === undefined) throw new Error(`unknown pane timing code ${flags >> 3}`);
  const pane: PaneInfo = {
    index: r.varint(),
    nonSpeculativeIndex: r.varint(),
    timing,
    isFirst: (flags & 2) !== 0,
    isLast: (flags & 4) !== 0,
  };
  const windows = Array.from({ length: r.uvarint() }, (): Window =>
    r.u8() === 0 ? GLOBAL_WINDOW : Object.freeze({ start: r.f64(), end: r.f64() }),
  );
  return {
    // Frozen: every meta of this shape shares the array.
    windows: windows.length === 1 && windows[0] === GLOBAL_WINDOW ? SOURCE_META.windows : Object.freeze(windows),
    pane: paneEquals(pane, NO_FIRING) ? NO_FIRING : Object.freeze(pane),
    retraction: (flags & 1) !== 0,
  };
}

/** A meta equal to SOURCE_META comes back as SOURCE_META itself. */
function withTimestamp(timestamp: number, s: Shape): Meta {
  return timestamp === SOURCE_META.timestamp && s.windows === SOURCE_META.windows && s.pane === NO_FIRING && !s.retraction
    ? SOURCE_META
    : Object.freeze({ timestamp, windows: s.windows, pane: s.pane, retraction: s.retraction });
}

// ---- values ------------------------------------------------------------------------------

type Layout = "scalar" | "kv" | "v8";
type Scalar = "string" | "number" | "boolean" | "null";
const LAYOUTS: readonly Layout[] = ["scalar", "kv", "v8"];
const SCALARS: readonly Scalar[] = ["string", "number", "boolean", "null"];

/** How each scalar kind becomes columns and back; `encode` returns null when the kind cannot hold these values exactly. */
interface ScalarColumn {
  encode(xs: readonly unknown[]): Column[] | null;
  decode(f: FrameReader, n: number): unknown[];
}

const LONE_SURROGATE = /\p{Cs}/u;
const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is part of the first string, not a byte-order mark.
const fromUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });
const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

const COLUMNS: Record<Scalar, ScalarColumn> = {
  // One UTF-8 blob of all strings joined, and their end offsets in UTF-16 units: one encode, one decode, n slices.
  string: {
    encode(xs) {
      const ends = new Uint32Array(xs.length);
      let end = 0;
      for (let i = 0; i < xs.length; i++) {
        const s = xs[i] as string;
        // A string ending in a high surrogate could pair with the next one's low surrogate once joined.
        if (isHighSurrogate(s.charCodeAt(s.length - 1))) return null;
        end += s.length;
        ends[i] = end;
      }
      const joined = xs.join("");
      return LONE_SURROGATE.test(joined) ? null : [ends, utf8.encode(joined)];
    },
    decode(f, n) {
      const ends = f.typed(Uint32Array, n);
      const joined = fromUtf8.decode(f.column());
      const out = new Array<string>(n);
      let start = 0;
      for (let i = 0; i < n; i++) {
        const end = ends[i]!;
        if (end < start || end > joined.length) throw new Error(`string end ${end} out of order at ${i}`);
        out[i] = joined.slice(start, end);
        start = end;
      }
      if (start !== joined.length) throw new Error(`strings end at ${start}, blob has ${joined.length} units`);
      return out;
    },
  },
  number: {
    encode: (xs) => [new Float64Array(xs as number[])],
    decode: (f, n) => Array.from(f.typed(Float64Array, n)),
  },
  boolean: {
    encode: (xs) => [Uint8Array.from(xs, (x) => (x ? 1 : 0))],
    decode: (f, n) => Array.from(f.typed(Uint8Array, n), (x) => x !== 0),
  },
  null: {
    encode: () => [],
    decode: (_f, n) => new Array<null>(n).fill(null),
  },
};

const scalarOf = (x: unknown): Scalar | null => {
  if (x === null) return "null";
  const t = typeof x;
  return t === "string" || t === "number" || t === "boolean" ? t : null;
};

interface Planned {
  readonly kind: Scalar;
  readonly columns: Column[];
}

/** The columns of xs if they all have one scalar kind that holds them exactly. */
function planScalar(xs: readonly unknown[]): Planned | null {
  const kind = xs.length === 0 ? "null" : scalarOf(xs[0]);
  if (kind === null) return null;
  for (let i = 1; i < xs.length; i++) if (scalarOf(xs[i]) !== kind) return null;
  const columns = COLUMNS[kind].encode(xs);
  return columns && { kind, columns };
}

/** A `{key, value}` object as `kv()` makes it: plain, with exactly those own keys in that order. */
function isPlainKV(x: unknown): x is { key: unknown; value: unknown } {
  if (typeof x !== "object" || x === null || Object.getPrototypeOf(x) !== Object.prototype) return false;
  const keys = Object.keys(x);
  return keys.length === 2 && keys[0] === "key" && keys[1] === "value";
}

function planKV(values: readonly unknown[]): readonly [Planned, Planned] | null {
  if (values.length === 0) return null;
  const keys = new Array<unknown>(values.length);
  const vals = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!isPlainKV(v)) return null;
    keys[i] = v.key;
    vals[i] = v.value;
  }
  const k = planScalar(keys);
  const v = k && planScalar(vals);
  return k && v ? [k, v] : null;
}

/** Layout and column kinds go first in the header, so a reader can tell the layout without the columns. */
function writeValues(f: FrameWriter, values: readonly unknown[]): void {
  const scalar = planScalar(values);
  const planned = scalar ? [scalar] : planKV(values);
  if (!planned) {
    // The fallback: exact for anything structured-cloneable, but one opaque blob.
    f.header.u8(LAYOUTS.indexOf("v8"));
    f.column(serialize(values));
    return;
  }
  f.header.u8(LAYOUTS.indexOf(scalar ? "scalar" : "kv"));
  for (const p of planned) f.header.u8(SCALARS.indexOf(p.kind));
  for (const p of planned) for (const c of p.columns) f.column(c);
}

type ValueLayout =
  | { readonly layout: "scalar"; readonly kind: Scalar }
  | { readonly layout: "kv"; readonly key: Scalar; readonly value: Scalar }
  | { readonly layout: "v8" };

function readLayout(r: BinaryReader): ValueLayout {
  const code = r.u8();
  const scalar = (): Scalar => {
    const c = r.u8();
    const kind = SCALARS[c];
    if (kind === undefined) throw new Error(`unknown column kind ${c}`);
    return kind;
  };
  const layout = LAYOUTS[code];
  if (layout === undefined) throw new Error(`unknown value layout ${code}`);
  switch (layout) {
    case "scalar":
      return { layout, kind: scalar() };
    case "kv":
      return { layout, key: scalar(), value: scalar() };
    case "v8":
      return { layout };
  }
}

function readValues(f: FrameReader, n: number): unknown[] {
  const l = readLayout(f.header);
  switch (l.layout) {
    case "scalar":
      return COLUMNS[l.kind].decode(f, n);
    case "kv": {
      const keys = COLUMNS[l.key].decode(f, n);
      const vals = COLUMNS[l.value].decode(f, n);
      return keys.map((k, i) => kv(k, vals[i]));
    }
    case "v8": {
      const values: unknown = deserialize(f.column());
      if (!Array.isArray(values) || values.length !== n) throw new Error(`fallback column does not hold ${n} values`);
      return values;
    }
  }
}
