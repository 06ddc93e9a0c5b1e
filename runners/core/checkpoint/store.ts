import { createHash } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { type Json } from "../../../sdk/index.js";

/** What a completed checkpoint holds; written last, as `manifest.json`, and its presence is what makes the checkpoint exist. */
export interface CheckpointManifest {
  readonly version: 1;
  /** Increasing per job, shared by checkpoints and savepoints. */
  readonly id: number;
  readonly kind: CheckpointKind;
  /** The pipeline's name. */
  readonly job: string;
  readonly graphHash: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** ISO time. */
  readonly createdAt: string;
  /** Every file of the checkpoint (the manifest aside). */
  readonly files: readonly CheckpointFile[];
  /** Runner-specific: source positions, pending sink files, finished flag... */
  readonly meta: Json;
}

export type CheckpointKind = "checkpoint" | "savepoint";

export interface CheckpointFile {
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
}

/** What the runner supplies on completion; the store fills in the rest. */
export type CheckpointManifestInput = Omit<CheckpointManifest, "version" | "id" | "kind" | "files" | "createdAt">;

/** A checkpoint being written: files go into `<name>.inprogress` until `complete()`. */
export interface CheckpointWriter {
  readonly dir: string;
  /** Writes and fsyncs one file; `name` is a plain file name. */
  put(name: string, bytes: Uint8Array): Promise<void>;
  /** Renames the directory to its final name, then writes the manifest by atomic rename; then prunes the store. */
  complete(manifest: CheckpointManifestInput): Promise<CompletedCheckpoint>;
  /** Removes the in-progress directory. */
  abort(): Promise<void>;
}

/** A checkpoint with a manifest whose files all matched their size and sha256 when opened. */
export interface CompletedCheckpoint {
  readonly path: string;
  readonly manifest: CheckpointManifest;
  /** One file's contents, verified against the manifest again. */
  read(name: string): Promise<Uint8Array>;
}

/** A checkpoint that cannot be written or read; the message names the path and the cause. */
export class CheckpointError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "CheckpointError";
  }
}

const MANIFEST = "manifest.json";
const MANIFEST_TMP = "manifest.json.tmp";
const SAVEPOINTS = "savepoints";
const INPROGRESS = ".inprogress";
const ID_DIGITS = 10;
const MAX_ID = 10 ** ID_DIGITS - 1;
const PREFIX: Readonly<Record<CheckpointKind, string>> = { checkpoint: "chk", savepoint: "sp" };
const NAME_PATTERN = /^(chk|sp)-(\d{10})(\.inprogress)?$/;
const SHA256_PATTERN = /^[0-9a-f]{64}$/;

const finalName = (id: number, kind: CheckpointKind) => `${PREFIX[kind]}-${String(id).padStart(ID_DIGITS, "0")}`;

/**
 * Checkpoints of one job under `dir` (`chk-<id>`) and `dir/savepoints` (`sp-<id>`), written
 * by one coordinator. A checkpoint exists once its manifest does: directories without one
 * (a crash before the manifest's rename) and `.inprogress` leftovers are ignored, then
 * pruned. The newest `retain` checkpoints are kept; savepoints are never pruned.
 */
export class CheckpointStore {
  private readonly retain: number;
  /** In-progress directories of this store's open writers, which prune() must leave alone. */
  private readonly writing = new Set<string>();

  constructor(
    readonly dir: string,
    options: { retain?: number } = {},
  ) {
    this.retain = options.retain ?? 3;
    if (!Number.isInteger(this.retain) || this.retain < 1)
      throw new CheckpointError(`checkpoint store ${dir}: retain must be an integer >= 1, got ${this.retain}`, dir);
  }

