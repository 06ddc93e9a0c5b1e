// The trigger state machines of the shared core: what the window operator asks when to emit panes.
export {
  type TriggerContext,
  type TriggerMachine,
  type TriggerMachineFactory,
  type TriggerMachineOptions,
  type MachineFactoryFor,
} from "./machine.js";
export { triggerMachines } from "./factory.js";
