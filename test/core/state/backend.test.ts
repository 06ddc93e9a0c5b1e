import { describe, expect, test } from "vitest";
import { KeyedStateBackend } from "../../../runners/core/state/backend.js";
import { encodeKey, keyGroupOf, keyGroupRange, windowNamespace } from "../../../runners/core/state/keys.js";
import {
  type CombineFn,
  bagState,
  combiningState,
  countDistinctFn,
  mapState,
  meanFn,
  sumFn,
  valueState,
} from "../../../sdk/index.js";

const ALL = keyGroupRange(0, 1);
const at = (key: unknown) => {
  const k = encodeKey(key);
  return [k, keyGroupOf(k)] as const;
};

const specs = {
  last: valueState<string>(),
  items: bagState<number>(),
  total: combiningState(sumFn()),
  byName: mapState<{ first: string; last: string }, number>(),
};

describe("value state", () => {
  test("reads what was last written, undefined when empty or cleared", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", specs, ...at("k"));
    expect(s.last.read()).toBeUndefined();
    s.last.write("a");
    s.last.write("b");
    expect(s.last.read()).toBe("b");
    expect(backend.handles("Step", specs, ...at("k")).last.read()).toBe("b");
    s.last.clear();
    expect(s.last.read()).toBeUndefined();
    expect(backend.size).toBe(0);
  });

  test("writing undefined clears, so absent and undefined are one state", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { v: valueState<string | undefined>() }, ...at("k"));
    s.v.write("x");
    s.v.write(undefined);
    expect(backend.size).toBe(0);
  });

  test("keeps falsy values", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { n: valueState<number>(), b: valueState<boolean>(), z: valueState<null>() }, ...at("k"));
    s.n.write(0);
    s.b.write(false);
    s.z.write(null);
    expect([s.n.read(), s.b.read(), s.z.read()]).toEqual([0, false, null]);
    expect(backend.size).toBe(3);
  });
});

describe("bag state", () => {
  test("reads its items in the order added; read gives a copy", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", specs, ...at("k"));
    expect(s.items.isEmpty()).toBe(true);
    expect(s.items.read()).toEqual([]);
    for (const x of [3, 1, 2, 1]) s.items.add(x);
    const read = s.items.read();
    s.items.add(9);
    expect(read).toEqual([3, 1, 2, 1]);
    expect(s.items.read()).toEqual([3, 1, 2, 1, 9]);
    expect(s.items.isEmpty()).toBe(false);
    s.items.clear();
    expect(s.items.isEmpty()).toBe(true);
    expect(backend.size).toBe(0);
  });
});

describe("combining state", () => {
  test("keeps an accumulator and reads its output; empty reads as a fresh accumulator's output", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { sum: combiningState(sumFn()), mean: combiningState(meanFn()) }, ...at("k"));
    expect(s.sum.read()).toBe(0);
    expect(s.mean.read()).toBeNaN();
    for (const x of [1, 2, 6]) {
      s.sum.add(x);
      s.mean.add(x);
    }
    expect([s.sum.read(), s.mean.read()]).toEqual([9, 3]);
    s.sum.clear();
    expect(s.sum.read()).toBe(0);
    expect(s.mean.read()).toBe(3);
    expect(backend.size).toBe(1);
  });

  test("works with accumulators that addInput mutates in place", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { distinct: combiningState(countDistinctFn<string>()) }, ...at("k"));
    for (const x of ["a", "b", "a", "c"]) s.distinct.add(x);
    expect(s.distinct.read()).toBe(3);
  });

  test("calls the combiner of the spec it is given", () => {
    const calls: string[] = [];
    const longest: CombineFn<string, string, number> = {
      createAccumulator: () => (calls.push("create"), ""),
      addInput: (a, x) => (calls.push("add"), x.length > a.length ? x : a),
      mergeAccumulators: (accs) => [...accs].reduce((a, b) => (b.length > a.length ? b : a), ""),
      extractOutput: (a) => (calls.push("extract"), a.length),
    };
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { longest: combiningState(longest) }, ...at("k"));
    s.longest.add("ab");
    s.longest.add("abcd");
    expect(s.longest.read()).toBe(4);
    expect(calls).toEqual(["create", "add", "add", "extract"]);
  });
});

