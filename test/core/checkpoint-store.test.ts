import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import {
  type CheckpointKind,
  type CheckpointManifestInput,
  CheckpointError,
  CheckpointStore,
} from "../../runners/core/checkpoint/index.js";

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "beamline-checkpoint-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const input: CheckpointManifestInput = {
  job: "page-views",
  graphHash: "abc123",
  parallelism: 2,
  maxParallelism: 128,
  meta: { sources: { Views: [{ partition: 0, offset: 42 }] }, finished: false },
};
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** Writes a checkpoint with one file holding its id. */
async function write(store: CheckpointStore, id: number, kind: CheckpointKind = "checkpoint") {
  const writer = await store.begin(id, kind);
  await writer.put("state", bytes(`state of ${id}`));
  return writer.complete(input);
}

const listing = async (dir: string) => (await readdir(dir)).sort();

describe("write, complete and open", () => {
  test("round-trips several files and the manifest", async () => {
    const store = new CheckpointStore(root);
    const writer = await store.begin(42);
    expect(writer.dir).toBe(path.join(root, "chk-0000000042.inprogress"));
    const files = { "worker-0.state": bytes("zero"), "worker-1.state": bytes("one"), "empty.bin": new Uint8Array(0) };
    for (const [name, data] of Object.entries(files)) await writer.put(name, data);
    const done = await writer.complete(input);

    expect(done.path).toBe(path.join(root, "chk-0000000042"));
    expect(await listing(root)).toEqual(["chk-0000000042"]);
    expect(await listing(done.path)).toEqual(["empty.bin", "manifest.json", "worker-0.state", "worker-1.state"]);

    const opened = await CheckpointStore.open(done.path);
    expect(opened.manifest).toEqual(done.manifest);
    expect(opened.manifest).toMatchObject({ version: 1, id: 42, kind: "checkpoint", ...input });
    expect(opened.manifest.files.map((f) => [f.name, f.bytes])).toEqual([
      ["empty.bin", 0],
      ["worker-0.state", 4],
      ["worker-1.state", 3],
    ]);
    expect(Number.isNaN(Date.parse(opened.manifest.createdAt))).toBe(false);
    for (const [name, data] of Object.entries(files)) expect(await opened.read(name)).toEqual(data);
    await expect(opened.read("missing")).rejects.toThrow(/has no file "missing"/);
  });

  test("open() of the store directory means its latest checkpoint", async () => {
    const store = new CheckpointStore(root);
    await write(store, 1);
    await write(store, 2);
    const opened = await CheckpointStore.open(root);
    expect(opened.manifest.id).toBe(2);
    expect(text(await opened.read("state"))).toBe("state of 2");
  });

  test("open() of a directory with no checkpoint says so", async () => {
    await expect(CheckpointStore.open(root)).rejects.toThrow(`no complete checkpoint under ${root}`);
  });

  test("savepoints go under savepoints/ with an sp- name", async () => {
    const store = new CheckpointStore(root);
    const done = await write(store, 7, "savepoint");
    expect(done.path).toBe(path.join(root, "savepoints", "sp-0000000007"));
    expect((await CheckpointStore.open(done.path)).manifest.kind).toBe("savepoint");
  });

  test("an id is not reused, by a checkpoint or a savepoint", async () => {
    const store = new CheckpointStore(root);
    await write(store, 3);
    await expect(store.begin(3)).rejects.toThrow(/chk-0000000003 already exists/);
    await expect(store.begin(3, "savepoint")).rejects.toThrow(/chk-0000000003 already exists/);
    await expect(store.begin(-1)).rejects.toThrow(/id must be an integer/);
    await expect(store.begin(1.5)).rejects.toThrow(/id must be an integer/);
  });
});

