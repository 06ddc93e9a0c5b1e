import { type Instant } from "../../sdk/index.js";
import { type Bundle } from "../core/exec/bundle.js";

/**
 * What crosses one channel of an edge between two steps: data, and the signals the worker acts
 * on. `ptime` is processing time moved by a TestStream (a manual clock): it travels with the
 * data, as a watermark does, so a step sees it only after everything sent before it.
 */
export type Signal =
  | { readonly kind: "watermark"; readonly at: Instant }
  | { readonly kind: "ptime"; readonly at: Instant }
  | { readonly kind: "barrier"; readonly id: number }
  | { readonly kind: "end" };

export type ChannelMessage = { readonly kind: "data"; readonly bundle: Bundle } | Signal;

/** How an edge's elements reach the consumer's instances: on this worker, by key, all to one, or to all. */
export type EdgeMode = "forward" | "keyed" | "single" | "broadcast";
