/**
 * A signal a loop sleeps on: `wait` returns after the timeout or at the next `signal`, whichever
 * comes first. A signal sent while nobody waits is kept, so a wake-up is never lost.
 */
export class Wakeup {
  private pending = false;
  private wake?: () => void;

  signal(): void {
    this.pending = true;
    this.wake?.();
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wake = done;
    });
  }
}