  /** Starts checkpoint `id`; a leftover `.inprogress` of the same id (from a crash) is replaced. */
  async begin(id: number, kind: CheckpointKind = "checkpoint"): Promise<CheckpointWriter> {
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_ID)
      throw new CheckpointError(`checkpoint store ${this.dir}: id must be an integer in 0..${MAX_ID}, got ${id}`, this.dir);
    for (const k of ["checkpoint", "savepoint"] as const) {
      const existing = path.join(this.parentOf(k), finalName(id, k));
      if (await exists(existing))
        throw new CheckpointError(`checkpoint ${existing} already exists: ids must not be reused`, existing);
    }
    const parent = this.parentOf(kind);
    const dir = path.join(parent, finalName(id, kind) + INPROGRESS);
    await fsOp(dir, "create checkpoint directory", async () => {
      await mkdir(parent, { recursive: true });
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
    });
    this.writing.add(dir);
    return new Writer(
      dir,
      path.join(parent, finalName(id, kind)),
      id,
      kind,
      () => this.writing.delete(dir),
      () => this.prune(),
    );
  }

  /** The newest complete checkpoint or savepoint (by id), or null if there is none. */
  async latest(): Promise<CompletedCheckpoint | null> {
    const found = await completedUnder(this.dir);
    const newest = found[found.length - 1];
    return newest ? CheckpointStore.open(newest.path) : null;
  }

  /** Opens a checkpoint directory, or a store's directory meaning its latest checkpoint; verifies every file. */
  static async open(target: string): Promise<CompletedCheckpoint> {
    const resolved = path.resolve(target);
    if (!NAME_PATTERN.test(path.basename(resolved)) && !(await exists(path.join(resolved, MANIFEST)))) {
      const found = await completedUnder(resolved);
      const newest = found[found.length - 1];
      if (!newest)
        throw new CheckpointError(`no complete checkpoint under ${resolved} (no directory with a ${MANIFEST})`, resolved);
      return openCheckpoint(newest.path);
    }
    return openCheckpoint(resolved);
  }

  /** Removes `.inprogress` leftovers, directories without a manifest and checkpoints older than the newest `retain`. */
  async prune(): Promise<void> {
    const entries = [...(await listEntries(this.dir)), ...(await listEntries(path.join(this.dir, SAVEPOINTS)))];
    const complete: Entry[] = [];
    for (const entry of entries) {
      if (entry.inProgress) {
        if (!this.writing.has(entry.path)) await remove(entry.path);
      } else if (!(await exists(path.join(entry.path, MANIFEST)))) await remove(entry.path);
      else if (entry.kind === "checkpoint") complete.push(entry);
    }
    complete.sort((a, b) => a.id - b.id);
    for (const old of complete.slice(0, Math.max(0, complete.length - this.retain))) await remove(old.path);
  }

  private parentOf(kind: CheckpointKind): string {
    return kind === "savepoint" ? path.join(this.dir, SAVEPOINTS) : this.dir;
  }
}

class Writer implements CheckpointWriter {
  private readonly files = new Map<string, CheckpointFile>();
  private state: "open" | "completing" | "closed" = "open";

  constructor(
    readonly dir: string,
    private readonly finalDir: string,
    private readonly id: number,
    private readonly kind: CheckpointKind,
    private readonly release: () => void,
    private readonly prune: () => Promise<void>,
  ) {}