describe("map state", () => {
  test("compares keys structurally", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", specs, ...at("k"));
    s.byName.set({ first: "Ada", last: "Lovelace" }, 1);
    s.byName.set({ last: "Lovelace", first: "Ada" }, 2);
    s.byName.set({ first: "Alan", last: "Turing" }, 3);
    expect(s.byName.get({ first: "Ada", last: "Lovelace" })).toBe(2);
    expect(s.byName.get({ first: "Grace", last: "Hopper" })).toBeUndefined();
    expect([...s.byName.entries()]).toEqual([
      [{ first: "Ada", last: "Lovelace" }, 2],
      [{ first: "Alan", last: "Turing" }, 3],
    ]);
  });

  test("entries are a copy; deleting the last entry or clearing frees the state", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", { m: mapState<string, number>() }, ...at("k"));
    s.m.set("a", 1);
    s.m.set("b", 2);
    for (const [k] of s.m.entries()) s.m.delete(k);
    expect([...s.m.entries()]).toEqual([]);
    expect(backend.size).toBe(0);
    s.m.set("a", 1);
    s.m.delete("nope");
    expect(backend.size).toBe(1);
    s.m.clear();
    expect(backend.size).toBe(0);
    expect(s.m.get("a")).toBeUndefined();
  });
});

