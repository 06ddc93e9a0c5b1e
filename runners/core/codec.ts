import { deserialize, serialize } from "node:v8";

/**
 * The binary form of every snapshot in the core: a growable byte buffer with varints,
 * float64s, strings and opaque user values. User values (state contents, accumulators,
 * elements) go through V8's serializer, which is compact, handles Map/Set/Date/bigint and
 * typed arrays, and reads data written by older Node versions.
 */
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
    return this.bytes(BinaryWriter.encoder.encode(v));
  }

  /** Any structured-cloneable value (no functions, no class instances beyond built-ins). */
  value(v: unknown): this {
    return this.bytes(serialize(v));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

export class BinaryReader {
  private pos = 0;
  private readonly view: DataView;
  private static readonly decoder = new TextDecoder();

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
    return deserialize(this.bytes()) as T;
  }

  get done(): boolean {
    return this.pos === this.buf.length;
  }
}