describe("latest", () => {
  test("is null for an empty or missing store", async () => {
    expect(await new CheckpointStore(root).latest()).toBeNull();
    expect(await new CheckpointStore(path.join(root, "nowhere")).latest()).toBeNull();
  });

  test("picks the highest id among checkpoints and savepoints", async () => {
    const store = new CheckpointStore(root);
    await write(store, 1);
    await write(store, 2, "savepoint");
    expect((await store.latest())?.manifest).toMatchObject({ id: 2, kind: "savepoint" });
    await write(store, 3);
    expect((await store.latest())?.manifest).toMatchObject({ id: 3, kind: "checkpoint" });
    // Zero-padding keeps names in id order; ids past 9 must not sort as text would without it.
    await write(store, 10);
    expect((await store.latest())?.manifest.id).toBe(10);
  });

  test("ignores .inprogress directories and final directories without a manifest", async () => {
    const store = new CheckpointStore(root);
    await write(store, 1);
    const leftover = await store.begin(5);
    await leftover.put("state", bytes("half written"));
    // A crash between the rename and the manifest's rename leaves a final name without manifest.json.
    await mkdir(path.join(root, "chk-0000000004"));
    await writeFile(path.join(root, "chk-0000000004", "manifest.json.tmp"), "{");
    await mkdir(path.join(root, "savepoints", "sp-0000000006"), { recursive: true });

    const latest = await store.latest();
    expect(latest?.manifest.id).toBe(1);
    expect(latest?.path).toBe(path.join(root, "chk-0000000001"));
  });
});

describe("prune", () => {
  test("keeps the last `retain` checkpoints and every savepoint", async () => {
    const store = new CheckpointStore(root, { retain: 2 });
    await write(store, 1);
    await write(store, 2, "savepoint");
    await write(store, 3);
    await write(store, 4);
    await write(store, 5, "savepoint");
    await write(store, 6);
    expect(await listing(root)).toEqual(["chk-0000000004", "chk-0000000006", "savepoints"]);
    expect(await listing(path.join(root, "savepoints"))).toEqual(["sp-0000000002", "sp-0000000005"]);
  });

  test("retains 3 checkpoints by default", async () => {
    const store = new CheckpointStore(root);
    for (let id = 1; id <= 5; id++) await write(store, id);
    expect(await listing(root)).toEqual(["chk-0000000003", "chk-0000000004", "chk-0000000005"]);
  });

  test("removes crash leftovers but not a directory another writer is filling", async () => {
    const store = new CheckpointStore(root);
    await write(store, 1);
    await mkdir(path.join(root, "chk-0000000002.inprogress"));
    await mkdir(path.join(root, "chk-0000000003"));
    await mkdir(path.join(root, "savepoints", "sp-0000000004.inprogress"), { recursive: true });
    await mkdir(path.join(root, "unrelated"));
    const open = await store.begin(9);

    await store.prune();
    expect(await listing(root)).toEqual(["chk-0000000001", "chk-0000000009.inprogress", "savepoints", "unrelated"]);
    expect(await listing(path.join(root, "savepoints"))).toEqual([]);
    await open.put("state", bytes("still writing"));
    expect((await open.complete(input)).manifest.id).toBe(9);
  });

  test("a new store's prune() removes a leftover from a crashed run", async () => {
    const crashed = await new CheckpointStore(root).begin(2);
    await crashed.put("state", bytes("lost"));
    await new CheckpointStore(root).prune();
    expect(await listing(root)).toEqual([]);
  });

  test("a leftover .inprogress of the same id is replaced by begin()", async () => {
    await mkdir(path.join(root, "chk-0000000002.inprogress"));
    await writeFile(path.join(root, "chk-0000000002.inprogress", "state"), "stale");
    const done = await write(new CheckpointStore(root), 2);
    expect(text(await done.read("state"))).toBe("state of 2");
  });

  test("retain must be a positive integer", () => {
    expect(() => new CheckpointStore(root, { retain: 0 })).toThrow(/retain must be an integer >= 1/);
  });
});

