/** A keyed element: the input of grouping, combining per key, joins and keyed state. */
export interface KV<K, V> {
  readonly key: K;
  readonly value: V;
}

export const kv = <K, V>(key: K, value: V): KV<K, V> => ({ key, value });

/** Whether a value has the KV shape (used by runners to report non-KV input clearly). */
export const isKV = (x: unknown): x is KV<unknown, unknown> => typeof x === "object" && x !== null && "key" in x && "value" in x;
