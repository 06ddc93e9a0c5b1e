import { type StateSpecNode } from "../../../sdk/graph.js";

/** The four kinds of keyed state (sdk/dofn.ts). */
export type StateKind = StateSpecNode["kind"];

/**
 * One piece of non-empty state. `data` is the value (value), the items (bag), the
 * accumulator (combining) or a Map from encoded map key to [key, value] (map).
 */
export interface Cell {
  readonly kind: StateKind;
  data: unknown;
}

/** The state of one (step, key, namespace), by state name. */
export interface Scope {
  readonly step: string;
  readonly key: string;
  readonly namespace: string;
  readonly cells: Map<string, Cell>;
}

/** Length-prefixed so that no two (step, key, namespace) triples share an id. */
export const scopeId = (step: string, key: string, namespace: string): string =>
  `${step.length}:${step}${key.length}:${key}${namespace}`;

/**
 * Cells by key group, then scope, then state name. Only non-empty state has a cell, and
 * emptied scopes and key groups are removed, so cleared state costs nothing.
 */
export class CellStore {
  readonly groups = new Map<number, Map<string, Scope>>();
  private count = 0;

  /** Number of non-empty cells. */
  get size(): number {
    return this.count;
  }

  scope(keyGroup: number, id: string): Scope | undefined {
    return this.groups.get(keyGroup)?.get(id);
  }

  /** Adds a scope restored from a snapshot (its cells are counted). */
  addScope(keyGroup: number, scope: Scope): void {
    let group = this.groups.get(keyGroup);
    if (!group) this.groups.set(keyGroup, (group = new Map()));
    group.set(scopeId(scope.step, scope.key, scope.namespace), scope);
    this.count += scope.cells.size;
  }

  put(keyGroup: number, step: string, key: string, namespace: string, name: string, cell: Cell): void {
    const id = scopeId(step, key, namespace);
    let group = this.groups.get(keyGroup);
    if (!group) this.groups.set(keyGroup, (group = new Map()));
    let scope = group.get(id);
    if (!scope) group.set(id, (scope = { step, key, namespace, cells: new Map() }));
    if (!scope.cells.has(name)) this.count++;
    scope.cells.set(name, cell);
  }

  drop(keyGroup: number, id: string, name: string): void {
    const group = this.groups.get(keyGroup);
    const scope = group?.get(id);
    if (!group || !scope || !scope.cells.delete(name)) return;
    this.count--;
    if (scope.cells.size > 0) return;
    group.delete(id);
    if (group.size === 0) this.groups.delete(keyGroup);
  }

  dropScope(keyGroup: number, id: string): void {
    const group = this.groups.get(keyGroup);
    const scope = group?.get(id);
    if (!group || !scope) return;
    this.count -= scope.cells.size;
    group.delete(id);
    if (group.size === 0) this.groups.delete(keyGroup);
  }
}

/**
 * Where one declared state lives, and what kind it was declared as. Reading a cell of another
 * kind (state restored into a pipeline whose declarations changed) fails, naming both.
 */
export class CellRef {
  private readonly id: string;

  constructor(
    private readonly store: CellStore,
    readonly step: string,
    readonly keyGroup: number,
    readonly key: string,
    readonly namespace: string,
    readonly name: string,
    readonly kind: StateKind,
  ) {
    this.id = scopeId(step, key, namespace);
  }

  get(): Cell | undefined {
    const cell = this.store.scope(this.keyGroup, this.id)?.cells.get(this.name);
    if (cell && cell.kind !== this.kind)
      throw new TypeError(
        `state "${this.name}" of step "${this.step}" holds ${cell.kind} state but is declared as ${this.kind} state ` +
          `(was it restored from a pipeline with other state declarations?)`,
      );
    return cell;
  }

  put(data: unknown): void {
    const cell = this.get();
    if (cell) cell.data = data;
    else this.store.put(this.keyGroup, this.step, this.key, this.namespace, this.name, { kind: this.kind, data });
  }

  drop(): void {
    this.store.drop(this.keyGroup, this.id, this.name);
  }
}
