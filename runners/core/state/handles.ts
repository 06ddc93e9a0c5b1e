import { type CombineFn } from "../../../sdk/combine.js";
import { type BagState, type CombiningState, type MapState, type StateSpec, type ValueState } from "../../../sdk/dofn.js";
import { encodeKey } from "./keys.js";
import { type CellRef } from "./store.js";

// A DoFn's view of one declared state for the current key and namespace. Handles keep
// references, as Flink's heap backend does: a value changed after `write`/`add` changes the
// state too (and whatever the next snapshot captures), so write it again rather than mutate it.

export type AnyCombineFn = CombineFn<unknown, unknown, unknown>;

class ValueHandle<T> implements ValueState<T> {
  constructor(private readonly ref: CellRef) {}

  read(): T | undefined {
    return this.ref.get()?.data as T | undefined;
  }

  /** Writing undefined clears: absent and undefined are one state. */
  write(value: T): void {
    if (value === undefined) this.ref.drop();
    else this.ref.put(value);
  }

  clear(): void {
    this.ref.drop();
  }
}

class BagHandle<T> implements BagState<T> {
  constructor(private readonly ref: CellRef) {}

  add(value: T): void {
    const items = this.ref.get()?.data as T[] | undefined;
    if (items) items.push(value);
    else this.ref.put([value]);
  }

  /** A copy, so that adding while iterating the result is safe. */
  read(): readonly T[] {
    const items = this.ref.get()?.data as T[] | undefined;
    return items ? items.slice() : [];
  }

  isEmpty(): boolean {
    return this.ref.get() === undefined;
  }

  clear(): void {
    this.ref.drop();
  }
}

/** Keeps only the accumulator; an empty state reads as the output of a fresh accumulator (as in Beam). */
class CombiningHandle<I, O> implements CombiningState<I, O> {
  constructor(
    private readonly ref: CellRef,
    private readonly fn: AnyCombineFn,
  ) {}

  add(value: I): void {
    const cell = this.ref.get();
    this.ref.put(this.fn.addInput(cell ? cell.data : this.fn.createAccumulator(), value));
  }

  read(): O {
    const cell = this.ref.get();
    return this.fn.extractOutput(cell ? cell.data : this.fn.createAccumulator()) as O;
  }

  clear(): void {
    this.ref.drop();
  }
}

/** Map keys are compared structurally, through encodeKey (so they follow its rules). */
class MapHandle<K, V> implements MapState<K, V> {
  constructor(private readonly ref: CellRef) {}

  private entriesMap(): Map<string, [K, V]> | undefined {
    return this.ref.get()?.data as Map<string, [K, V]> | undefined;
  }

  get(key: K): V | undefined {
    return this.entriesMap()?.get(encodeKey(key))?.[1];
  }

  set(key: K, value: V): void {
    const map = this.entriesMap();
    if (map) map.set(encodeKey(key), [key, value]);
    else this.ref.put(new Map([[encodeKey(key), [key, value]]]));
  }

  delete(key: K): void {
    const map = this.entriesMap();
    if (map?.delete(encodeKey(key)) && map.size === 0) this.ref.drop();
  }

  /** A copy, so that changing the map while iterating the result is safe. */
  entries(): Iterable<[K, V]> {
    const map = this.entriesMap();
    return map ? [...map.values()].map(([k, v]): [K, V] => [k, v]) : [];
  }

  clear(): void {
    this.ref.drop();
  }
}

export function combinerOf(spec: StateSpec<unknown>, name: string, step: string): AnyCombineFn {
  if (!spec.combiner) throw new TypeError(`combining state "${name}" of step "${step}" has no combiner`);
  return spec.combiner as unknown as AnyCombineFn;
}

/** The handle for a declared state at `ref`. */
export function makeHandle(ref: CellRef, spec: StateSpec<unknown>): unknown {
  switch (spec.kind) {
    case "value":
      return new ValueHandle(ref);
    case "bag":
      return new BagHandle(ref);
    case "combining":
      return new CombiningHandle(ref, combinerOf(spec, ref.name, ref.step));
    case "map":
      return new MapHandle(ref);
  }
}
