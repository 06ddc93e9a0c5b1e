import {
  Bool,
  type Data,
  type DataType,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  makeData,
  vectorFromArray,
} from "apache-arrow";
import { type ArrowFieldType } from "../sdk/index.js";
import { type FieldSpec } from "./fields.js";

// The Arrow layout of a record schema (the mapping of sdk/schema.ts), and records laid out
// in it. io may not import runners/core/arrow-schema.ts, so this is io's own, small copy.

/** An Arrow schema and a builder of one record batch's columns in it. */
export interface ArrowLayout {
  readonly schema: Schema;
  /** The struct data of a batch of records; throws naming the element and field of a value of the wrong type. */
  batch(values: readonly unknown[]): Data<Struct>;
}

type Column = (values: readonly unknown[], at: (i: number) => string) => Data;

export function arrowLayout(label: string, fields: readonly FieldSpec[]): ArrowLayout {
  // Dictionary ids must differ per field; a fixed dictionary (the enum's options) is shared by every batch.
  const built = fields.map((f, id) => (f.type === "dictionary" ? dictionaryColumn(f, id) : plainColumn(f.type)));
  const schema = new Schema(fields.map((f, i) => new Field(f.name, built[i]!.type, f.nullable)));
  const struct = new Struct(schema.fields);
  return {
    schema,
    batch(values) {
      const children = fields.map((f, c) => {
        const column = values.map((v) => {
          const x = (v as Record<string, unknown>)[f.name];
          return x === undefined ? null : x;
        });
        return built[c]!.build(column, (i) => `${label}: element ${i}, field "${f.name}"`);
      });
      return makeData({ type: struct, length: values.length, nullCount: 0, children });
    },
  };
}

/** What a JS value of each field type must be, and how Arrow JS wants it. */
const PLAIN: {
  readonly [K in Exclude<ArrowFieldType, "dictionary">]: {
    type: () => DataType;
    accepts: string;
    convert?: (v: unknown) => unknown;
  };
} = {
  utf8: { type: () => new Utf8(), accepts: "string" },
  float64: { type: () => new Float64(), accepts: "number" },
  int64: { type: () => new Int64(), accepts: "number", convert: (v) => BigInt(v as number) },
  int32: { type: () => new Int32(), accepts: "number" },
  bigint64: { type: () => new Int64(), accepts: "bigint" },
  bool: { type: () => new Bool(), accepts: "boolean" },
  timestamp_ms: { type: () => new Timestamp(TimeUnit.MILLISECOND, "UTC"), accepts: "Date" },
};

function plainColumn(kind: Exclude<ArrowFieldType, "dictionary">): { type: DataType; build: Column } {
  const { type: makeType, accepts, convert } = PLAIN[kind];
  const type = makeType();
  return {
    type,
    build(values, at) {
      const converted = values.map((v, i) => {
        if (v === null) return null;
        const ok = accepts === "Date" ? v instanceof Date : typeof v === accepts;
        if (!ok) throw new TypeError(`${at(i)}: expected a ${accepts}, got ${v instanceof Date ? "Date" : typeof v}`);
        try {
          return convert ? convert(v) : v;
        } catch (e) {
          throw new TypeError(`${at(i)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
      });
      return vectorFromArray(converted, type).data[0]!;
    },
  };
}

function dictionaryColumn(field: FieldSpec, id: number): { type: DataType; build: Column } {
  const options = field.options ?? [];
  const type = new Dictionary(new Utf8(), new Int32(), id);
  const dictionary = vectorFromArray([...options], new Utf8());
  const index = new Map(options.map((o, i) => [o, i]));
  return {
    type,
    build(values, at) {
      const indices = values.map((v, i) => {
        if (v === null) return null;
        const k = typeof v === "string" ? index.get(v) : undefined;
        if (k === undefined)
          throw new TypeError(`${at(i)}: ${JSON.stringify(v)} is not one of ${options.map((o) => JSON.stringify(o)).join(", ")}`);
        return k;
      });
      const keys = vectorFromArray(indices, new Int32()).data[0]!;
      return makeData({
        type,
        length: keys.length,
        nullCount: keys.nullCount,
        nullBitmap: keys.nullBitmap,
        data: keys.values,
        dictionary,
      });
    },
  };
}
