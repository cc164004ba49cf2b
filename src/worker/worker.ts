/**
 * A worker process's engine: graphile-worker's runner with Orrery's jobs, a heartbeat row, and
 * the reaping of dead workers. Every worker runs graphile-worker's cron, which adds one scheduler
 * tick a minute for the whole cluster: the schedule survives any one process dying. A worker not
 * seen for `staleMs` is taken for dead by the others, who unlock its jobs (graphile-worker alone
 * would wait 4 hours) so that another takes them.
 */
import { EventEmitter } from 'node:events';
import {
  type Job,
  parseCrontab,
  type Runner,
  run,
  type TaskList,
  type WorkerEvents,
} from 'graphile-worker';
import { errorMessage } from '../model/errors.js';
import {
  type JobContext,
  type RefreshJobResult,
  refreshJob,
  renderJob,
  scheduleJob,
} from './jobs.js';
import { type Queue, type RefreshPayload, SCHEDULE_KEY, TASK, thisProcess } from './queue.js';

export type WorkerTask = keyof typeof TASK;

export interface WorkerOptions {
  queue: Queue;
  /** Jobs at once in this process. */
  concurrency: number;
  /** The jobs this process takes (default all three; a run's own worker takes refreshes only). */
  tasks?: readonly WorkerTask[];
  /** How often this process says it is alive (default 10 s). */
  heartbeatMs?: number;
  /** A worker silent this long is dead: its jobs go to others (default 60 s). */
  staleMs?: number;
  /** How often an idle worker looks for jobs that LISTEN/NOTIFY did not announce (default 2 s). */
  pollIntervalMs?: number;
  /** Called as each refresh job ends (progress, tests). */
  onRefresh?: (result: RefreshJobResult) => void;
}

export interface WorkerStats {
  done: number;
  failed: number;
}

export interface RunningWorker {
  /** graphile-worker's id of the current runner (changes when it is restarted). */
  readonly id: string;
  readonly stats: WorkerStats;
  /** Let running jobs finish, then stop (a second call waits for the first). */
  stop(): Promise<void>;
  /** Settles once the worker has stopped. */
  readonly done: Promise<void>;
}

const DEFAULT_HEARTBEAT_MS = 10_000;
const DEFAULT_STALE_MS = 60_000;
/** After the runner dies (the database was gone too long), start again after this long. */
const RESTART_DELAY_MS = 5_000;
const EVERY_MINUTE = `* * * * * ${TASK.schedule} ?max=1&queue=${SCHEDULE_KEY}&jobKey=${SCHEDULE_KEY}&jobKeyMode=preserve_run_at`;

