import { type Data, DataType, Precision, type RecordBatch, TimeUnit, Utf8, type Vector, vectorFromArray } from "apache-arrow";

/**
 * Reading the columns of the columnar combine straight from their buffers (`data.values`):
 * no per-row `.get()`, no BigInt per row. Event times become float64 epoch milliseconds
 * (exact: instants lie within ±2^53); keys become dense indices into a KeyTable.
 */

/** A grouping key as it appears in a column: Utf8 text (plain or dictionary-encoded) or an Int32. */
export type ColumnKey = string | number;
export type KeyKind = "string" | "int32";

// Int64 columns are read as (low, high) int32 word pairs: true on every platform Node runs on.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The column of a batch by name, as one Data (a RecordBatch column is a single chunk). */
export function columnData(batch: RecordBatch, name: string): Data {
  const i = batch.schema.fields.findIndex((f) => f.name === name);
  const data = i < 0 ? undefined : batch.data.children[i];
  if (!data) throw new RangeError(`columnar combine: the batch has no column "${name}" (columns: ${columnNames(batch)})`);
  return data;
}

const columnNames = (batch: RecordBatch): string => batch.schema.fields.map((f) => f.name).join(", ");

function noNulls(data: Data, what: string): void {
  if (data.nullCount > 0)
    throw new RangeError(`columnar combine: the ${what} column has ${data.nullCount} nulls; nulls need the row path`);
}

/**
 * The event time of each row in epoch ms: a Float64 column as it is, an Int64 or
 * Timestamp(MILLISECOND) column converted into `scratch` from its two 32-bit words per row.
 */
export function readEventTimes(data: Data, scratch: Float64Array): Float64Array {
  noNulls(data, "event-time");
  const type: DataType = data.type;
  if (DataType.isFloat(type) && type.precision === Precision.DOUBLE)
    return (data.values as Float64Array).subarray(0, data.length);
  const int64 =
    (DataType.isInt(type) && type.bitWidth === 64 && type.isSigned) ||
    (DataType.isTimestamp(type) && type.unit === TimeUnit.MILLISECOND);
  if (!int64)
    throw new TypeError(
      `columnar combine: the event-time column must be Int64, Timestamp(ms) or Float64 epoch ms, not ${String(type)}`,
    );
  if (!LITTLE_ENDIAN) throw new Error("columnar combine: Int64 event times are read as little-endian words");
  const big = data.values as BigInt64Array;
  const words = new Int32Array(big.buffer, big.byteOffset, data.length * 2);
  for (let i = 0, n = data.length; i < n; i++) scratch[i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
  return scratch;
}

/** The Float64 value of each row. */
export function readValues(data: Data): Float64Array {
  noNulls(data, "value");
  const type: DataType = data.type;
  if (!(DataType.isFloat(type) && type.precision === Precision.DOUBLE))
    throw new TypeError(`columnar combine: the value column must be Float64, not ${String(type)}`);
  return (data.values as Float64Array).subarray(0, data.length);
}

/** Each row's key index is `map[codes[row]]`. */
export interface RowKeys {
  readonly codes: Int32Array;
  readonly map: Int32Array;
}

/**
 * The keys an operator has seen, each with a dense index (the accumulators' column). A
 * dictionary is mapped to indices once and reused while later batches carry the same
 * dictionary object (as an Arrow IPC stream's batches do).
 */
export class KeyTable {
  private readonly list: ColumnKey[] = [];
  private readonly index = new Map<ColumnKey, number>();
  private dictionaries = new WeakMap<object, Int32Array>();
  private kindSeen: KeyKind | null = null;
  private identityMap = new Int32Array(0);
  private dictionaryOfKeys: Vector<Utf8> | null = null;

  get size(): number {
    return this.list.length;
  }

  get kind(): KeyKind | null {
    return this.kindSeen;
  }

  keyAt(i: number): ColumnKey {
    return this.list[i] as ColumnKey;
  }

  /** The string keys as an Arrow dictionary, key index = dictionary index; rebuilt only when keys were added. */
  dictionary(): Vector<Utf8> {
    if (this.dictionaryOfKeys?.length !== this.list.length)
      this.dictionaryOfKeys = vectorFromArray(this.list as string[], new Utf8());
    return this.dictionaryOfKeys;
  }

  /** The key's index, adding it if new. */
  indexOf(key: ColumnKey): number {
    let i = this.index.get(key);
    if (i === undefined) {
      this.checkKind(typeof key === "string" ? "string" : "int32");
      i = this.list.length;
      this.list.push(key);
      this.index.set(key, i);
    }
    return i;
  }

  /**
   * The key index of each row as `map[codes[row]]`: a dictionary column gives its own codes and
   * the dictionary's indices (no pass over the rows); other columns are mapped into `scratch`.
   */
  mapRows(data: Data, scratch: Int32Array): RowKeys {
    noNulls(data, "key");
    const type: DataType = data.type;
    const n = data.length;
    if (DataType.isDictionary(type) && DataType.isUtf8(type.dictionary)) {
      const map = this.dictionaryMap(data.dictionary as Vector);
      if (data.values instanceof Int32Array) return { codes: data.values.subarray(0, n), map };
      const codes = data.values as Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array;
      for (let i = 0; i < n; i++) scratch[i] = map[codes[i]!]!;
    } else if (DataType.isUtf8(type)) {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      const decoder = new TextDecoder();
      for (let i = 0; i < n; i++) scratch[i] = this.indexOf(decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])));
    } else if (DataType.isInt(type) && type.bitWidth === 32 && type.isSigned) {
      const ints = data.values as Int32Array;
      for (let i = 0; i < n; i++) scratch[i] = this.indexOf(ints[i]!);
    } else
      throw new TypeError(`columnar combine: the key column must be Dictionary<Int, Utf8>, Utf8 or Int32, not ${String(type)}`);
    return { codes: scratch, map: this.identity() };
  }

  /** 0, 1, 2, ... up to the table's size: the map of codes that already are key indices. */
  private identity(): Int32Array {
    if (this.identityMap.length < this.list.length) {
      this.identityMap = new Int32Array(Math.max(this.list.length, this.identityMap.length * 2));
      for (let i = 0; i < this.identityMap.length; i++) this.identityMap[i] = i;
    }
    return this.identityMap;
  }

  private dictionaryMap(dictionary: Vector): Int32Array {
    let map = this.dictionaries.get(dictionary);
    if (!map) {
      if (dictionary.nullCount > 0)
        throw new RangeError("columnar combine: the key dictionary has nulls; nulls need the row path");
      const words = dictionary.toArray() as string[];
      map = new Int32Array(words.length);
      for (let i = 0; i < words.length; i++) map[i] = this.indexOf(words[i] as string);
      this.dictionaries.set(dictionary, map);
    }
    return map;
  }

  private checkKind(kind: KeyKind): void {
    if (this.kindSeen === null) this.kindSeen = kind;
    else if (this.kindSeen !== kind)
      throw new TypeError(`columnar combine: ${kind} keys after ${this.kindSeen} keys; one operator takes one key type`);
  }
}
