import { type StateSpec } from "../../../sdk/dofn.js";
import { BinaryReader, BinaryWriter } from "../codec.js";
import { combinerOf, makeHandle } from "./handles.js";
import { GLOBAL_NAMESPACE, type KeyGroupRange, encodeKey, inKeyGroupRange, readEncodedKey, writeEncodedKey } from "./keys.js";
import { type Cell, CellRef, CellStore, type Scope, type StateKind, scopeId } from "./store.js";

export { type StateKind } from "./store.js";

/** A step's state declarations by name (a DoFn's `state`). */
export type StateSpecs = Readonly<Record<string, StateSpec<unknown>>>;

/** The typed handles for a set of declarations, as a DoFn's `ctx.state` sees them. */
export type StateHandles<S extends StateSpecs> = { readonly [K in keyof S]: S[K] extends StateSpec<infer H> ? H : never };

/** One non-empty state, as `entries()` lists it. */
export interface StateEntry {
  readonly step: string;
  readonly keyGroup: number;
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly kind: StateKind;
  readonly contents: unknown;
}

const MAGIC = 0x53; // "S"
const VERSION = 1;
const KIND_CODES: Readonly<Record<StateKind, number>> = { value: 0, bag: 1, combining: 2, map: 3 };
const KINDS: readonly StateKind[] = ["value", "bag", "combining", "map"];

/**
 * Keyed state of every stateful step on one worker, addressed by (step, key group, encoded
 * key, namespace, state name); the namespace is a window's (windowNamespace) or
 * GLOBAL_NAMESPACE. Value, bag, combining and map state as in Beam's InMemoryStateInternals;
 * laid out by key group as in Flink's heap backend, so that a snapshot holds each key group
 * apart and a restore can take any subset of them when the parallelism changes.
 */
export class KeyedStateBackend {
  private readonly store = new CellStore();

  /**
   * Handles on the declared state of `step` for one key and namespace. The specs carry the
   * combiners of combining state, so handles are cheap and the backend keeps no functions.
   */
  handles<S extends StateSpecs>(
    step: string,
    specs: S,
    encodedKey: string,
    keyGroup: number,
    namespace: string = GLOBAL_NAMESPACE,
  ): StateHandles<S> {
    const out: Record<string, unknown> = {};
    for (const [name, spec] of Object.entries(specs))
      out[name] = makeHandle(new CellRef(this.store, step, keyGroup, encodedKey, namespace, name, spec.kind), spec);
    return out as StateHandles<S>;
  }

  /** Clears every state of `step` for one key and namespace (a window's garbage collection). */
  clearNamespace(step: string, encodedKey: string, keyGroup: number, namespace: string = GLOBAL_NAMESPACE): void {
    this.store.dropScope(keyGroup, scopeId(step, encodedKey, namespace));
  }

  /**
   * Merges the state of `sources` into `target` and clears the sources, for merging (session)
   * windows. As in Beam's StateMerging, bags concatenate (target's items first) and combining
   * state merges accumulators; value and map state cannot be merged and throw.
   */
  mergeNamespaces(
    step: string,
    specs: StateSpecs,
    encodedKey: string,
    keyGroup: number,
    sources: readonly string[],
    target: string,
  ): void {
    const others = sources.filter((s) => s !== target);
    for (const [name, spec] of Object.entries(specs))
      if (spec.kind !== "bag" && spec.kind !== "combining")
        throw new TypeError(`${spec.kind} state "${name}" of step "${step}" cannot be merged (only bag and combining state can)`);
    for (const [name, spec] of Object.entries(specs)) {
      const ref = (ns: string) => new CellRef(this.store, step, keyGroup, encodedKey, ns, name, spec.kind);
      const into = ref(target);
      const from = others.map(ref);
      const parts = [into, ...from].map((r) => r.get()).filter((c): c is Cell => c !== undefined);
      switch (spec.kind) {
        case "bag":
          if (parts.length > 0) into.put(parts.flatMap((c) => c.data as unknown[]));
          break;
        default:
          if (parts.length > 0) into.put(combinerOf(spec, name, step).mergeAccumulators(parts.map((c) => c.data)));
      }
      for (const r of from) r.drop();
    }
  }

  /** Number of non-empty states held (cleared state holds nothing). */
  get size(): number {
    return this.store.size;
  }

