import {
  type ArrowFieldType,
  type CombinePerKeyStep,
  type FieldDescriptor,
  GLOBAL_WINDOW,
  Instant,
  type ReadStep,
  type WindowingStrategy,
  kv,
  maxTimestamp,
} from "../../sdk/index.js";
import { type Meta } from "../core/exec/bundle.js";
import { batchPane } from "../core/exec/operators/batch-group.js";
import { type Output, stepError } from "../core/exec/operators/operator.js";
import { type DuckAggregate, type LocalDb, parquetGroupSql, parquetRowCount } from "./duckdb/index.js";

/** A read(parquet) → combine per key run as one SQL query (plan.ts, parquetPushdowns). */
export async function readPushdown(deps: {
  readonly read: ReadStep;
  readonly combine: CombinePerKeyStep;
  readonly strategy: WindowingStrategy;
  readonly db: () => Promise<LocalDb>;
  readonly output: Output;
  /** The read's schema: DuckDB's values are turned into what it says, as the plain read would. */
  readonly fields: readonly FieldDescriptor[];
  /** The rows the files hold: grouped in DuckDB, they never reach JS to be counted there. */
  readonly counted: (rows: number) => void;
}): Promise<void> {
  const { read, combine } = deps;
  const keyType = deps.fields.find((f) => f.name === "key")?.type;
  const valueType = deps.fields.find((f) => f.name === "value")?.type;
  const glob = (read.source.params as { glob?: unknown } | null)?.glob;
  if (typeof glob !== "string" || combine.combiner.kind !== "builtin")
    throw stepError(read.name, new Error("internal: a pushed-down Parquet read needs a glob and a built-in combiner"));
  const meta: Meta = {
    timestamp: maxTimestamp(GLOBAL_WINDOW),
    windows: [GLOBAL_WINDOW],
    pane: batchPane(deps.strategy),
    retraction: false,
  };
  try {
    const spec = {
      glob,
      keyColumn: "key",
      valueColumn: "value",
      aggregate: combine.combiner.name as DuckAggregate,
      step: combine.name,
    };
    deps.counted(await parquetRowCount(await deps.db(), glob));
    for await (const batch of parquetGroupSql(await deps.db(), spec)) {
      const values = batch.keys.map((k, i) => kv(asField(keyType, "key", k), asField(valueType, "value", batch.values[i])));
      await deps.output.emit({ values, metas: meta });
    }
  } catch (e) {
    throw stepError(read.name, e, `read_parquet("${glob}") grouped in DuckDB`);
  }
  await deps.output.watermark(Instant.MAX);
}

/** A value DuckDB gave back as the field's JS type: a BIGINT of a z.int() field is a number, as io/fields.ts reads it. */
function asField(type: ArrowFieldType | undefined, field: string, v: unknown): unknown {
  if (typeof v !== "bigint" || (type !== "int64" && type !== "int32" && type !== "float64")) return v;
  if (type === "float64" || Number.isSafeInteger(Number(v))) return Number(v);
  throw new Error(`column "${field}": ${v} is not a safe integer, which its schema field needs`);
}
