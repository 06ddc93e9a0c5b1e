// The Nexmark queries in DuckDB SQL, written from the definitions in the shared spec (issue #7,
// docs/nexmark.md §4), not from the query modules: the independent answer the test compares
// both runners with. They read the views person, auction and bid (nexmark-parquet.ts's tables)
// and name their columns as the queries' output objects. Integer answers are computed in
// integers: Math.floor(price*89/100) is `//` on positive BIGINTs, and Math.round(sum/n) (half
// up) is (2*sum + n) // (2*n).
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";

/** Winning bids (Q9's rule): valid bids of an auction, the highest price, then the earliest, then the lowest bidder. */
const WINNING_BIDS = `
  SELECT auction, seller, category, expires, bidder, price, "bidDateTime" FROM (
    SELECT a.id AS auction, a.seller, a.category, a.expires, b.bidder, b.price, b."dateTime" AS "bidDateTime",
      row_number() OVER (PARTITION BY a.id ORDER BY b.price DESC, b."dateTime" ASC, b.bidder ASC) AS rank
    FROM auction a JOIN bid b ON b.auction = a.id
    WHERE a."dateTime" <= b."dateTime" AND b."dateTime" < a.expires AND b.price >= a.reserve
  ) WHERE rank = 1`;

/** The two sliding windows (10 s every 5 s, aligned at multiples of 5 s) holding time `t`: their starts. */
const slidingStarts = (t: string): string => `((${t}) // 5000 - slide.i) * 5000`;
const SLIDES = "(VALUES (0), (1)) slide(i)";

export const NEXMARK_SQL = {
  q0: `SELECT auction, bidder, price, "dateTime", extra FROM bid`,

  q1: `SELECT auction, bidder, (price * 89) // 100 AS price, "dateTime", extra FROM bid`,

  q2: `SELECT auction, price FROM bid WHERE auction % 123 = 0`,

  q3: `
    SELECT p.name, p.city, p.state, a.id
    FROM auction a JOIN person p ON a.seller = p.id
    WHERE a.category = 10 AND p.state IN ('OR', 'ID', 'CA')`,

  q4: `
    WITH w AS (${WINNING_BIDS})
    SELECT category, ${slidingStarts("expires - 1")} AS "windowStart",
      (2 * sum(price) + count(*)) // (2 * count(*)) AS "avgPrice"
    FROM w CROSS JOIN ${SLIDES}
    GROUP BY category, "windowStart"`,

  q5: `
    WITH counts AS (
      SELECT auction, ${slidingStarts('"dateTime"')} AS "windowStart", count(*) AS "count"
      FROM bid CROSS JOIN ${SLIDES}
      GROUP BY auction, "windowStart"
    )
    SELECT auction, "count", "windowStart" FROM (
      SELECT *, max("count") OVER (PARTITION BY "windowStart") AS most FROM counts
    ) WHERE "count" = most`,

  q6: `
    WITH w AS (${WINNING_BIDS})
    SELECT seller, auction, (2 * s + n) // (2 * n) AS "avgPrice" FROM (
      SELECT seller, auction, sum(price) OVER last10 AS s, count(*) OVER last10 AS n FROM w
      WINDOW last10 AS (PARTITION BY seller ORDER BY expires - 1, auction ROWS BETWEEN 9 PRECEDING AND CURRENT ROW)
    )`,

  q7: `
    SELECT auction, bidder, price, "dateTime", extra FROM (
      SELECT *, max(price) OVER (PARTITION BY "dateTime" // 10000) AS highest FROM bid
    ) WHERE price = highest`,

  q8: `
    SELECT p.id, p.name, a.reserve, (p."dateTime" // 10000) * 10000 AS "windowStart"
    FROM person p JOIN auction a ON a.seller = p.id AND a."dateTime" // 10000 = p."dateTime" // 10000`,

  q9: WINNING_BIDS,

  // A bid opens a session when the previous bid of its bidder is 10 s or more before it (or there
  // is none). The session number is a running count of openings over RANGE, so bids at the same
  // millisecond share it whichever of them the lag ordering took first.
  q11: `
    WITH flagged AS (
      SELECT bidder, "dateTime" AS t,
        CASE WHEN "dateTime" - lag("dateTime") OVER (PARTITION BY bidder ORDER BY "dateTime") < 10000 THEN 0 ELSE 1 END AS opens
      FROM bid
    ), numbered AS (
      SELECT bidder, t,
        sum(opens) OVER (PARTITION BY bidder ORDER BY t RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session
      FROM flagged
    )
    SELECT bidder, count(*) AS "count", min(t) AS start, max(t) + 10000 AS "end" FROM numbered GROUP BY bidder, session`,

  // Q12's panes depend on processing time: only the total per bidder is checked.
  q12: `SELECT bidder, count(*) AS "count" FROM bid GROUP BY bidder`,
} as const;

export type NexmarkQuery = keyof typeof NEXMARK_SQL;

export type Row = Record<string, unknown>;

/** A DuckDB value as the JSON of a query's output has it: BIGINT and HUGEINT as numbers. */
const plain = (v: unknown): unknown => (typeof v === "bigint" ? Number(v) : v);

/** Each query's rows over the Parquet tables under `dir` (from nexmark-parquet.ts). */
export async function sqlAnswers(
  dir: string,
  queries: readonly NexmarkQuery[] = Object.keys(NEXMARK_SQL) as NexmarkQuery[],
): Promise<Record<NexmarkQuery, Row[]>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  try {
    for (const table of ["person", "auction", "bid"])
      await connection.run(`CREATE VIEW ${table} AS SELECT * FROM read_parquet('${path.join(dir, table, "*.parquet")}')`);
    const out = {} as Record<NexmarkQuery, Row[]>;
    for (const q of queries) {
      const reader = await connection.runAndReadAll(NEXMARK_SQL[q]);
      out[q] = reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
    }
    return out;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
