import { ClaimsWriter, ProjectionStateStore, writtenGenerations } from '@app/claims-store';
import { projectSubject, type RecordedEvent, type SubjectState } from '@app/domain';
import { EventStore, PROJECTED_CHECKPOINT, RelayCheckpoints, type LogRange } from '@app/event-store';
import { REBUILD_JOB_OPTIONS, REBUILD_QUEUE, removeGenerationJobId, type ProjectionJobs, type RebuildJobData } from '@app/jobs';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

/** Streams a rebuild reads at once, and how many such reads and writes it has in flight. */
const REPLAY_BATCH_SUBJECTS = 250;
const REPLAY_LANES = 2;

export interface ProjectionResult {
  subjects: number;
  events: number;
}

/**
 * Keeps the Redis projection current: for every subject it is given, in every generation being
 * written, it folds every event the stored state does not reflect yet and writes the result. The
 * work is idempotent and order-free: a duplicate finds nothing new, and a job that runs early
 * simply projects further than its stretch.
 */
@Injectable()
export class ProjectionService {
  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: RelayCheckpoints,
    private readonly claims: ClaimsWriter,
    private readonly state: ProjectionStateStore,
    @InjectQueue(REBUILD_QUEUE) private readonly rebuildQueue: Queue<RebuildJobData>,
  ) {}

  /** A relayed stretch of the log: the subjects with events in it. Its end is recorded as projected. */
  async project(range: LogRange): Promise<ProjectionResult> {
    const state = await this.state.read();
    // Redis lost the projection: the rebuild that the projection's guard starts covers these events.
    if (state === null) return { subjects: 0, events: 0 };
    const result = await this.projectSubjects(writtenGenerations(state), await this.store.subjectsIn(range));
    await this.checkpoints.save(PROJECTED_CHECKPOINT, range.to);
    return result;
  }

  /** A subject a hook missed while the projection is cold, found from the log by the hash it was missed by. */
  async backfill(backfill: ProjectionJobs['backfill']): Promise<ProjectionResult> {
    const state = await this.state.read();
    if (state === null) return { subjects: 0, events: 0 };
    const subjects = backfill.by === 'subject' ? await this.store.subjectsWithKey(backfill.hash) : await this.store.subjectsWithName(backfill.hash);
    return this.projectSubjects(writtenGenerations(state), subjects);
  }

  /**
   * A rebuild's chunk: the streams in an ordinal range, replayed into the generation being built.
   * Streams are read whole and folded from nothing, so what the generation holds need not be read:
   * an entry a relayed job already took further keeps its newer version (the write is a no-op).
   * Whole streams also hold every name to index. The chunk is replayed in batches on two lanes, so
   * that one lane's Postgres read runs while the other's Redis writes do.
   */
  async replayStreams(chunk: ProjectionJobs['rebuild-chunk']): Promise<ProjectionResult> {
    const state = await this.state.read();
    // A rebuild that Redis lost, or that another replaced, has nothing left to fill.
    if (state?.building !== chunk.generation) return { subjects: 0, events: 0 };
    const batches = inBatches(await this.store.subjectsByOrdinal(chunk.afterOrdinal, chunk.throughOrdinal), REPLAY_BATCH_SUBJECTS);
    const results: ProjectionResult[] = [];
    const lane = async (): Promise<void> => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) results.push(await this.replayBatch(chunk.generation, batch));
    };
    const lanes = await Promise.allSettled(Array.from({ length: REPLAY_LANES }, lane));
    const failed = lanes.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    return { subjects: sum(results, 'subjects'), events: sum(results, 'events') };
  }

  private async replayBatch(generation: string, subjects: readonly string[]): Promise<ProjectionResult> {
    const streams = await this.store.readStreams(new Map(subjects.map((subject) => [subject, 0])));
    const [result] = await Promise.all([this.write([generation], subjects, [new Map()], streams), this.store.indexLookupNames([...streams.values()].flat())]);
    return result;
  }

  /**
   * Stops writing a generation readers have left. As a job of the projection queue it runs while no
   * other projection job does, so none writes the generation after this; its keys are then removed
   * off the projection's path.
   */
  async retire(generation: string): Promise<void> {
    await this.state.retire(generation);
    await this.rebuildQueue.add('remove-generation', { generation }, { ...REBUILD_JOB_OPTIONS, jobId: removeGenerationJobId(generation) });
  }

  private async projectSubjects(generations: readonly string[], subjects: readonly string[]): Promise<ProjectionResult> {
    if (subjects.length === 0 || generations.length === 0) return { subjects: 0, events: 0 };
    const stored = await this.storedStates(generations, subjects);
    const readFrom = subjects.map((subject): [string, number] => [subject, Math.min(...stored.map((states) => states.get(subject)?.version ?? 0))]);
    return this.write(generations, subjects, stored, await this.store.readStreams(new Map(readFrom)));
  }

  /** Each generation's stored states of the subjects, in the order of `generations`. */
  private storedStates(generations: readonly string[], subjects: readonly string[]): Promise<Array<Map<string, SubjectState>>> {
    return Promise.all(generations.map((generation) => this.claims.states(generation, subjects)));
  }

  /** Folds each subject's events onto what each generation has of it, and writes what changed. */
  private async write(
    generations: readonly string[],
    subjects: readonly string[],
    stored: ReadonlyArray<Map<string, SubjectState>>,
    streams: ReadonlyMap<string, RecordedEvent[]>,
  ): Promise<ProjectionResult> {
    await Promise.all(
      generations.flatMap((generation, index) =>
        subjects.map((subject) => this.claims.apply(generation, projectSubject(stored[index]!.get(subject) ?? null, streams.get(subject) ?? []))),
      ),
    );
    return { subjects: subjects.length, events: [...streams.values()].reduce((sum, events) => sum + events.length, 0) };
  }
}

function inBatches<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

function sum(results: readonly ProjectionResult[], field: keyof ProjectionResult): number {
  return results.reduce((total, result) => total + result[field], 0);
}
