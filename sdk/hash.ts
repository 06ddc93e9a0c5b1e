import { createHash } from "node:crypto";

/** JSON with object keys sorted, so equal graphs serialise to equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** A deterministic hash of a graph: sha-256 of its canonical JSON, hex. */
export const graphHash = (graph: unknown): string => createHash("sha256").update(canonicalJson(graph)).digest("hex");