/** Start a worker: it takes jobs until stop(). */
export async function startWorker(ctx: JobContext, options: WorkerOptions): Promise<RunningWorker> {
  const { queue } = options;
  const tasks = new Set<WorkerTask>(options.tasks ?? ['refresh', 'render', 'schedule']);
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  const stats: WorkerStats = { done: 0, failed: 0 };
  const startedAt = new Date().toISOString();
  const taskList = buildTaskList(ctx, options, tasks, stats);

  let runner: Runner | undefined;
  let id = '';
  let stopping = false;
  const launch = async () => {
    const events: WorkerEvents = new EventEmitter() as WorkerEvents;
    events.on('pool:create', ({ workerPool }) => {
      id = workerPool.id;
    });
    events.on('pool:listen:success', ({ client }) => {
      // graphile-worker announces a migration of its tables on one channel for the whole
      // database, not per schema, and stops every runner that hears it: creating another
      // planet's queue in the same database stopped this one. This listener runs before
      // graphile-worker's own and renames that notice, which graphile-worker then ignores. An
      // upgrade restarts every worker anyway, and a runner refuses a schema newer than it knows.
      client.on('notification', (message) => {
        if (message.channel === 'worker:migrate') message.channel = 'worker:migrate (ignored)';
      });
    });
    events.on('job:error', ({ job, error }) => {
      ctx.log('warn', `job ${job.task_identifier} ${describeJob(job)}: ${errorMessage(error)}`);
    });
    runner = await run({
      connectionString: queue.connectionString,
      schema: queue.schema,
      concurrency: options.concurrency,
      // Connections to take and complete jobs (the jobs' own work uses the store's pool).
      maxPoolSize: Math.min(options.concurrency + 2, 12),
      pollInterval: options.pollIntervalMs ?? 2_000,
      noHandleSignals: true,
      logger: queue.logger,
      events,
      taskList,
      // No cron unless this process schedules (and never a crontab file from the cwd).
      parsedCronItems: tasks.has('schedule') ? parseCrontab(EVERY_MINUTE) : [],
    });
  };
  await launch();

  const beat = async () => {
    try {
      await queue.heartbeat({
        id,
        ...thisProcess(),
        startedAt,
        concurrency: options.concurrency,
        ...stats,
      });
      const dead = await queue.reapDeadWorkers(staleMs);
      if (dead.length > 0)
        ctx.log(
          'warn',
          `workers not seen for ${staleMs / 1000} s, their jobs released: ${dead.join(', ')}`,
        );
    } catch (error) {
      // The database is away (a restart, a network cut): the next beat tries again.
      ctx.log('debug', `heartbeat: ${errorMessage(error)}`);
    }
  };
  await beat();
  const timer = setInterval(beat, heartbeatMs);
  if (tasks.has('schedule')) await queue.requestSchedule();

  // graphile-worker ends its runner when it cannot write a job's result back for long (the
  // database gone for minutes): start a new one, as systemd would restart the process.
  const done = (async () => {
    for (;;) {
      try {
        await runner?.promise;
      } catch (error) {
        ctx.log('warn', `worker: the queue's runner stopped: ${errorMessage(error)}`);
      }
      if (stopping) break;
      // graphile-worker marks the exit code of a process whose runner it stopped (57).
      if (process.exitCode === 57) process.exitCode = undefined;
      ctx.log(
        'warn',
        `worker: the queue's runner stopped; starting a new one in ${RESTART_DELAY_MS / 1000} s`,
      );
      await new Promise((r) => setTimeout(r, RESTART_DELAY_MS));
      if (stopping) break;
      try {
        await launch();
      } catch (error) {
        ctx.log('warn', `worker: cannot restart the runner yet: ${errorMessage(error)}`);
      }
    }
    clearInterval(timer);
    await queue.forgetWorker(id).catch(() => undefined);
  })();

  let stopped: Promise<void> | undefined;
  return {
    get id() {
      return id;
    },
    stats,
    done,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        // A runner that already died (and awaits its restart) has nothing left to stop.
        await runner?.stop().catch(() => undefined);
        await done;
      })()),
  };
}

function buildTaskList(
  ctx: JobContext,
  options: WorkerOptions,
  tasks: ReadonlySet<WorkerTask>,
  stats: WorkerStats,
): TaskList {
  const { queue } = options;
  const list: TaskList = {};
  if (tasks.has('refresh')) {
    list[TASK.refresh] = async (payload, helpers) => {
      const job = helpers.job;
      try {
        const result = await refreshJob(
          refreshPayload(payload),
          { attempts: job.attempts, maxAttempts: job.max_attempts, lastError: job.last_error },
          ctx,
          queue,
        );
        stats.done++;
        options.onRefresh?.(result);
      } catch (error) {
        stats.failed++;
        throw error;
      }
    };
  }
  if (tasks.has('render')) list[TASK.render] = () => renderJob(ctx);
  if (tasks.has('schedule')) {
    list[TASK.schedule] = async () => {
      await scheduleJob(ctx, queue);
    };
  }
  return list;
}

function refreshPayload(payload: unknown): RefreshPayload {
  const p = payload as Partial<RefreshPayload> | null;
  if (!p || typeof p.feed !== 'number') {
    throw new Error(`worker: a refresh job without a feed id: ${JSON.stringify(payload)}`);
  }
  return p as RefreshPayload;
}

function describeJob(job: Job): string {
  const payload = job.payload as Partial<RefreshPayload> | null;
  const feed = payload && typeof payload.feed === 'number' ? ` (feed ${payload.feed})` : '';
  return `${job.id}${feed}, attempt ${job.attempts} of ${job.max_attempts}`;
}
