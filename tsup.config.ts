import { type Options, defineConfig } from "tsup";

const common: Options = { format: ["esm"], target: "node20", sourcemap: true };

// Two builds, because a banner applies to a whole build: the library (with types) and the
// `beamline` bin, which needs a shebang. They run in parallel, so the library's clean
// spares the bin's files and the bin does not clean.
export default defineConfig([
  {
    ...common,
    entry: {
      "sdk/index": "sdk/index.ts",
      "transforms/index": "transforms/index.ts",
      "io/index": "io/index.ts",
      // A Nexmark generator thread (nexmark.events({ thread: true })), started by file name from
      // the chunk that holds io/nexmark.ts, in dist/ as the bin is: so both find it next to them.
      "nexmark-thread": "io/nexmark-thread.ts",
    },
    dts: true,
    clean: ["!cli.js", "!cli.js.map", "!worker.js", "!worker.js.map", "!stream-worker.js", "!stream-worker.js.map"],
    splitting: true,
  },
  {
    ...common,
    // The pool workers sit next to cli.js: the runners start them by file name.
    entry: { cli: "runners/cli/main.ts", worker: "runners/local/worker.ts", "stream-worker": "runners/stream/stream-worker.ts" },
    banner: { js: "#!/usr/bin/env node" },
    clean: false,
    // One file: the bin's entry-point check compares the running script with this module.
    splitting: false,
  },
]);
