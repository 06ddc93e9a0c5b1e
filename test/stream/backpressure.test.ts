import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";
import { runStream } from "../../runners/stream/index.js";
import slowSink, { committed } from "./fixtures/slow-sink.js";

const MODULE = fileURLToPath(new URL("./fixtures/slow-sink.ts", import.meta.url));

test("a sink that sleeps slows the sources: the job completes, every element is written, memory stays bounded", async () => {
  // 3M events from a generator that makes 50M/s; the sink sleeps 2 ms per write of about a
  // thousand elements, so unchecked the sources would be millions of elements ahead of it.
  const events = 3_000_000;
  const built = slowSink.build({ count: events, sleepMs: 2 });
  committed.elements = 0;
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const summary = await runStream(built, {
      parallelism: 2,
      source: { module: MODULE, options: built.options },
      checkpointIntervalMs: 0,
    });
    expect(committed.elements).toBe(events);
    expect(summary.restarts).toBe(0);
  } finally {
    clearInterval(sampler);
  }
  // The bound is the process's growth over the run: two worker threads with the pipeline loaded
  // (about 200 MiB before the first element), buffers in flight, and heap not yet collected.
  // Measured on this machine: 200 MiB for 0.5M events, 197-267 MiB for 3M, 245 MiB for 9M: it
  // does not grow with the input, where holding 3M elements at once would.
  const grownMiB = (peak - before) / 2 ** 20;
  expect(grownMiB, `the process grew by ${grownMiB.toFixed(0)} MiB`).toBeLessThan(350);
  console.info(`backpressure: ${events} events through a sleeping sink; the process grew by ${grownMiB.toFixed(0)} MiB`); // eslint-disable-line no-console
}, 180_000);
