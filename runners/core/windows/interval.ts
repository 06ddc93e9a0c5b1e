import { type Instant, type Window } from "../../../sdk/index.js";

/** A window [start, end), frozen so it can be shared between a window set, its snapshots and callers. */
export const intervalWindow = (start: Instant, end: Instant): Window => Object.freeze({ start, end });

/** Whether two windows share a timestamp. Touching windows ([a, b) and [b, c)) do not (Beam's IntervalWindow.intersects). */
export const intersects = (a: Window, b: Window): boolean => a.start < b.end && b.start < a.end;

/** The smallest window covering both (Beam's IntervalWindow.span). */
export const span = (a: Window, b: Window): Window => intervalWindow(Math.min(a.start, b.start), Math.max(a.end, b.end));

/** Whether `t` lies in the half-open window. */
export const containsTimestamp = (w: Window, t: Instant): boolean => w.start <= t && t < w.end;

export const sameWindow = (a: Window, b: Window): boolean => a.start === b.start && a.end === b.end;

/** Orders by start, then end (Beam's IntervalWindow.compareTo). */
export const compareWindows = (a: Window, b: Window): number => a.start - b.start || a.end - b.end;
