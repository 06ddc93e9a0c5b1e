import { type z } from "zod";

/**
 * A record schema is a flat zod object. It gives a collection an Arrow layout, so runners
 * can move it as columns. The mapping (documented in docs/schemas.md):
 *
 * | zod                               | Arrow                    | JS value  |
 * |-----------------------------------|--------------------------|-----------|
 * | z.string()                        | Utf8                     | string    |
 * | z.enum([...]) / z.literal("x")    | Dictionary<Int32, Utf8>  | string    |
 * | z.number()                        | Float64                  | number    |
 * | z.int() / z.number().int()        | Int64                    | number (safe integer) |
 * | z.int32()                         | Int32                    | number    |
 * | z.bigint()                        | Int64                    | bigint    |
 * | z.boolean()                       | Bool                     | boolean   |
 * | z.date()                          | Timestamp(ms, UTC)       | Date      |
 * | .nullable() / .optional() / .default() | the inner type, nullable where null or undefined may appear |
 */
export type RecordSchema = z.ZodObject<z.ZodRawShape>;

export type ArrowFieldType = "utf8" | "dictionary" | "float64" | "int64" | "int32" | "bigint64" | "bool" | "timestamp_ms";

export interface FieldDescriptor {
  readonly name: string;
  readonly type: ArrowFieldType;
  readonly nullable: boolean;
}

/** The JSON-able description of a record schema that the graph carries. */
export interface SchemaDescriptor {
  readonly fields: readonly FieldDescriptor[];
}

/** The Arrow layout of a flat zod object; throws naming every field it cannot map. */
export function describeSchema(schema: RecordSchema): SchemaDescriptor {
  const fields: FieldDescriptor[] = [];
  const problems: string[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    const mapped = fieldType(field as z.ZodType);
    if (typeof mapped === "string") problems.push(`field "${name}": ${mapped}`);
    else fields.push(Object.freeze({ name, ...mapped }));
  }
  if (problems.length > 0) throw new TypeError(`schema cannot map to Arrow:\n  ${problems.join("\n  ")}`);
  return Object.freeze({ fields: Object.freeze(fields) });
}

type Mapped = { type: ArrowFieldType; nullable: boolean } | string;

function fieldType(field: z.ZodType): Mapped {
  const def = field._zod.def as { type: string; format?: string; checks?: { _zod: { def: { format?: string } } }[] };
  switch (def.type) {
    case "string":
      return { type: "utf8", nullable: false };
    case "enum":
    case "literal":
      return literalsAreStrings(field) ? { type: "dictionary", nullable: false } : "only string enums and literals map to Arrow";
    case "number": {
      const formats = [def.format, ...(def.checks ?? []).map((c) => c._zod.def.format)];
      if (formats.includes("int32")) return { type: "int32", nullable: false };
      if (formats.includes("safeint")) return { type: "int64", nullable: false };
      return { type: "float64", nullable: false };
    }
    case "bigint":
      return { type: "bigint64", nullable: false };
    case "boolean":
      return { type: "bool", nullable: false };
    case "date":
      return { type: "timestamp_ms", nullable: false };
    case "nullable":
    case "optional":
    case "default": {
      const inner = fieldType((field._zod.def as unknown as { innerType: z.ZodType }).innerType);
      return typeof inner === "string" ? inner : { ...inner, nullable: def.type !== "default" || inner.nullable };
    }
    default:
      return `zod type "${def.type}" has no Arrow column type (records must be flat: string, number, int, bigint, boolean, date, enum)`;
  }
}

function literalsAreStrings(field: z.ZodType): boolean {
  const def = field._zod.def as { entries?: Record<string, unknown>; values?: unknown[] };
  const values = def.entries ? Object.values(def.entries) : (def.values ?? []);
  return values.every((v) => typeof v === "string");
}
