import { type Sink, type Source } from "../../sdk/index.js";

/** Graph-only sources and sinks for tests that build pipelines without running them. */
export const boundedOf = <T>(label = "test"): Source<T> => ({ kind: "test", bounded: true, params: { label } });
export const unboundedOf = <T>(label = "test"): Source<T> => ({ kind: "test", bounded: false, params: { label } });
export const sinkOf = <T>(label = "out"): Sink<T> => ({ kind: "test", params: { label } });
