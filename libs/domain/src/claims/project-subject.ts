import type { RecordedEvent } from '../events/event-types.js';
import { isDeleted, type SubjectState } from './claims-document.js';
import { evolve } from './evolve.js';

/** The subject's events are not contiguous: an event was read before an earlier one of its stream. */
export class StreamGapError extends Error {
  constructor(expectedVersion: number, foundVersion: number) {
    super(`subject stream has a gap: expected version ${expectedVersion}, found ${foundVersion}`);
    this.name = 'StreamGapError';
  }
}

export interface SubjectProjection {
  /** The state after the events; `null` only when there was no state and no event. */
  state: SubjectState | null;
  /** Whether any event was folded in (events at or below the current version are skipped). */
  changed: boolean;
  /**
   * Lookup names the subject held before or during these events and holds no longer. An earlier
   * attempt may have written any of them, so all of them are released, not only the last ones.
   */
  releasedNames: string[];
}

/**
 * Folds a subject's events, in version order, into its current state. Events the document
 * already reflects are skipped, which makes replays and duplicate deliveries harmless.
 */
export function projectSubject(current: SubjectState | null, events: readonly RecordedEvent[]): SubjectProjection {
  let state: SubjectState | null = current;
  const heldNames = new Set(current && !isDeleted(current) ? Object.keys(current.names) : []);
  let changed = false;
  for (const event of events) {
    const currentVersion = state?.version ?? 0;
    if (event.version <= currentVersion) continue;
    if (event.version !== currentVersion + 1) throw new StreamGapError(currentVersion + 1, event.version);
    const namesBefore = state !== null && !isDeleted(state) ? state.names : undefined;
    state = evolve(state, event);
    changed = true;
    // Only a registration gives a document a new `names` map; other events keep the same one.
    if (!isDeleted(state) && state.names !== namesBefore) Object.keys(state.names).forEach((name) => heldNames.add(name));
  }
  const stillHeld = state !== null && !isDeleted(state) ? state.names : {};
  return { state, changed, releasedNames: [...heldNames].filter((name) => !Object.hasOwn(stillHeld, name)) };
}
