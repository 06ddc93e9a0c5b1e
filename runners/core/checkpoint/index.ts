// Checkpoint storage: directories written in full, made to exist by a manifest written last.
export {
  type CheckpointFile,
  type CheckpointKind,
  type CheckpointManifest,
  type CheckpointManifestInput,
  type CheckpointWriter,
  type CompletedCheckpoint,
  CheckpointError,
  CheckpointStore,
} from "./store.js";
