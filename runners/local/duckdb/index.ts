// The local runner's DuckDB side: one instance per job, windowed combines, Parquet pushdown.
export { LocalDb, type LocalDbOptions } from "./db.js";
export { DuckCombine, type DuckCombineBatch, type DuckCombineOptions, type DuckAggregate } from "./combine.js";
export { parquetGroupSql, parquetGroupQuery, parquetRowCount, type GroupBatch, type ParquetGroupSpec } from "./pushdown.js";
export { DUCK_AGGREGATES } from "./lift.js";
