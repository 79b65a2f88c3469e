import { ClaimsWriter } from '@app/claims-store';
import { projectSubject } from '@app/domain';
import { EventStore, type LogRange } from '@app/event-store';
import { Injectable } from '@nestjs/common';

export interface ProjectionResult {
  subjects: number;
  events: number;
}

/**
 * Keeps the Redis projection current: for every subject with events in a stretch of the log, it
 * folds every event the stored document does not reflect yet and writes the result. The job is
 * idempotent and order-free: a duplicate finds nothing new, and a job that runs early simply
 * projects further than its stretch.
 */
@Injectable()
export class ProjectionService {
  constructor(
    private readonly store: EventStore,
    private readonly claims: ClaimsWriter,
  ) {}

  async project(range: LogRange): Promise<ProjectionResult> {
    const subjects = await this.store.subjectsIn(range);
    if (subjects.length === 0) return { subjects: 0, events: 0 };
    const states = await this.claims.states(subjects);
    const streams = await this.store.readStreams(new Map(subjects.map((subject) => [subject, states.get(subject)?.version ?? 0])));
    const projections = subjects.map((subject) => projectSubject(states.get(subject) ?? null, streams.get(subject) ?? []));
    await Promise.all(projections.map((projection) => this.claims.apply(projection)));
    return { subjects: subjects.length, events: [...streams.values()].reduce((sum, events) => sum + events.length, 0) };
  }
}
