import { INGEST_KEY, type Post } from './stack.js';

/**
 * Producers appending through `POST /events`: batches of ten events for random subjects, one
 * batch every few milliseconds, until stopped. Counts what the service acknowledged; what it
 * refused is not in the log, so "the projection matches the log" means "every acknowledged event
 * was projected".
 */
export class SteadyIngest {
  acknowledged = 0;
  refused = 0;
  /** Acknowledged events per subject: how far each subject's projected version must get. */
  readonly acknowledgedBySubject = new Map<string, number>();
  /** Refused batches by the status they were answered with (0: no answer at all). */
  readonly refusedWith = new Map<number, number>();
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly api: { post: Post },
    private readonly subjects: number,
    private readonly pauseMs = 10,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    let sequence = 0;
    while (!this.stopping) {
      const events = Array.from({ length: 10 }, () => {
        const subject = `s${Math.floor(Math.random() * this.subjects)}`;
        sequence += 1;
        return sequence % 2 === 0
          ? { type: 'patient.linked', subject, data: { patientId: `p${sequence}` } }
          : { type: 'claims.granted', subject, data: { claims: { sequence } } };
      });
      const response = await this.api.post('/events', events, { authorization: `Bearer ${INGEST_KEY}` }).catch(() => undefined);
      await response?.text();
      if (response?.ok) {
        this.acknowledged += events.length;
        for (const { subject } of events) increment(this.acknowledgedBySubject, subject);
      } else {
        this.refused += events.length;
        increment(this.refusedWith, response?.status ?? 0);
      }
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
  }
}

function increment<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}