describe("the backend", () => {
  test("keeps steps, keys, key groups, namespaces and names apart", () => {
    const backend = new KeyedStateBackend();
    const [k, g] = at("k");
    const addresses = [
      backend.handles("A", specs, k, g),
      backend.handles("B", specs, k, g),
      backend.handles("A", specs, ...at("other")),
      backend.handles("A", specs, k, g, windowNamespace({ start: 0, end: 10 })),
      backend.handles("A", specs, k, g, windowNamespace({ start: 10, end: 20 })),
    ];
    addresses.forEach((s, i) => s.last.write(`v${i}`));
    expect(addresses.map((s) => s.last.read())).toEqual(["v0", "v1", "v2", "v3", "v4"]);
    expect(addresses.map((s) => s.items.isEmpty())).toEqual([true, true, true, true, true]);
    // A step name that runs into the key must not collide with another split of the same text.
    const one = backend.handles("ab", { v: valueState<number>() }, "c", 0);
    const two = backend.handles("a", { v: valueState<number>() }, "bc", 0);
    one.v.write(1);
    two.v.write(2);
    expect([one.v.read(), two.v.read()]).toEqual([1, 2]);
  });

  test("holds nothing once everything is cleared", () => {
    const backend = new KeyedStateBackend();
    for (let i = 0; i < 100; i++) {
      const s = backend.handles("Step", specs, ...at(i), windowNamespace({ start: i, end: i + 1 }));
      s.last.write("x");
      s.items.add(i);
      s.total.add(i);
      s.byName.set({ first: "a", last: "b" }, i);
    }
    expect(backend.size).toBe(400);
    expect(backend.keyGroups().length).toBeGreaterThan(50);
    for (let i = 0; i < 100; i++) {
      const s = backend.handles("Step", specs, ...at(i), windowNamespace({ start: i, end: i + 1 }));
      for (const h of [s.last, s.items, s.total, s.byName]) h.clear();
    }
    expect(backend.size).toBe(0);
    expect(backend.keyGroups()).toEqual([]);
    expect(KeyedStateBackend.restore([backend.snapshot()], ALL).size).toBe(0);
  });

  test("clearNamespace drops every state of one key and window", () => {
    const backend = new KeyedStateBackend();
    const [k, g] = at("k");
    const w1 = windowNamespace({ start: 0, end: 10 });
    const w2 = windowNamespace({ start: 10, end: 20 });
    for (const ns of [w1, w2]) {
      const s = backend.handles("Step", specs, k, g, ns);
      s.last.write(ns);
      s.items.add(1);
    }
    backend.clearNamespace("Step", k, g, w1);
    expect(backend.handles("Step", specs, k, g, w1).last.read()).toBeUndefined();
    expect(backend.handles("Step", specs, k, g, w2).last.read()).toBe(w2);
    expect(backend.size).toBe(2);
  });

  test("merges bag and combining state of merging windows into the target", () => {
    const backend = new KeyedStateBackend();
    const [k, g] = at("k");
    const mergeable = { items: bagState<number>(), total: combiningState(sumFn()) };
    const [a, b, c] = ["0,10", "5,15", "12,20"];
    backend.handles("Step", mergeable, k, g, a).items.add(1);
    backend.handles("Step", mergeable, k, g, b).items.add(2);
    backend.handles("Step", mergeable, k, g, c).items.add(3);
    for (const [ns, x] of [
      [a, 10],
      [c, 30],
    ] as const)
      backend.handles("Step", mergeable, k, g, ns).total.add(x);
    backend.mergeNamespaces("Step", mergeable, k, g, [a, b, c], b);
    const merged = backend.handles("Step", mergeable, k, g, b);
    expect(merged.items.read()).toEqual([2, 1, 3]);
    expect(merged.total.read()).toBe(40);
    for (const ns of [a, c]) expect(backend.handles("Step", mergeable, k, g, ns).items.isEmpty()).toBe(true);
    expect(backend.size).toBe(2);
    expect(() => backend.mergeNamespaces("Step", specs, k, g, [a], b)).toThrow(/value state "last" .* cannot be merged/);
    expect(backend.handles("Step", mergeable, k, g, b).total.read()).toBe(40);
  });

  test("refuses to read state as another kind than it holds", () => {
    const backend = new KeyedStateBackend();
    backend.handles("Step", { s: bagState<number>() }, "k", 0).s.add(1);
    const restored = KeyedStateBackend.restore([backend.snapshot()], ALL);
    expect(() => restored.handles("Step", { s: valueState<number>() }, "k", 0).s.read()).toThrow(
      /state "s" of step "Step" holds bag state but is declared as value state/,
    );
  });

  test("lists its non-empty state by key group", () => {
    const backend = new KeyedStateBackend();
    const s = backend.handles("Step", specs, "sk", 5, "0,10");
    s.last.write("x");
    s.items.add(1);
    s.total.add(2);
    s.byName.set({ first: "a", last: "b" }, 3);
    backend.handles("Step", specs, "sk", 2).items.add(7);
    const common = { step: "Step", key: "sk" };
    expect([...backend.entries()]).toEqual([
      { ...common, keyGroup: 2, namespace: "", name: "items", kind: "bag", contents: [7] },
      { ...common, keyGroup: 5, namespace: "0,10", name: "last", kind: "value", contents: "x" },
      { ...common, keyGroup: 5, namespace: "0,10", name: "items", kind: "bag", contents: [1] },
      { ...common, keyGroup: 5, namespace: "0,10", name: "total", kind: "combining", contents: 2 },
      { ...common, keyGroup: 5, namespace: "0,10", name: "byName", kind: "map", contents: [[{ first: "a", last: "b" }, 3]] },
    ]);
  });

  test("gives typed handles", () => {
    const s = new KeyedStateBackend().handles("Step", specs, "k", 0);
    s.total.add(1);
    s.items.add(2);
    s.byName.set({ first: "a", last: "b" }, 3);
    // @ts-expect-error a sum takes numbers
    s.total.add("1");
    // @ts-expect-error the bag holds numbers
    s.items.add("2");
    // @ts-expect-error map keys are names
    s.byName.set("a", 3);
    const text: string | undefined = s.last.read();
    expect(text).toBeUndefined();
  });
});

