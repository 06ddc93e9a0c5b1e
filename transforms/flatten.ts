import { type PCollection, flattenCollections } from "../sdk/index.js";

/** Merges collections of one element type into one; they must share a window function. */
export function flatten<T>(collections: readonly PCollection<T>[], name?: string): PCollection<T> {
  const first = collections[0];
  // There is no builder to apply through without a collection, and no element type to give.
  if (!first)
    throw new Error(`flatten${name === undefined ? "" : ` "${name}"`} needs at least one collection, got an empty list`);
  return first._builder.apply(collections, flattenCollections<T>(name));
}
