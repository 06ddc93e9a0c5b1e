import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    "sdk/index": "sdk/index.ts",
    "transforms/index": "transforms/index.ts",
    "io/index": "io/index.ts",
    cli: "runners/cli/main.ts",
  },
  format: ["esm"],
  target: "node20",
  dts: { entry: { "sdk/index": "sdk/index.ts", "transforms/index": "transforms/index.ts", "io/index": "io/index.ts" } },
  clean: true,
  splitting: true,
  sourcemap: true,
});