describe("snapshots", () => {
  const filled = () => {
    const backend = new KeyedStateBackend();
    for (let i = 0; i < 50; i++) {
      const s = backend.handles("Step", specs, ...at(`key-${i}`), i % 2 ? windowNamespace({ start: 0, end: i }) : "");
      s.last.write(`v${i}`);
      for (let j = 0; j <= i % 4; j++) s.items.add(j);
      s.total.add(i);
      if (i % 3 === 0) s.byName.set({ first: `f${i}`, last: "x" }, i);
    }
    backend.handles("Other", { m: mapState<Date, bigint>() }, ...at({ nested: [1, { a: null }] })).m.set(new Date(3), 5n);
    return backend;
  };

  test("round-trip every kind of state", () => {
    const backend = filled();
    const restored = KeyedStateBackend.restore([backend.snapshot()], ALL);
    expect(restored.size).toBe(backend.size);
    expect(restored.keyGroups()).toEqual(backend.keyGroups());
    expect([...restored.entries()]).toEqual([...backend.entries()]);
    for (let i = 0; i < 50; i++) {
      const ns = i % 2 ? windowNamespace({ start: 0, end: i }) : "";
      const s = restored.handles("Step", specs, ...at(`key-${i}`), ns);
      expect(s.last.read()).toBe(`v${i}`);
      expect(s.items.read()).toEqual([0, 1, 2, 3].slice(0, (i % 4) + 1));
      expect(s.total.read()).toBe(i);
      expect(s.byName.get({ last: "x", first: `f${i}` })).toBe(i % 3 === 0 ? i : undefined);
    }
    const m = restored.handles("Other", { m: mapState<Date, bigint>() }, ...at({ nested: [1, { a: null }] })).m;
    expect(m.get(new Date(3))).toBe(5n);
    expect([...m.entries()]).toEqual([[new Date(3), 5n]]);
  });

  test("a restore is independent of the backend it came from", () => {
    const backend = filled();
    const restored = KeyedStateBackend.restore([backend.snapshot()], ALL);
    backend.handles("Step", specs, ...at("key-0")).items.add(99);
    expect(restored.handles("Step", specs, ...at("key-0")).items.read()).toEqual([0]);
  });

  test("hold each key group apart: a snapshot of some groups restores just those", () => {
    const backend = filled();
    const groups = backend.keyGroups();
    const some = groups.filter((_, i) => i % 3 === 0);
    const restored = KeyedStateBackend.restore([backend.snapshot(some)], ALL);
    expect(restored.keyGroups()).toEqual(some);
  });

  test("restore only the owned key groups, and two halves restore the whole", () => {
    const backend = filled();
    const snap = backend.snapshot();
    const halves = [0, 1].map((w) => KeyedStateBackend.restore([snap], keyGroupRange(w, 2)));
    halves.forEach((h, w) => {
      const range = keyGroupRange(w, 2);
      expect(h.keyGroups().every((g) => g >= range.start && g < range.end)).toBe(true);
    });
    expect(halves[0]!.size + halves[1]!.size).toBe(backend.size);
    const whole = KeyedStateBackend.restore(
      halves.map((h) => h.snapshot()),
      ALL,
    );
    expect([...whole.entries()]).toEqual([...backend.entries()]);
  });

  test("refuse what is not a state snapshot, a key group twice, and truncation", () => {
    const snap = filled().snapshot();
    expect(() => KeyedStateBackend.restore([new Uint8Array([0x54, 1, 0])], ALL)).toThrow(/not a keyed state snapshot/);
    expect(() => KeyedStateBackend.restore([new Uint8Array([0x53, 9, 0])], ALL)).toThrow(/version 9/);
    expect(() => KeyedStateBackend.restore([snap, snap], ALL)).toThrow(/appears in more than one snapshot/);
    expect(() => KeyedStateBackend.restore([snap.subarray(0, snap.length - 3)], ALL)).toThrow(/truncated/);
    expect(KeyedStateBackend.restore([], ALL).size).toBe(0);
  });
});
