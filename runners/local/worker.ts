// A piscina worker of the local runner: imports the pipeline module, rebuilds the same graph
// (checked by hash), and runs fused chains of stateless DoFns over the bundles it is sent.
import { type BuiltPipeline } from "../../sdk/index.js";
import { loadPipeline } from "../core/exec/load.js";
import { type Bundle, BundleBuilder, type Meta, canonicalMeta, isUniform } from "../core/exec/bundle.js";
import { type Operator, type Output } from "../core/exec/operators/operator.js";
import { ParDoOperator } from "../core/exec/operators/pardo.js";

export interface ChainTask {
  readonly module: string;
  readonly options: unknown;
  readonly hash: string;
  /** The parDo steps to run, in order; each feeds the next. */
  readonly chain: readonly string[];
  readonly values: readonly unknown[];
  readonly metas: Meta | readonly Meta[];
}

const pipelines = new Map<string, Promise<BuiltPipeline>>();
const chains = new Map<string, { first: Operator; sink: BundleBuilder }>();

const load = (task: ChainTask): Promise<BuiltPipeline> => loadPipeline(task.module, task.options, task.hash);

/** The chain's operators, wired one into the next; the last one's main output collects into `sink`. */
function chainOf(built: BuiltPipeline, steps: readonly string[]): { first: Operator; sink: BundleBuilder } {
  const sink = new BundleBuilder();
  let next: Output = {
    emit: async (b) => {
      for (let i = 0; i < b.values.length; i++) sink.push(b.values[i], isUniform(b.metas) ? b.metas : b.metas[i]!);
    },
    watermark: async () => {},
  };
  let first: Operator | null = null;
  for (const name of [...steps].reverse()) {
    const step = built.graph.steps.find((s) => s.name === name);
    const runtime = built.runtime.get(name);
    if (step?.kind !== "parDo" || runtime?.kind !== "parDo") throw new Error(`worker: step "${name}" is not a parDo`);
    const op = new ParDoOperator({
      step,
      doFn: runtime.doFn,
      declarations: runtime.declarations,
      outputs: { main: next },
      sideInputs: [],
      allowedLateness: 0,
    });
    next = { emit: (b) => op.process(0, b), watermark: (at) => op.watermark(0, at) };
    first = op;
  }
  if (!first) throw new Error("worker: an empty chain");
  return { first, sink };
}

export default async function runChain(task: ChainTask): Promise<Bundle> {
  const key = `${task.module}\n${task.hash}`;
  let built = pipelines.get(key);
  if (!built) pipelines.set(key, (built = load(task)));
  const chainKey = `${key}\n${task.chain.join("\n")}`;
  let chain = chains.get(chainKey);
  if (!chain) chains.set(chainKey, (chain = chainOf(await built, task.chain)));
  const metas = isUniform(task.metas) ? canonicalMeta(task.metas) : task.metas.map(canonicalMeta);
  await chain.first.process(0, { values: task.values, metas });
  return chain.sink.take();
}
