// RFC 4180 records from physical lines, and cells back to text.
//
// Why not csv-parse: its recovery from a bad record (skip_records_with_error) keeps the
// quoting state after an invalid closing quote, so `1,"x"y,2` swallows the good lines
// after it into one bad record, and the raw text it reports is cut at the error. Here a
// malformed record ends with its physical line, so one bad line costs one record and the
// dead letter holds the whole line.

/** A quoted field may hold newlines, but a record this long is taken to be a missing closing quote. */
const MAX_RECORD_CHARS = 1 << 20;

export type LineResult =
  | { readonly kind: "record"; readonly cells: string[]; readonly text: string; readonly line: number }
  | { readonly kind: "bad"; readonly error: string; readonly text: string; readonly line: number }
  | { readonly kind: "more" };

/**
 * Assembles records from lines fed in order. A line ends the record unless a quoted field
 * is still open at its end; blank lines between records are skipped.
 */
export class CsvRecords {
  private cells: string[] = [];
  private field = "";
  private lines: string[] = [];
  private start = 0;
  private size = 0;

  constructor(private readonly delimiter: string) {
    checkDelimiter("csv", delimiter);
  }

  /** Line `n` (1-based); returns a record, a bad record, or "more" when the record goes on (or the line was blank). */
  feed(line: string, n: number): LineResult {
    const open = this.lines.length > 0;
    if (!open) {
      if (line === "") return { kind: "more" };
      this.start = n;
    }
    this.lines.push(line);
    this.size += line.length + 1;
    const outcome = open ? this.scan(line, 0, true) : this.scanFields(line);
    if (outcome === "more") {
      if (this.size <= MAX_RECORD_CHARS) return { kind: "more" };
      return this.finish(`a quoted field is not closed within ${MAX_RECORD_CHARS} characters`);
    }
    return this.finish(outcome);
  }

  /** End of input: a record still open has a quote that never closes. */
  end(): LineResult {
    return this.lines.length === 0 ? { kind: "more" } : this.finish("a quoted field is not closed at the end of the file");
  }

  private finish(error: string | null): LineResult {
    const text = this.lines.join("\n");
    const result: LineResult =
      error === null
        ? { kind: "record", cells: this.cells, text, line: this.start }
        : { kind: "bad", error, text, line: this.start };
    this.cells = [];
    this.field = "";
    this.lines = [];
    this.size = 0;
    return result;
  }

  /** A record's first line: fields separated by the delimiter, the fast path when there is no quote. */
  private scanFields(line: string): string | null | "more" {
    if (!line.includes('"')) {
      this.cells = line.split(this.delimiter);
      return null;
    }
    return this.scan(line, 0, false);
  }

  /**
   * From `i`, inside a quoted field when `quoted` (continuing it across the newline when
   * i = 0): null at the record's end, "more" when a quoted field is open at the line's
   * end, else what is wrong.
   */
  private scan(line: string, i: number, quoted: boolean): string | null | "more" {
    const d = this.delimiter;
    if (quoted) this.field += "\n";
    for (;;) {
      if (quoted) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          this.field += line.slice(i);
          return "more";
        }
        this.field += line.slice(i, q);
        if (line[q + 1] === '"') {
          this.field += '"';
          i = q + 2;
          continue;
        }
        quoted = false;
        i = q + 1;
        this.cells.push(this.field);
        this.field = "";
        if (i === line.length) return null;
        if (!line.startsWith(d, i))
          return `cell ${this.cells.length}: a closing quote must be followed by ${JSON.stringify(d)} or the end of the line, got ${JSON.stringify(line[i])}`;
        i += d.length;
        if (i === line.length) {
          this.cells.push("");
          return null;
        }
      } else if (line[i] === '"') {
        quoted = true;
        i += 1;
      } else {
        const next = line.indexOf(d, i);
        const cell = line.slice(i, next < 0 ? line.length : next);
        if (cell.includes('"'))
          return `cell ${this.cells.length + 1}: a quote inside an unquoted cell (quote the whole cell and double the quote)`;
        this.cells.push(cell);
        if (next < 0) return null;
        i = next + d.length;
        if (i === line.length) {
          this.cells.push("");
          return null;
        }
      }
    }
  }
}

export function checkDelimiter(label: string, delimiter: string): void {
  if (delimiter.length === 0 || /["\r\n]/.test(delimiter))
    throw new RangeError(
      `${label}: the delimiter must be non-empty and hold no quote or line break, got ${JSON.stringify(delimiter)}`,
    );
}

/** One CSV line from cells, quoting a cell that holds the delimiter, a quote or a line break (RFC 4180). */
export function formatRecord(cells: readonly string[], delimiter: string): string {
  return cells.map((c) => (needsQuotes(c, delimiter) ? `"${c.replaceAll('"', '""')}"` : c)).join(delimiter);
}

const needsQuotes = (cell: string, delimiter: string): boolean =>
  cell.includes(delimiter) || cell.includes('"') || cell.includes("\n") || cell.includes("\r");