  /**
   * Every non-empty state, by ascending key group (for inspection and tests): a value's value,
   * a bag's items, a combining state's accumulator, a map's [key, value] pairs.
   */
  *entries(): Iterable<StateEntry> {
    for (const keyGroup of this.keyGroups())
      for (const { step, key, namespace, cells } of this.store.groups.get(keyGroup)?.values() ?? [])
        for (const [name, { kind, data }] of cells) {
          const contents =
            kind === "bag" ? (data as unknown[]).slice() : kind === "map" ? [...(data as Map<string, unknown>).values()] : data;
          yield { step, keyGroup, key, namespace, name, kind, contents };
        }
  }

  /** The key groups that hold state, ascending. */
  keyGroups(): number[] {
    return [...this.store.groups.keys()].sort((a, b) => a - b);
  }

  /**
   * The state of the given key groups (default: all), each key group written apart, in
   * ascending order. Structure goes through varints and strings, user values through the
   * codec's `value()` (one per state).
   */
  snapshot(keyGroups?: Iterable<number>): Uint8Array {
    const wanted = keyGroups ? [...new Set(keyGroups)].filter((g) => this.store.groups.has(g)) : [...this.store.groups.keys()];
    wanted.sort((a, b) => a - b);
    const w = new BinaryWriter().u8(MAGIC).u8(VERSION).uvarint(wanted.length);
    for (const g of wanted) w.uvarint(g).bytes(writeGroup(this.store.groups.get(g) ?? new Map()));
    return w.finish();
  }

  /**
   * A backend with the key groups in `owned` from any number of snapshots (one per former
   * worker when rescaling); other key groups are skipped without decoding their values.
   */
  static restore(snapshots: Iterable<Uint8Array>, owned: KeyGroupRange): KeyedStateBackend {
    const backend = new KeyedStateBackend();
    const seen = new Set<number>();
    for (const bytes of snapshots) {
      const r = new BinaryReader(bytes);
      checkHeader(r);
      for (let n = r.uvarint(); n > 0; n--) {
        const g = r.uvarint();
        const section = r.bytes();
        if (!inKeyGroupRange(owned, g)) continue;
        if (seen.has(g)) throw new Error(`keyed state snapshot: key group ${g} appears in more than one snapshot`);
        seen.add(g);
        readGroup(new BinaryReader(section), g, backend.store);
      }
      if (!r.done) throw new Error("keyed state snapshot: trailing bytes");
    }
    return backend;
  }
}

function checkHeader(r: BinaryReader): void {
  const magic = r.u8();
  const version = r.u8();
  if (magic !== MAGIC) throw new Error("not a keyed state snapshot");
  if (version !== VERSION)
    throw new Error(`keyed state snapshot version ${version} is not supported (this build reads ${VERSION})`);
}

function writeGroup(group: ReadonlyMap<string, Scope>): Uint8Array {
  const w = new BinaryWriter().uvarint(group.size);
  for (const scope of group.values()) {
    w.string(scope.step);
    writeEncodedKey(w, scope.key);
    w.string(scope.namespace).uvarint(scope.cells.size);
    for (const [name, cell] of scope.cells) {
      w.string(name).u8(KIND_CODES[cell.kind]);
      // A map cell's encoded keys are derived data: only the [key, value] pairs are written.
      w.value(cell.kind === "map" ? [...(cell.data as Map<string, unknown>).values()] : cell.data);
    }
  }
  return w.finish();
}

function readGroup(r: BinaryReader, keyGroup: number, store: CellStore): void {
  for (let n = r.uvarint(); n > 0; n--) {
    const scope: Scope = { step: r.string(), key: readEncodedKey(r), namespace: r.string(), cells: new Map() };
    for (let m = r.uvarint(); m > 0; m--) {
      const name = r.string();
      const code = r.u8();
      const kind = KINDS[code];
      if (!kind) throw new Error(`keyed state snapshot: unknown state kind ${code}`);
      const raw = r.value();
      const data = kind === "map" ? new Map((raw as [unknown, unknown][]).map((e) => [encodeKey(e[0]), e])) : raw;
      scope.cells.set(name, { kind, data });
    }
    store.addScope(keyGroup, scope);
  }
  if (!r.done) throw new Error(`keyed state snapshot: trailing bytes in key group ${keyGroup}`);
}
