/**
 * Runs a task (the site's publish) once per burst of requests: `request()` arms a timer that
 * fires `quietMs` after the last request, or `maxWaitMs` after the first one of a burst that
 * never goes quiet. Never two runs at once: a request during a run makes one more run after it.
 */
export interface CoalescerOptions {
  quietMs: number;
  maxWaitMs: number;
  onError: (error: unknown) => void;
}

export class Coalescer {
  private timer: NodeJS.Timeout | undefined;
  private firstRequest: number | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly options: CoalescerOptions,
  ) {}

  /** Something changed: run the task once things are quiet. */
  request(): void {
    if (this.stopped) return;
    const now = Date.now();
    this.firstRequest ??= now;
    const deadline = this.firstRequest + this.options.maxWaitMs;
    const wait = Math.max(0, Math.min(this.options.quietMs, deadline - now));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fire(), wait);
  }

  /** Run the task now (start-up), after the current run if there is one. */
  async runNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.firstRequest = undefined;
    await this.running;
    await this.start();
  }

  /** Resolves when no run is in progress. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** No more runs; waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  private fire(): void {
    this.timer = undefined;
    this.firstRequest = undefined;
    if (this.running) {
      this.dirty = true;
      return;
    }
    void this.start();
  }

  private start(): Promise<void> {
    const run = (async () => {
      try {
        await this.task();
      } catch (error) {
        this.options.onError(error);
      } finally {
        this.running = undefined;
        if (this.dirty && !this.stopped) {
          this.dirty = false;
          this.request();
        }
      }
    })();
    this.running = run;
    return run;
  }
}
