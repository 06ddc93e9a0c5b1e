/** Runs `f` and samples the process's resident set every 20 ms; returns its result and the peak seen. */
export async function peakRss<T>(f: () => Promise<T>): Promise<{ result: T; rss: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  try {
    const result = await f();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, rss: peak };
  } finally {
    clearInterval(timer);
  }
}

/** A warm-up, then `repeats` runs: the median wall time and the largest peak RSS. */
export async function timed(repeats: number, f: () => Promise<{ rss: number }>): Promise<{ ms: number; rssMiB: number }> {
  await f();
  const times: number[] = [];
  let rss = 0;
  for (let i = 0; i < repeats; i++) {
    globalThis.gc?.();
    const t0 = performance.now();
    const r = await f();
    times.push(performance.now() - t0);
    rss = Math.max(rss, r.rss);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, rssMiB: Math.round(rss / 2 ** 20) };
}
