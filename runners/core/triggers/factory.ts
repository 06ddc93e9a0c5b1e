import { type Trigger } from "../../../sdk/index.js";
import { type BinaryReader } from "../codec.js";
import { AfterAllNode } from "./after-all.js";
import { AfterAnyNode } from "./after-any.js";
import { AfterCountNode } from "./after-count.js";
import { AfterEachNode } from "./after-each.js";
import { AfterProcessingTimeNode } from "./after-processing-time.js";
import { EarlyLateNode, EndOfWindowNode } from "./after-watermark.js";
import { DefaultNode } from "./default.js";
import { type MachineFactoryFor, type TriggerMachine } from "./machine.js";
import { NeverNode } from "./never.js";
import { OrFinallyNode } from "./or-finally.js";
import { RepeatedlyNode } from "./repeatedly.js";
import { type TriggerNode } from "./node.js";

/** Builds the machine tree of a trigger: one node per trigger in the expression, each with no state. */
function build(t: Trigger, merging: boolean): TriggerNode {
  const sub = (s: Trigger): TriggerNode => build(s, merging);
  switch (t.kind) {
    case "default":
      return new DefaultNode(merging);
    case "never":
      return new NeverNode(merging);
    case "afterCount":
      return new AfterCountNode(merging, t.count);
    case "afterProcessingTime":
      return new AfterProcessingTimeNode(merging, t.delay);
    case "afterWatermark":
      // Beam: early defaults to never when only late firings are given; with neither it is pastEndOfWindow.
      if (t.early === null && t.late === null) return new EndOfWindowNode(merging);
      return new EarlyLateNode(merging, t.early ? sub(t.early) : new NeverNode(merging), t.late && sub(t.late));
    case "repeatedly":
      return new RepeatedlyNode(merging, sub(t.trigger));
    case "afterEach":
      return new AfterEachNode(merging, t.triggers.map(sub));
    case "afterAny":
      return new AfterAnyNode(merging, t.triggers.map(sub));
    case "afterAll":
      return new AfterAllNode(merging, t.triggers.map(sub));
    case "orFinally":
      return new OrFinallyNode(merging, sub(t.trigger), sub(t.until));
  }
}

/** Stateless roots: one machine serves every window (default is by far the most common trigger). */
const isStateless = (t: Trigger): boolean => t.kind === "default" || t.kind === "never";

/**
 * The state machines of a trigger, with Apache Beam's semantics (runners-core's
 * TriggerStateMachine classes), for the window operator: one machine per (key, window).
 * Pass `{ merging: true }` for merging windows (sessions).
 *
 * A machine's snapshot is a few bytes (finished bits and counts as varints, deadlines as
 * zigzag varints; none for default and never) and only makes sense to a factory of the same
 * trigger, which the graph hash guarantees on restore. A default or never machine has no state
 * and is one shared instance.
 */
export const triggerMachines: MachineFactoryFor = (trigger, options = {}) => {
  const merging = options.merging ?? false;
  if (isStateless(trigger)) {
    const shared = build(trigger, merging);
    return { create: () => shared, restore: () => shared };
  }
  return {
    create: (): TriggerMachine => build(trigger, merging),
    restore: (r: BinaryReader): TriggerMachine => {
      const machine = build(trigger, merging);
      machine.read(r);
      return machine;
    },
  };
};
