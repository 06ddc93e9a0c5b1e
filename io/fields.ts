import { type z } from "zod";
import { type ArrowFieldType, type RecordSchema, describeSchema } from "../sdk/index.js";

// The fields of a record schema as readers and writers need them: the column type of
// sdk/schema.ts, what a missing value becomes, the options of an enum. Readers coerce raw
// values (CSV text, JSON, DuckDB and Arrow values) towards the field's JS type and then let
// the zod schema decide; a value that cannot be coerced is left as it was, so the schema's
// message says what it got.

export interface FieldSpec {
  readonly name: string;
  readonly type: ArrowFieldType;
  readonly nullable: boolean;
  /**
   * What an absent value (an empty CSV cell) becomes: null for .nullable(), undefined for
   * .optional() and .default(); "required" when the schema accepts neither.
   */
  readonly missing: null | undefined | "required";
  /** The strings of a z.enum or z.literal, in order: the dictionary of its Arrow column. */
  readonly options: readonly string[] | null;
}

export function fieldSpecs(schema: RecordSchema): readonly FieldSpec[] {
  const shape = schema.shape as Record<string, z.ZodType>;
  return describeSchema(schema).fields.map((f) => {
    const field = shape[f.name] as z.ZodType;
    return Object.freeze({ ...f, missing: missingValue(field), options: optionsOf(field) });
  });
}

function missingValue(field: z.ZodType): null | undefined | "required" {
  const takesNull = field.safeParse(null).success;
  const takesUndefined = field.safeParse(undefined).success;
  // The outermost wrapper decides when both are accepted: .optional().nullable() reads as null.
  if (takesNull && (!takesUndefined || (field._zod.def as { type: string }).type === "nullable")) return null;
  return takesUndefined ? undefined : "required";
}

function optionsOf(field: z.ZodType): readonly string[] | null {
  const def = field._zod.def as { type: string; innerType?: z.ZodType; entries?: Record<string, unknown>; values?: unknown[] };
  if (def.innerType) return optionsOf(def.innerType);
  if (def.type === "enum") return Object.values(def.entries ?? {}).map(String);
  if (def.type === "literal") return (def.values ?? []).map(String);
  return null;
}

// ISO date and time without a zone: read as UTC (Date would take local time, which differs per machine).
const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/** A date from text or epoch milliseconds, or null when it is not one. */
function toDate(v: string | number): Date | null {
  const d =
    typeof v === "number"
      ? new Date(v)
      : /^-?\d+$/.test(v)
        ? new Date(Number(v))
        : new Date(ZONELESS.test(v) ? `${v.replace(" ", "T")}Z` : v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function toBigInt(v: string | number): bigint | null {
  try {
    return typeof v === "string" && v.trim() === "" ? null : BigInt(typeof v === "string" ? v.trim() : v);
  } catch {
    return null;
  }
}

/** A CSV cell as the field's JS type, when it reads as one; an empty cell of a nullable field is missing. */
export function fromText(field: FieldSpec, cell: string): unknown {
  if (cell === "" && field.missing !== "required") return field.missing;
  switch (field.type) {
    case "utf8":
    case "dictionary":
      return cell;
    case "float64":
    case "int64":
    case "int32": {
      const n = cell.trim() === "" ? NaN : Number(cell);
      return Number.isNaN(n) ? cell : n;
    }
    case "bigint64":
      return toBigInt(cell) ?? cell;
    case "bool":
      return /^(true|1)$/i.test(cell) ? true : /^(false|0)$/i.test(cell) ? false : cell;
    case "timestamp_ms":
      return toDate(cell) ?? cell;
  }
}

/**
 * A value from a typed format (JSON, DuckDB, Arrow) as the field's JS type: dates from
 * text or epoch ms, 64-bit integers as number when the schema says number (and it is
 * safe) or as bigint when it says bigint.
 */
export function fromValue(field: FieldSpec, v: unknown): unknown {
  switch (field.type) {
    case "timestamp_ms":
      return typeof v === "string" || typeof v === "number" ? (toDate(v) ?? v) : v;
    case "bigint64":
      return typeof v === "string" || typeof v === "number" ? (toBigInt(v) ?? v) : v;
    case "int64":
    case "int32":
    case "float64":
      return typeof v === "bigint" && (field.type === "float64" || Number.isSafeInteger(Number(v))) ? Number(v) : v;
    default:
      return v;
  }
}

/** Validates a coerced record against the schema; the error names each field that failed. */
export function validate<T>(
  schema: RecordSchema,
  record: Record<string, unknown>,
  noun: "column" | "field",
): { value: T } | { error: string } {
  const result = schema.safeParse(record);
  if (result.success) return { value: result.data as T };
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.map(String).join(".");
    if (name === "") return issue.message;
    const got = issue.path.length === 1 ? record[name] : undefined;
    return `${noun} "${name}": ${issue.message}${got === undefined ? "" : ` (${preview(got)})`}`;
  });
  return { error: problems.join("; ") };
}

const preview = (v: unknown): string => {
  const text = v instanceof Date ? v.toISOString() : jsonText(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};

/** A record as text for a dead letter: JSON, with bigints as digits. */
export const jsonText = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) ?? String(value);
