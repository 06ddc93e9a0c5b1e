import fs from "node:fs/promises";
import path from "node:path";
import { describe, expect, test } from "vitest";
import accessLog, { parseRequest } from "../../examples/access-log.js";
import { runLocal } from "../../runners/local/index.js";
import { REPO_ROOT, runCli, shardLines, tempDir } from "./support.js";

const LOG = path.resolve(REPO_ROOT, "../shared/data/apache_access_log");

const MONTHS: Record<string, string> = { Jan: "01", Feb: "02", Mar: "03", Apr: "04", May: "05", Jun: "06" };

/** Page views and distinct clients per UTC day, from the log parsed here with string operations, not the example's regex. */
async function figuresOf(file: string): Promise<Map<string, { pv: number; clients: Set<string> }>> {
  const days = new Map<string, { pv: number; clients: Set<string> }>();
  for (const line of (await fs.readFile(file, "utf8")).split("\n")) {
    if (line === "") continue;
    const client = line.slice(0, line.indexOf(" "));
    const stamp = line.slice(line.indexOf("[") + 1, line.indexOf("]")); // 17/May/2015:10:05:03 +0000
    const [date, zone] = stamp.split(" ");
    const [dd, mon, rest] = date!.split("/");
    const [yyyy, hh, mi, ss] = rest!.split(":");
    const iso = `${yyyy}-${MONTHS[mon!]}-${dd}T${hh}:${mi}:${ss}${zone!.slice(0, 3)}:${zone!.slice(3)}`;
    const at = new Date(iso);
    if (Number.isNaN(at.getTime())) throw new Error(`cannot parse ${JSON.stringify(stamp)}`);
    const day = at.toISOString().slice(0, 10);
    const d = days.get(day) ?? { pv: 0, clients: new Set<string>() };
    d.pv++;
    d.clients.add(client);
    days.set(day, d);
  }
  return days;
}

/** The CSV rows the example must write: the header, then one row per day in day order. */
async function expectedCsv(): Promise<string[]> {
  const days = await figuresOf(LOG);
  return [...days].sort(([a], [b]) => (a < b ? -1 : 1)).map(([day, d]) => `${day},${d.pv},${d.clients.size}`);
}

/** The header and the rows of the one CSV shard, rows sorted by day. */
async function writtenCsv(dir: string): Promise<{ header: string; rows: string[] }> {
  const shards = await shardLines(dir);
  expect(shards).toHaveLength(1);
  const [header, ...rows] = shards[0]!;
  return { header: header!, rows: rows.sort() };
}

describe("examples/access-log.ts", () => {
  test("parseRequest reads the client and the instant, honouring the zone offset", () => {
    expect(parseRequest('1.2.3.4 - - [17/May/2015:10:05:03 +0000] "GET / HTTP/1.1" 200 1 "-" "-"')).toEqual({
      client: "1.2.3.4",
      at: Date.UTC(2015, 4, 17, 10, 5, 3),
    });
    expect(parseRequest('::1 - bob [01/Jan/2016:00:30:00 +0100] "GET / HTTP/1.1" 200 - "-" "-"').at).toBe(
      Date.UTC(2015, 11, 31, 23, 30, 0),
    );
    expect(() => parseRequest("garbage")).toThrow("not a combined-log-format line");
  });

  test("the independent figures are the data's published ones", async () => {
    const days = await figuresOf(LOG);
    expect([...days.keys()].sort()).toEqual(["2015-05-17", "2015-05-18", "2015-05-19", "2015-05-20"]);
    expect([...days.values()].map((d) => d.pv).sort()).toEqual([1632, 2579, 2893, 2896]);
    expect(new Set([...days.values()].flatMap((d) => [...d.clients])).size).toBe(1753);
  });

  test("writes day,pv,uv per UTC day with a header, equal to the figures computed here", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    await runLocal(accessLog.buildFromArgs([`--input=${LOG}`, `--output=${out}`]), { parallelism: 1 });
    const csv = await writtenCsv(out);
    expect(csv.header).toBe("day,pv,uv");
    expect(csv.rows).toEqual(await expectedCsv());
    expect(csv.rows.map((r) => r.split(",")[1])).toEqual(["1632", "2893", "2896", "2579"]);
  });

  test("through the CLI (`beamline run examples/access-log.ts`), the same CSV", async () => {
    const dir = await tempDir();
    const out = path.join(dir, "out");
    const r = await runCli(["run", "examples/access-log.ts", `--input=${LOG}`, `--output=${out}`]);
    expect(r.stderr).toContain("total: ");
    expect(r.code).toBe(0);
    const csv = await writtenCsv(out);
    expect(csv.header).toBe("day,pv,uv");
    expect(csv.rows).toEqual(await expectedCsv());
  });
});
