import { type z } from "zod";

/** Options problems, all at once, each naming the option and the reason. */
export class OptionsError extends Error {
  constructor(
    readonly pipeline: string,
    readonly problems: readonly { readonly option: string; readonly message: string }[],
  ) {
    super(
      `invalid options for pipeline "${pipeline}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  --${p.option}: ${p.message}`).join("\n"),
    );
    this.name = "OptionsError";
  }
}

export type OptionsSchema = z.ZodObject<z.ZodRawShape>;

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/**
 * Splits `--name=value`, `--name value`, `--flag` and `--no-flag` into raw values keyed by
 * camelCase option name; a repeated option collects into an array.
 */
export function parseFlags(args: readonly string[]): {
  values: Record<string, unknown>;
  problems: { option: string; message: string }[];
} {
  const values: Record<string, unknown> = {};
  const problems: { option: string; message: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("--") || arg === "--") {
      problems.push({ option: arg, message: `unexpected argument "${arg}": options are written --name=value` });
      continue;
    }
    const eq = arg.indexOf("=");
    let key = camel(arg.slice(2, eq < 0 ? undefined : eq));
    let value: unknown;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (args[i + 1] !== undefined && !(args[i + 1] as string).startsWith("--")) value = args[++i];
    else if (key.startsWith("no") && key.length > 2 && /[A-Z]/.test(key[2] as string)) {
      key = key[2]!.toLowerCase() + key.slice(3);
      value = false;
    } else value = true;
    const prev = values[key];
    values[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return { values, problems };
}

/** Turns the flag strings into what the schema's field expects (numbers, booleans, lists). */
function coerce(field: z.ZodType | undefined, raw: unknown): unknown {
  if (!field) return raw;
  const def = field._zod.def as { type: string; innerType?: z.ZodType; element?: z.ZodType };
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
      return coerce(def.innerType, raw);
    case "number":
    case "bigint":
      if (typeof raw !== "string" || raw.trim() === "") return raw;
      try {
        const n = def.type === "bigint" ? BigInt(raw) : Number(raw);
        return typeof n === "number" && Number.isNaN(n) ? raw : n;
      } catch {
        return raw;
      }
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "array":
      return (Array.isArray(raw) ? raw : [raw]).map((r) => coerce(def.element, r));
    default:
      return raw;
  }
}

/**
 * Validates pipeline options given as CLI flags (or an object) against the pipeline's
 * schema. Throws OptionsError listing every bad, missing or unknown option.
 */
export function resolveOptions<S extends OptionsSchema>(
  pipeline: string,
  schema: S,
  input: readonly string[] | Record<string, unknown>,
): z.output<S> {
  const { values, problems } = Array.isArray(input)
    ? parseFlags(input)
    : { values: { ...(input as Record<string, unknown>) }, problems: [] };
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const key of Object.keys(values)) {
    if (!(key in shape))
      problems.push({
        option: kebab(key),
        message: `unknown option (known: ${
          Object.keys(shape)
            .map((k) => `--${kebab(k)}`)
            .join(", ") || "none"
        })`,
      });
    else if (Array.isArray(input)) values[key] = coerce(shape[key], values[key]);
  }
  const parsed = schema.safeParse(values);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const option = issue.path.length > 0 ? issue.path.map((p) => kebab(String(p))).join(".") : "<options>";
      const missing = issue.code === "invalid_type" && values[String(issue.path[0])] === undefined;
      const given = values[String(issue.path[0])];
      const shown = typeof given === "string" ? ` (got "${given}")` : "";
      problems.push({ option, message: missing ? `required option is missing (${issue.message})` : `${issue.message}${shown}` });
    }
  if (problems.length > 0) throw new OptionsError(pipeline, problems);
  return (parsed as { data: z.output<S> }).data;
}
