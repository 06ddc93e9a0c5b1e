import { type DuckDBAppender, type DuckDBConnection, DuckDBDataChunk, type DuckDBType, type DuckDBValue } from "@duckdb/node-api";

/** DuckDB's vector size: the most rows one data chunk holds. */
export const CHUNK_ROWS = 2048;

/**
 * Appends whole columns (equal lengths, matching `types`) to `appender` as data chunks of at
 * most CHUNK_ROWS rows: one native copy per column per chunk instead of a call per value.
 */
export function appendColumns(
  appender: DuckDBAppender,
  types: readonly DuckDBType[],
  columns: readonly (readonly DuckDBValue[])[],
): void {
  const rows = columns[0]?.length ?? 0;
  for (let start = 0; start < rows; start += CHUNK_ROWS) {
    const n = Math.min(CHUNK_ROWS, rows - start);
    const chunk = DuckDBDataChunk.create(types, n);
    columns.forEach((column, i) => chunk.setColumnValues(i, n === rows ? column : column.slice(start, start + n)));
    appender.appendDataChunk(chunk);
  }
}

/** The chunks of a query's result, streamed: DuckDB produces each as the consumer asks for it. */
export async function* streamChunks(connection: DuckDBConnection, sql: string): AsyncGenerator<DuckDBDataChunk> {
  const result = await connection.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) return;
    yield chunk;
  }
}
