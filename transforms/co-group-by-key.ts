import { type KV, type PCollection, defineTransform, groupByKey, kv, parDo } from "../sdk/index.js";
import { flatten } from "./flatten.js";

/** Per key, the values of every input by its tag; a tag with no values has an empty array. */
export type CoGroupByKeyResult<V> = { [Tag in keyof V]: V[Tag][] };

/** A value marked with the input it came from, so one shuffle can carry all inputs. */
interface Tagged {
  readonly tag: string;
  readonly value: unknown;
}

const tagValues = <K>(tag: string) =>
  parDo<KV<K, unknown>, KV<K, Tagged>>(
    { process: (element, ctx) => ctx.output(kv(element.key, { tag, value: element.value })) },
    { kind: "coGroupByKey.tag", name: `Tag[${tag}]` },
  );

const untag = <K>(tags: readonly string[]) =>
  parDo<KV<K, Tagged[]>, KV<K, Record<string, unknown[]>>>(
    {
      process: (element, ctx) => {
        const grouped: Record<string, unknown[]> = Object.fromEntries(tags.map((tag) => [tag, []]));
        for (const { tag, value } of element.value) {
          const list = grouped[tag];
          if (!list) throw new Error(`internal: coGroupByKey value with unknown tag "${tag}"`);
          list.push(value);
        }
        ctx.output(kv(element.key, grouped));
      },
    },
    { kind: "coGroupByKey.untag", name: "Untag" },
  );

/**
 * Groups several keyed collections by key at once (Beam's CoGroupByKey): the basis of joins.
 * The intersection with a Record makes TS infer K from every input, so mismatched keys fail to compile.
 */
export function coGroupByKey<K, V extends Record<string, unknown>>(
  inputs: { readonly [Tag in keyof V]: PCollection<KV<K, V[Tag]>> } & Readonly<Record<string, PCollection<KV<K, unknown>>>>,
  name?: string,
): PCollection<KV<K, CoGroupByKeyResult<V>>> {
  const tags = Object.keys(inputs);
  const first = tags[0] === undefined ? undefined : inputs[tags[0]];
  if (!first) throw new Error(`coGroupByKey${name === undefined ? "" : ` "${name}"`} needs at least one input collection`);
  const t = defineTransform(
    { kind: "coGroupByKey", name, params: { tags } },
    (record: Readonly<Record<string, PCollection<KV<K, unknown>>>>): PCollection<KV<K, CoGroupByKeyResult<V>>> => {
      const tagged = tags.map((tag) => record[tag]!.apply(tagValues<K>(tag)));
      const grouped = flatten(tagged, "Flatten").pipe(groupByKey("GroupByKey"), untag<K>(tags));
      return grouped as PCollection<KV<K, CoGroupByKeyResult<V>>>;
    },
  );
  return first._builder.apply(inputs, t);
}