describe("corruption", () => {
  test("a changed byte fails open() and read(), naming the file", async () => {
    const store = new CheckpointStore(root);
    const done = await write(store, 1);
    const file = path.join(done.path, "state");
    const data = await readFile(file);
    data[0] = data[0]! ^ 0xff;
    await writeFile(file, data);

    await expect(CheckpointStore.open(done.path)).rejects.toThrow(CheckpointError);
    await expect(CheckpointStore.open(done.path)).rejects.toThrow(`checkpoint file ${file} is corrupt: sha256`);
    await expect(store.latest()).rejects.toThrow(`checkpoint file ${file} is corrupt`);
    await expect(done.read("state")).rejects.toThrow(`checkpoint file ${file} is corrupt: sha256`);
  });

  test("a truncated or missing file fails open(), naming the file", async () => {
    const done = await write(new CheckpointStore(root), 1);
    const file = path.join(done.path, "state");
    await writeFile(file, "short");
    await expect(CheckpointStore.open(done.path)).rejects.toThrow(
      `checkpoint file ${file} is corrupt: 5 bytes, manifest says 10`,
    );
    await rm(file);
    await expect(CheckpointStore.open(done.path)).rejects.toThrow(`checkpoint file ${file} cannot be read`);
  });

  test("a directory without a manifest is not a checkpoint", async () => {
    const dir = path.join(root, "chk-0000000001");
    await mkdir(dir);
    await expect(CheckpointStore.open(dir)).rejects.toThrow(`checkpoint ${dir} has no manifest.json, so it never completed`);
  });

  test("a bad manifest fails open(), naming it and what is wrong", async () => {
    const done = await write(new CheckpointStore(root), 1);
    const manifestPath = path.join(done.path, "manifest.json");
    const original = JSON.parse(await readFile(manifestPath, "utf8")) as Record<string, unknown>;
    const cases: [string, string][] = [
      ["{ not json", "is not valid JSON"],
      [JSON.stringify({ ...original, version: 2 }), "has version 2, expected 1"],
      [JSON.stringify({ ...original, parallelism: 0 }), "no positive integer parallelism"],
      [JSON.stringify({ ...original, files: [{ name: "../escape", bytes: 1, sha256: "00" }] }), 'bad file name "../escape"'],
      [JSON.stringify({ ...original, id: 2 }), "it is for chk-0000000002, not chk-0000000001"],
    ];
    for (const [contents, message] of cases) {
      await writeFile(manifestPath, contents);
      await expect(CheckpointStore.open(done.path)).rejects.toThrow(`checkpoint manifest ${manifestPath}`);
      await expect(CheckpointStore.open(done.path)).rejects.toThrow(message);
    }
  });
});

describe("writer", () => {
  test("rejects names that are not plain file names, and duplicates", async () => {
    const writer = await new CheckpointStore(root).begin(1);
    for (const name of ["", ".", "..", "a/b", "../x", "a\\b", "manifest.json", "manifest.json.tmp"])
      await expect(writer.put(name, bytes("x")), name).rejects.toThrow(CheckpointError);
    await writer.put("ok", bytes("x"));
    await expect(writer.put("ok", bytes("y"))).rejects.toThrow(/"ok" .* was already written/);
    expect(await listing(writer.dir)).toEqual(["ok"]);
  });

  test("abort() removes the in-progress directory and closes the writer", async () => {
    const store = new CheckpointStore(root);
    const writer = await store.begin(1);
    await writer.put("state", bytes("x"));
    await writer.abort();
    expect(await listing(root)).toEqual([]);
    await expect(writer.put("more", bytes("x"))).rejects.toThrow(/already completed or aborted/);
    await expect(writer.complete(input)).rejects.toThrow(/already completed or aborted/);
    expect(await store.latest()).toBeNull();
  });

  test("a completed writer takes no more files", async () => {
    const writer = await new CheckpointStore(root).begin(1);
    await writer.complete(input);
    await expect(writer.put("late", bytes("x"))).rejects.toThrow(/already completed or aborted/);
  });

  test("complete() rejects an invalid manifest and leaves the checkpoint in progress", async () => {
    const writer = await new CheckpointStore(root).begin(1);
    await expect(writer.complete({ ...input, maxParallelism: 1 })).rejects.toThrow(/maxParallelism >= parallelism/);
    expect(await listing(root)).toEqual(["chk-0000000001.inprogress"]);
    await writer.abort();
  });
});
