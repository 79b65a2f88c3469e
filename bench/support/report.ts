import { cpus, loadavg, totalmem } from 'node:os';

/** The value below which `fraction` of the values lie (nearest rank); `values` sorted ascending. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  return values[Math.min(values.length - 1, Math.max(0, Math.ceil(fraction * values.length) - 1))]!;
}

export interface Latencies {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** p50, p99 and max of a set of durations, in their unit. */
export function latencies(values: readonly number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? Number.NaN };
}

/** Milliseconds with one decimal, as the tables print them. */
export function ms(value: number): number {
  return Number(value.toFixed(1));
}

/** Seconds since `since` (a `performance.now()`), with one decimal. */
export function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/**
 * The machine a run happened on, and how busy it was: the figures of a 2-core machine shared with
 * other work move a lot, and the load average tells a reader how much to trust them.
 */
export function machine(): string {
  const [one, five] = loadavg();
  return `${cpus().length} CPUs (${cpus()[0]?.model}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average ${one!.toFixed(2)} (1 min), ${five!.toFixed(2)} (5 min)`;
}

/** `met` or `NOT met`, for the line that compares a figure with its target. */
export function verdict(met: boolean): string {
  return met ? 'met' : 'NOT met';
}
