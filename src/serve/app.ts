/**
 * The HTTP routes of `orrery serve` on Hono (web-standard Request/Response, served by
 * @hono/node-server): the health check, Prometheus metrics, the live river's event stream, the
 * WebSub callbacks, the admin API, and the site itself for everything else. One error handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { errorMessage } from '../model/errors.js';
import type { LiveClient, LiveEvent, LiveRiver } from './live-river.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { StaticSite } from './static-site.js';
import type { Subscriber } from './websub/subscriber.js';

export interface AppDeps {
  site: StaticSite;
  live: LiveRiver;
  metrics: Metrics;
  log: Logger;
  /** Whether the planet loop is healthy (the store answers). */
  healthy: () => boolean;
  subscriber?: Subscriber;
  /** Largest WebSub content distribution accepted. */
  maxPushBytes: number;
  /** The admin API (present only when a token is set). */
  api?: Hono;
  /** Comment lines sent on idle live streams so proxies keep them open (default 25 s). */
  heartbeatMs?: number;
  /** Live streams at most (default 1000); more are answered 503. */
  maxLiveClients?: number;
}

export interface ServeApp {
  app: Hono;
  /**
   * The node:http listener: GET and HEAD of the site's own files are answered straight from
   * the static site (Hono's routing and web Request/Response would cost as much as the answer
   * of a cached file itself: docs/decisions/serve.md, Static serving); everything else goes
   * through the Hono app.
   */
  listener: (req: IncomingMessage, res: ServerResponse) => void;
  /** End every live stream (shutdown). */
  closeStreams(): Promise<void>;
}

/** Paths the app's own routes answer; every other GET or HEAD is a file of the site. */
const APP_ROUTE = /^\/(?:(?:api|live|websub)(?:[/?#]|$)|(?:healthz|metrics)(?:[?#]|$))/;

/** The path of a request URL or target as sent (percent-encoding kept), without the query. */
function rawPath(url: string): string {
  const start = url.startsWith('/') ? 0 : url.indexOf('/', url.indexOf('//') + 2);
  const path = start < 0 ? '/' : url.slice(start);
  const query = path.search(/[?#]/);
  return query < 0 ? path : path.slice(0, query);
}

/** The request body, or undefined when it is over `max` bytes (reading stops there). */
async function readCapped(request: Request, max: number): Promise<Uint8Array | undefined> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) return undefined;
  const reader = request.body?.getReader();
  if (!reader) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}

export function createApp(deps: AppDeps): ServeApp {
  const app = new Hono();
  const streams = new Map<SSEStreamingApi, () => void>();
  const { metrics, log } = deps;

  // The one error handler: the Hono routes and the static fast path both end here.
  const failed = (error: unknown, method: string, path: string) =>
    log.error({ err: errorMessage(error), path, method }, 'request failed');
  app.onError((error, c) => {
    failed(error, c.req.method, c.req.path);
    return c.text('internal server error; the log says more', 500);
  });

  app.get('/healthz', (c) => {
    const ok = deps.healthy();
    return c.json({ status: ok ? 'ok' : 'failing' }, ok ? 200 : 503);
  });

  app.get('/metrics', async (c) => {
    const text = await metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType });
  });

  app.get('/live/events', (c) => {
    if (deps.live.clientCount >= (deps.maxLiveClients ?? 1000)) {
      metrics.rejections.inc({ reason: 'live-full' });
      return c.text('too many live pages open; try again later', 503);
    }
    const sectionParam = c.req.query('section');
    const section =
      sectionParam && /^[A-Za-z0-9_-]{1,100}$/.test(sectionParam) ? sectionParam : undefined;
    const rootParam = c.req.query('root') ?? '';
    const root = /^(\.\/|(\.\.\/){0,8})$/.test(rootParam) ? rootParam : '';
    const lastEventId = c.req.header('last-event-id');
    const last = Number.parseInt(lastEventId ?? c.req.query('after') ?? '', 10);
    log.debug({ section, root, lastEventId }, 'live page connected');
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      let disconnect: (() => void) | undefined;
      let heartbeat: NodeJS.Timeout | undefined;
      const ended = new Promise<void>((resolve) => {
        streams.set(stream, resolve);
        stream.onAbort(resolve);
      });
      const client: LiveClient = {
        root,
        ...(section ? { section } : {}),
        send: (event: LiveEvent) => {
          stream
            .writeSSE({ event: 'entries', id: String(event.id), data: JSON.stringify(event) })
            // A write fails when the page went away: end this stream's handler.
            .catch(() => streams.get(stream)?.());
        },
      };
      metrics.sseClients.inc();
      try {
        await stream.writeSSE({ event: 'hello', data: '{}', retry: 3000 });
        disconnect = await deps.live.connect(client, Number.isFinite(last) ? last : undefined);
        heartbeat = setInterval(() => {
          stream.write(': ping\n\n').catch(() => streams.get(stream)?.());
        }, deps.heartbeatMs ?? 25_000);
        await ended;
      } finally {
        clearInterval(heartbeat);
        disconnect?.();
        streams.delete(stream);
        metrics.sseClients.dec();
      }
    });
  });

  const subscriber = deps.subscriber;
  if (subscriber) {
    app.get('/websub/:id', async (c) => {
      const answer = await subscriber.verify(c.req.param('id'), c.req.query());
      return c.text(answer.body, answer.status as 200);
    });
    app.post('/websub/:id', async (c) => {
      const body = await readCapped(c.req.raw, deps.maxPushBytes);
      if (!body) {
        metrics.rejections.inc({ reason: 'too-large' });
        log.warn(
          { callback: c.req.param('id') },
          `websub: a push over ${deps.maxPushBytes} bytes was refused`,
        );
        return c.text(`content over ${deps.maxPushBytes} bytes`, 413);
      }
      const answer = await subscriber.receive(
        c.req.param('id'),
        { signature: c.req.header('x-hub-signature'), contentType: c.req.header('content-type') },
        body,
      );
      return answer.body
        ? c.text(answer.body, answer.status as 200)
        : c.body(null, answer.status as 204);
    });
  }

  if (deps.api) app.route('/api', deps.api);
  else
    app.all('/api/*', (c) =>
      c.text('the admin API is off (set ORRERY_ADMIN_TOKEN to turn it on)', 404),
    );

  app.get('*', (c) =>
    deps.site.serve({
      method: c.req.method,
      path: rawPath(c.req.url),
      header: (name) => c.req.header(name),
    }),
  );

  const hono = getRequestListener(app.fetch);
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    if ((method !== 'GET' && method !== 'HEAD') || APP_ROUTE.test(url)) {
      void hono(req, res);
      return;
    }
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    };
    deps.site.answer({ method, path: rawPath(url), header }).then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers);
        res.end(body ?? undefined);
      },
      (error: unknown) => {
        failed(error, method, url);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal server error; the log says more');
      },
    );
  };

  return {
    app,
    listener,
    async closeStreams() {
      for (const [stream, end] of streams) {
        end();
        // A stream whose page already went away fails to close: it is closed either way.
        await stream.close().catch(() => undefined);
      }
      deps.live.disconnectAll();
    },
  };
}
