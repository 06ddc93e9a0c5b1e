import { deserialize, serialize } from "node:v8";

/**
 * The binary form of every snapshot in the core: a growable byte buffer with varints,
 * float64s, strings and opaque user values. User values (state contents, accumulators,
 * elements) go through V8's serializer, which is compact, handles Map/Set/Date/bigint and
 * typed arrays, and reads data written by older Node versions.
 */
const SURROGATE = /[\uD800-\uDFFF]/;
const VALUE_V8 = 0;
const VALUE_NUMBER = 1;
const VALUE_STRING = 2;
const VALUE_TRUE = 3;
const VALUE_FALSE = 4;
const VALUE_NULL = 5;
const VALUE_UNDEFINED = 6;

export class BinaryWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;
  private static readonly encoder = new TextEncoder();

  constructor(initialSize = 256) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  /** An unsigned integer up to 2^53 in 7-bit groups. */
  uvarint(v: number): this {
    if (!(Number.isSafeInteger(v) && v >= 0)) throw new RangeError(`uvarint needs a non-negative safe integer, got ${v}`);
    this.ensure(8);
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
    return this;
  }

  /** A signed integer (safe, or an instant up to ±Instant.MAX), zigzag-encoded so small magnitudes stay small. */
  varint(v: number): this {
    if (!Number.isInteger(v) || Math.abs(v) > 2 ** 60) throw new RangeError(`varint needs an integer within ±2^60, got ${v}`);
    // Zigzag doubles the magnitude; past 2^52 that is no longer exact in a double.
    if (Math.abs(v) < 2 ** 52) return this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
    let z = v >= 0 ? BigInt(v) * 2n : -BigInt(v) * 2n - 1n;
    this.ensure(10);
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.buf[this.pos++] = Number(z);
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  bytes(v: Uint8Array): this {
    this.uvarint(v.length);
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
    return this;
  }

  string(v: string): this {
    // Straight into the buffer: no intermediate array per string (snapshots write many).
    const n = Buffer.byteLength(v, "utf8");
    this.uvarint(n);
    this.ensure(n);
    if (n === v.length && n < 64) for (let i = 0; i < n; i++) this.buf[this.pos + i] = v.charCodeAt(i);
    else BinaryWriter.encoder.encodeInto(v, this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return this;
  }

  /**
   * Any structured-cloneable value (no functions, no class instances beyond built-ins). Numbers,
   * strings, booleans, null and undefined take a tag byte and their bytes; the rest goes through
   * V8's serializer, whose per-call cost dominates a snapshot of many small values.
   */
  value(v: unknown): this {
    switch (typeof v) {
      case "number":
        return this.u8(VALUE_NUMBER).f64(v);
      case "string":
        // UTF-8 cannot carry a lone surrogate: such strings go through V8, which keeps them.
        return SURROGATE.test(v) ? this.u8(VALUE_V8).bytes(serialize(v)) : this.u8(VALUE_STRING).string(v);
      case "boolean":
        return this.u8(v ? VALUE_TRUE : VALUE_FALSE);
      case "undefined":
        return this.u8(VALUE_UNDEFINED);
      default:
        return v === null ? this.u8(VALUE_NULL) : this.u8(VALUE_V8).bytes(serialize(v));
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class BinaryReader {
  private pos = 0;
  private readonly view: DataView;
  private static readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true });

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new RangeError(`snapshot truncated: needed ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError(`bad varint at offset ${this.pos}`);
    }
  }

  varint(): number {
    let z = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.u8();
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
      if (shift > 63n) throw new RangeError(`bad varint at offset ${this.pos}`);
    }
    return Number(z % 2n === 0n ? z / 2n : -(z + 1n) / 2n);
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    return this.u8() !== 0;
  }

  bytes(): Uint8Array {
    const n = this.uvarint();
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return BinaryReader.decoder.decode(this.bytes());
  }

  value<T = unknown>(): T {
    const tag = this.u8();
    switch (tag) {
      case VALUE_V8:
        return deserialize(this.bytes()) as T;
      case VALUE_NUMBER:
        return this.f64() as T;
      case VALUE_STRING:
        return this.string() as T;
      case VALUE_TRUE:
        return true as T;
      case VALUE_FALSE:
        return false as T;
      case VALUE_NULL:
        return null as T;
      case VALUE_UNDEFINED:
        return undefined as T;
      default:
        throw new RangeError(`bad value tag ${tag} at offset ${this.pos - 1}`);
    }
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }
}