  async put(name: string, bytes: Uint8Array): Promise<void> {
    this.checkOpen();
    const file = path.join(this.dir, name);
    const problem = badName(name) ?? (this.files.has(name) ? "was already written" : undefined);
    if (problem) throw new CheckpointError(`checkpoint file ${JSON.stringify(name)} in ${this.dir} ${problem}`, file);
    await fsOp(file, "write checkpoint file", async () => {
      const handle = await open(file, "wx");
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    this.files.set(name, { name, bytes: bytes.byteLength, sha256: sha256(bytes) });
  }

  async complete(input: CheckpointManifestInput): Promise<CompletedCheckpoint> {
    this.checkOpen();
    const manifest: CheckpointManifest = {
      version: 1,
      id: this.id,
      kind: this.kind,
      job: input.job,
      graphHash: input.graphHash,
      parallelism: input.parallelism,
      maxParallelism: input.maxParallelism,
      createdAt: new Date().toISOString(),
      files: [...this.files.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      meta: input.meta,
    };
    const problem = manifestProblem(manifest);
    if (problem) throw new CheckpointError(`checkpoint ${this.dir}: cannot complete, the manifest ${problem}`, this.dir);
    this.state = "completing";
    const parent = path.dirname(this.finalDir);
    const target = path.join(this.finalDir, MANIFEST);
    const tmp = path.join(this.finalDir, MANIFEST_TMP);
    try {
      await fsOp(this.finalDir, "complete checkpoint", async () => {
        await syncDir(this.dir);
        await rename(this.dir, this.finalDir);
        await writeSynced(tmp, JSON.stringify(manifest, null, 2) + "\n");
        await rename(tmp, target);
        await syncDir(this.finalDir);
        await syncDir(parent);
      });
    } finally {
      // Whatever a failure left behind has no manifest, so it does not exist and the next prune() removes it.
      this.state = "closed";
      this.release();
    }
    await this.prune();
    return new Completed(this.finalDir, manifest);
  }

  async abort(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.release();
    await remove(this.dir);
  }

  private checkOpen(): void {
    if (this.state !== "open") throw new CheckpointError(`checkpoint ${this.dir} was already completed or aborted`, this.dir);
  }
}

class Completed implements CompletedCheckpoint {
  private readonly byName: ReadonlyMap<string, CheckpointFile>;

  constructor(
    readonly path: string,
    readonly manifest: CheckpointManifest,
  ) {
    this.byName = new Map(manifest.files.map((f) => [f.name, f]));
  }

  async read(name: string): Promise<Uint8Array> {
    const entry = this.byName.get(name);
    const file = path.join(this.path, name);
    if (!entry) throw new CheckpointError(`checkpoint ${this.path} has no file ${JSON.stringify(name)} in its manifest`, file);
    return readVerified(file, entry);
  }
}

async function openCheckpoint(dir: string): Promise<CompletedCheckpoint> {
  const manifestPath = path.join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(manifestPath, "utf8");
  } catch (cause) {
    const why = errorCode(cause) === "ENOENT" ? `has no ${MANIFEST}, so it never completed` : `cannot read ${MANIFEST}`;
    throw new CheckpointError(`checkpoint ${dir} ${why} (${String(cause)})`, manifestPath, { cause });
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError(`checkpoint manifest ${manifestPath} is not valid JSON (${String(cause)})`, manifestPath, {
      cause,
    });
  }
  const problem = manifestProblem(manifest) ?? nameMismatch(manifest as CheckpointManifest, dir);
  if (problem) throw new CheckpointError(`checkpoint manifest ${manifestPath} is bad: ${problem}`, manifestPath);
  const checkpoint = new Completed(dir, manifest as CheckpointManifest);
  for (const file of checkpoint.manifest.files) await readVerified(path.join(dir, file.name), file);
  return checkpoint;
}

async function readVerified(file: string, entry: CheckpointFile): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (cause) {
    throw new CheckpointError(`checkpoint file ${file} cannot be read (${String(cause)})`, file, { cause });
  }
  if (bytes.byteLength !== entry.bytes)
    throw new CheckpointError(
      `checkpoint file ${file} is corrupt: ${bytes.byteLength} bytes, manifest says ${entry.bytes}`,
      file,
    );
  const digest = sha256(bytes);
  if (digest !== entry.sha256)
    throw new CheckpointError(`checkpoint file ${file} is corrupt: sha256 ${digest}, manifest says ${entry.sha256}`, file);
  return bytes;
}

/** Why `m` is not a valid manifest, or undefined if it is. */
function manifestProblem(m: unknown): string | undefined {
  if (typeof m !== "object" || m === null || Array.isArray(m)) return "is not a JSON object";
  const r = m as Record<string, unknown>;
  if (r.version !== 1) return `has version ${JSON.stringify(r.version)}, expected 1`;
  if (!Number.isSafeInteger(r.id) || (r.id as number) < 0 || (r.id as number) > MAX_ID) return "has no valid id";
  if (r.kind !== "checkpoint" && r.kind !== "savepoint") return `has kind ${JSON.stringify(r.kind)}`;
  for (const key of ["job", "graphHash", "createdAt"] as const) if (typeof r[key] !== "string") return `has no string ${key}`;
  if (!Number.isSafeInteger(r.parallelism) || (r.parallelism as number) < 1) return "has no positive integer parallelism";
  if (!Number.isSafeInteger(r.maxParallelism) || (r.maxParallelism as number) < (r.parallelism as number))
    return "has no integer maxParallelism >= parallelism";
  if (!("meta" in r) || r.meta === undefined) return "has no meta";
  if (!Array.isArray(r.files)) return "has no files list";
  const seen = new Set<string>();
  for (const f of r.files as unknown[]) {
    const file = (typeof f === "object" && f !== null ? f : {}) as Record<string, unknown>;
    const name = file.name;
    if (typeof name !== "string" || badName(name) || seen.has(name)) return `lists a bad file name ${JSON.stringify(name)}`;
    if (!Number.isSafeInteger(file.bytes) || (file.bytes as number) < 0) return `lists no valid size for ${name}`;
    if (typeof file.sha256 !== "string" || !SHA256_PATTERN.test(file.sha256)) return `lists no valid sha256 for ${name}`;
    seen.add(name);
  }
  return undefined;
}

/** A manifest must describe the directory it is in, so a copied or renamed checkpoint is not mistaken for another. */
function nameMismatch(m: CheckpointManifest, dir: string): string | undefined {
  const match = NAME_PATTERN.exec(path.basename(dir));
  if (!match || match[3]) return undefined;
  const expected = finalName(m.id, m.kind);
  return path.basename(dir) === expected ? undefined : `it is for ${expected}, not ${path.basename(dir)}`;
}

/** Why `name` is not a plain file name for a checkpoint, or undefined. */
function badName(name: string): string | undefined {
  if (name === "") return "is empty";
  if (name === "." || name === "..") return "is not a file name";
  if (/[/\\\0]/.test(name)) return "must be a plain file name (no '/', '\\' or NUL)";
  if (name === MANIFEST || name === MANIFEST_TMP) return "is reserved for the manifest";
  return undefined;
}

interface Entry {
  readonly path: string;
  readonly id: number;
  readonly kind: CheckpointKind;
  readonly inProgress: boolean;
}

/** Checkpoint and savepoint directories (complete or not) directly in `dir`; none if `dir` does not exist. */
async function listEntries(dir: string): Promise<Entry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    if (errorCode(cause) === "ENOENT") return [];
    throw new CheckpointError(`cannot list checkpoints in ${dir} (${String(cause)})`, dir, { cause });
  }
  return names.flatMap((name) => {
    const match = NAME_PATTERN.exec(name);
    if (!match) return [];
    const kind: CheckpointKind = match[1] === "sp" ? "savepoint" : "checkpoint";
    return [{ path: path.join(dir, name), id: Number(match[2]), kind, inProgress: match[3] !== undefined }];
  });
}

