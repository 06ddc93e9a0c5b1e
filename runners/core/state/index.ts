// Keyed state and timers: key encoding and key groups, the state backend, the timer service.
export {
  DEFAULT_MAX_PARALLELISM,
  GLOBAL_NAMESPACE,
  type KeyGroupRange,
  MAX_KEY_GROUPS,
  decodeKey,
  encodeKey,
  inKeyGroupRange,
  keyGroupOf,
  keyGroupRange,
  murmur3,
  windowNamespace,
  windowOfNamespace,
  workerForKeyGroup,
} from "./keys.js";
export { KeyedStateBackend, type StateEntry, type StateHandles, type StateKind, type StateSpecs } from "./backend.js";
export { type FiredTimer, type TimeDomain, type TimerAddress, TimerService } from "./timers.js";
