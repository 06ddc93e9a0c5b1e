// `npm run bench:nexmark [-- --query=Q5[,Q7]] [--events=N] [--generator=thread|inline]`: every
// Nexmark query (examples/nexmark/) on the stream runner (parallelism 2) and on the local
// runner, each run in its own process, over N generated events (default 10,000,000) at
// nexmark-flink v2's event rate (100,000 events/s of event time), results into a blackhole sink
// as Flink's suite does. The generators run each in its own worker thread (`--generator=thread`,
// the default, as issue #7 asks) or in the threads that read them (`inline`). Printed per
// query: events/s, events/s per core (÷ 2, this machine's cores), peak memory, and Flink 2.0's
// published figures. The baseline, measured in the same run: the generator alone (the source
// read into the blackhole), to which each query's time is compared.
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

const QUERIES = ["Q0", "Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8", "Q9", "Q11", "Q12"] as const;

/**
 * nexmark/nexmark GUIDE_V2.md, "Nexmark Benchmark Result" (Flink ≥ 2.0, 8 TaskManagers, the
 * page's example result table; https://github.com/nexmark/nexmark/blob/master/GUIDE_V2.md):
 * published throughput and cores (average CPU in use). Per core = throughput ÷ cores, which we
 * derive (the page has no per-core column). The issue quoted each throughput ÷ 7 (q0's cores)
 * as "per core"; that column is printed too, as it is the stricter figure for every query
 * but q0. Q6 is not in Flink's suite (FLINK-19059).
 */
const FLINK: Record<string, { throughput: number; cores: number } | null> = {
  Q0: { throughput: 2_650_000, cores: 7 },
  Q1: { throughput: 2_860_000, cores: 7.24 },
  Q2: { throughput: 2_950_000, cores: 7.13 },
  Q3: { throughput: 1_900_000, cores: 8.69 },
  Q4: { throughput: 347_840, cores: 12.33 },
  Q5: { throughput: 920_400, cores: 12.35 },
  Q6: null,
  Q7: { throughput: 262_460, cores: 11.45 },
  Q8: { throughput: 2_080_000, cores: 12.83 },
  Q9: { throughput: 149_520, cores: 10.86 },
  Q11: { throughput: 427_880, cores: 9.29 },
  Q12: { throughput: 1_950_000, cores: 10.03 },
};
const CITATION =
  "Flink: nexmark/nexmark GUIDE_V2.md, Flink 2.0 example result table (50M events measured, tps 100K, 8 × 1-slot TaskManagers); per core = Throughput ÷ Cores, derived by us; 'issue' = Throughput ÷ 7 as quoted in issue #7";

const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const RUNNER = fileURLToPath(new URL("./nexmark-run.ts", import.meta.url));
const moduleOf = (q: string) => fileURLToPath(new URL(`../../examples/nexmark/${q.toLowerCase()}.ts`, import.meta.url));
const GENERATOR = fileURLToPath(new URL("./fixtures/nexmark-generator.ts", import.meta.url));

interface Run {
  readonly seconds: number;
  readonly maxRssMiB: number;
}

function runOnce(module: string, runner: "local" | "stream", options: Record<string, unknown>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", RUNNER, module, runner, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0) reject(new Error(`${module} on ${runner}: exit ${code}\n${out}`));
      else resolve(JSON.parse(line) as Run);
    });
  });
}

export async function runNexmarkBench(): Promise<void> {
  const events = Number(arg("events") ?? 10_000_000);
  if (!(Number.isSafeInteger(events) && events > 0)) throw new Error(`--events must be a whole number > 0, got ${arg("events")}`);
  const wanted = (arg("query") ?? QUERIES.join(",")).split(",").map((q) => q.trim().toUpperCase());
  const unknown = wanted.filter((q) => !(QUERIES as readonly string[]).includes(q));
  if (unknown.length > 0) throw new Error(`unknown query ${unknown.join(", ")}: the queries are ${QUERIES.join(", ")}`);
  const generator = arg("generator") ?? "thread";
  if (generator !== "thread" && generator !== "inline")
    throw new Error(`--generator must be thread (each generator in its own worker thread) or inline, got ${generator}`);
  const options = { events, rate: 100_000, generatorThread: generator === "thread" };
  const cores = 2;
  const k = (n: number) => `${(n / 1000).toFixed(0)}K`;
  // Rows are printed as each query finishes: a full run takes minutes.
  const say = (line: string) => console.log(line);
  say(
    `Nexmark: ${events.toLocaleString("en")} events (Beam's generator rules, 4 generators ${generator === "thread" ? "each in its own worker thread" : "in the threads that read them"}, 100,000 events/s of event time), results into a blackhole; stream runner --parallelism=2, local runner --parallelism=2; one run each in its own process, wall time from the run's start to its end (worker start included); per core = events/s ÷ ${cores}`,
  );
  const base = await runOnce(GENERATOR, "stream", options);
  const baseRate = events / base.seconds;
  say(
    `baseline, the generator alone into the blackhole on the stream runner: ${k(baseRate)} events/s, ${base.seconds.toFixed(2)} s, peak ${base.maxRssMiB} MiB`,
  );
  say("");
  say(
    "| query | stream events/s | per core | vs baseline | peak MiB | local events/s | per core | peak MiB | Flink per core | Flink (issue) | stream ≥ Flink per core |",
  );
  say("|---|---|---|---|---|---|---|---|---|---|---|");
  for (const q of wanted) {
    const stream = await runOnce(moduleOf(q), "stream", options);
    const local = await runOnce(moduleOf(q), "local", options);
    const s = events / stream.seconds;
    const l = events / local.seconds;
    const f = FLINK[q];
    const perCore = f ? f.throughput / f.cores : null;
    const issue = f ? f.throughput / 7 : null;
    say(
      `| ${q} | ${k(s)} | ${k(s / cores)} | ${(s / baseRate).toFixed(2)} | ${stream.maxRssMiB} | ${k(l)} | ${k(l / cores)} | ${local.maxRssMiB} | ${perCore ? k(perCore) : "not run"} | ${issue ? k(issue) : "-"} | ${perCore ? (s / cores >= perCore ? "yes" : "no") + (issue ? (s / cores >= issue ? " (issue's: yes)" : " (issue's: no)") : "") : "-"} |`,
    );
  }
  say("");
  say(CITATION);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const cpu = cpus();
  console.log(`node ${process.version}, ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown"})`);
  await runNexmarkBench();
}