/** Checkpoints and savepoints under a store directory that have a manifest, oldest first. */
async function completedUnder(dir: string): Promise<Entry[]> {
  const entries = [...(await listEntries(dir)), ...(await listEntries(path.join(dir, SAVEPOINTS)))];
  const complete: Entry[] = [];
  for (const e of entries) if (!e.inProgress && (await exists(path.join(e.path, MANIFEST)))) complete.push(e);
  return complete.sort((a, b) => a.id - b.id || (a.kind === b.kind ? 0 : a.kind === "checkpoint" ? -1 : 1));
}

/** Deletes the manifest first, so a crash halfway leaves a directory that no longer counts as a checkpoint. */
async function remove(dir: string): Promise<void> {
  await fsOp(dir, "remove checkpoint directory", async () => {
    await unlink(path.join(dir, MANIFEST)).catch((cause: unknown) => {
      if (errorCode(cause) !== "ENOENT") throw cause;
    });
    await rm(dir, { recursive: true, force: true });
  });
}

async function writeSynced(file: string, text: string): Promise<void> {
  const handle = await open(file, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

// Platforms that cannot open or fsync a directory (Windows, some file systems) say so with these codes.
const NO_DIR_SYNC = new Set(["EISDIR", "EPERM", "EACCES", "EINVAL", "ENOTSUP", "EBADF"]);

/** Makes a directory's entries (creations, renames) durable, where the platform allows it. */
async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (cause) {
    if (!NO_DIR_SYNC.has(errorCode(cause) ?? "")) throw cause;
  } finally {
    await handle?.close();
  }
}

async function fsOp(target: string, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (cause) {
    if (cause instanceof CheckpointError) throw cause;
    throw new CheckpointError(`cannot ${what} ${target} (${String(cause)})`, target, { cause });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch (cause) {
    if (errorCode(cause) === "ENOENT") return false;
    throw new CheckpointError(`cannot stat ${p} (${String(cause)})`, p, { cause });
  }
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
