// Lint for beamline: typescript-eslint plus the layer rule of DESIGN.md (which folder may import which).
import js from "@eslint/js";
import path from "node:path";
import tseslint from "typescript-eslint";

const ROOT = import.meta.dirname;

/** Each layer and the layers it may import; anything not listed (test/) may import everything. */
const LAYERS = {
  sdk: ["sdk"],
  transforms: ["sdk", "transforms"],
  io: ["sdk", "io"],
  "runners/core": ["sdk", "runners/core"],
  "runners/local": ["sdk", "runners/core", "runners/local"],
  "runners/stream": ["sdk", "runners/core", "runners/stream"],
  "runners/cli": ["sdk", "transforms", "io", "runners/core", "runners/local", "runners/stream", "runners/cli"],
  examples: ["sdk", "transforms", "io", "examples"],
};
/** Packages a layer must not use: the SDK only builds graphs (no engines, threads or I/O). */
const FORBIDDEN_PACKAGES = {
  sdk: [
    "@duckdb/node-api",
    "@duckdb/node-bindings",
    "piscina",
    "kafkajs",
    "apache-arrow",
    "node:fs",
    "node:fs/promises",
    "node:worker_threads",
    "node:net",
  ],
  transforms: ["@duckdb/node-api", "@duckdb/node-bindings", "piscina", "kafkajs"],
};

const layerOf = (file) => {
  const rel = path.relative(ROOT, file).split(path.sep).join("/");
  return Object.keys(LAYERS)
    .sort((a, b) => b.length - a.length)
    .find((l) => rel === l || rel.startsWith(`${l}/`));
};

const layersRule = {
  meta: { type: "problem", docs: { description: "imports follow the layers of DESIGN.md" }, schema: [] },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    const check = (node, source) => {
      if (typeof source !== "string") return;
      if (source.startsWith(".")) {
        const to = layerOf(path.resolve(path.dirname(context.filename), source));
        if (to && !LAYERS[from].includes(to))
          context.report({
            node,
            message: `${from}/ must not import ${to}/ (DESIGN.md: ${from} may import ${LAYERS[from].join(", ")})`,
          });
      } else if ((FORBIDDEN_PACKAGES[from] ?? []).some((p) => source === p || source.startsWith(`${p}/`)))
        context.report({ node, message: `${from}/ must not import "${source}" (DESIGN.md: the SDK builds graphs only)` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === "Literal" && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", "out/", "test/**/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    plugins: { beamline: { rules: { layers: layersRule } } },
    rules: {
      "beamline/layers": "error",
      "no-console": "error",
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  // CommonJS shims (a worker thread's entry under tsx) run in Node's CommonJS scope.
  {
    files: ["**/*.cjs"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  // The CLI, benchmarks and test support talk to the terminal.
  { files: ["runners/cli/**", "test/bench/**", "examples/**"], rules: { "no-console": "off" } },
);

export { layersRule, LAYERS };
