import { Bool, Dictionary, Field, Float64, Int32, Int64, Schema, TimeUnit, Timestamp, Utf8, type DataType } from "apache-arrow";
import { type ArrowFieldType, type SchemaDescriptor } from "../../sdk/index.js";

/** The Arrow type of each field type a record schema can have (docs/schemas.md). */
const ARROW_TYPES: { readonly [K in ArrowFieldType]: () => DataType } = {
  utf8: () => new Utf8(),
  dictionary: () => new Dictionary(new Utf8(), new Int32()),
  float64: () => new Float64(),
  int64: () => new Int64(),
  int32: () => new Int32(),
  bigint64: () => new Int64(),
  bool: () => new Bool(),
  timestamp_ms: () => new Timestamp(TimeUnit.MILLISECOND, "UTC"),
};

/** The Arrow schema of a collection's record schema, as runners lay out its columns. */
export function toArrowSchema(descriptor: SchemaDescriptor): Schema {
  return new Schema(descriptor.fields.map((f) => new Field(f.name, ARROW_TYPES[f.type](), f.nullable)));
}
