/**
 * A small WebSub hub for the tests, following the W3C WebSub Recommendation on loopback:
 * - subscription requests (§5.1): form POST with hub.callback, hub.mode, hub.topic and optional
 *   hub.lease_seconds and hub.secret (< 200 bytes); 202 Accepted, or 4xx naming the problem;
 * - verification of intent (§5.3): GET on the callback with hub.mode, hub.topic, hub.challenge and
 *   hub.lease_seconds; the subscription holds only if the answer is 2xx with the challenge as body;
 *   or a denial (§5.2): GET with hub.mode=denied and hub.reason;
 * - leases: a subscription ends at its lease unless renewed by a new verified request;
 * - content distribution (§7): POST of the topic's content to every active subscriber, with its
 *   Content-Type, Link rel=hub and rel=self, and X-Hub-Signature (HMAC of the body with the
 *   subscriber's secret); a 410 answer ends the subscription;
 * - publish pings (hub.mode=publish&hub.url=…, hub-specific as the Recommendation leaves it): 202,
 *   recorded, and when `fetchOnPublish` the topic is fetched and distributed.
 * No npm package offers a hub that runs in-process without external services (see
 * docs/decisions/serve.md), hence this one. Behaviours a test needs (deny, never verify, answer
 * slowly) are switches.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HubSubscription {
  callback: string;
  topic: string;
  secret?: string;
  leaseSeconds: number;
  expiresAt: number;
}

export interface HubOptions {
  /** Lease granted (default: what was asked, at most 10 days). */
  leaseSeconds?: number;
  /** Verify requests (default true); false: a hub that never verifies. */
  verify?: boolean;
  /** Topics whose subscriptions are denied. */
  deny?: (topic: string) => boolean;
  /** Answer subscription requests after this long. */
  slowMs?: number;
  /** HMAC method of X-Hub-Signature (default sha256). */
  algorithm?: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** On a publish ping, fetch the topic and distribute it. */
  fetchOnPublish?: boolean;
}

export interface TestHub {
  url: string;
  options: HubOptions;
  /** Active subscriptions by callback. */
  subscriptions: Map<string, HubSubscription>;
  /** Every subscription request received, in order. */
  requests: Array<{ mode: string; topic: string; callback: string }>;
  /** hub.url of every publish ping. */
  publishes: string[];
  /** Verifications that failed (wrong or missing challenge), by callback. */
  failedVerifications: string[];
  /** Distribute content of `topic` to its subscribers; the status each callback answered. */
  distribute(
    topic: string,
    body: string,
    contentType: string,
    options?: { secret?: string },
  ): Promise<number[]>;
  close(): Promise<void>;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 65_536) throw new Error('request too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startTestHub(options: HubOptions = {}): Promise<TestHub> {
  const subscriptions = new Map<string, HubSubscription>();
  const requests: TestHub['requests'] = [];
  const publishes: string[] = [];
  const failedVerifications: string[] = [];
  let url = '';

  const active = (topic: string) =>
    [...subscriptions.values()].filter((s) => s.topic === topic && s.expiresAt > Date.now());

  async function verifyIntent(
    mode: string,
    topic: string,
    callback: string,
    lease: number,
    secret?: string,
  ) {
    if (hub.options.verify === false) return;
    const target = new URL(callback);
    if (hub.options.deny?.(topic)) {
      target.searchParams.set('hub.mode', 'denied');
      target.searchParams.set('hub.topic', topic);
      target.searchParams.set('hub.reason', 'this hub does not serve that topic');
      await fetch(target).catch(() => undefined);
      subscriptions.delete(callback);
      return;
    }
    const challenge = randomBytes(16).toString('hex');
    target.searchParams.set('hub.mode', mode);
    target.searchParams.set('hub.topic', topic);
    target.searchParams.set('hub.challenge', challenge);
    if (mode === 'subscribe') target.searchParams.set('hub.lease_seconds', String(lease));
    let ok = false;
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(5_000) });
      ok = res.status >= 200 && res.status < 300 && (await res.text()) === challenge;
    } catch {
      ok = false; // an unreachable callback is a failed verification
    }
    if (!ok) {
      failedVerifications.push(callback);
      return;
    }
    if (mode === 'unsubscribe') subscriptions.delete(callback);
    else {
      subscriptions.set(callback, {
        callback,
        topic,
        ...(secret ? { secret } : {}),
        leaseSeconds: lease,
        expiresAt: Date.now() + lease * 1000,
      });
    }
  }

  async function distribute(
    topic: string,
    body: string,
    contentType: string,
    o: { secret?: string } = {},
  ) {
    const statuses: number[] = [];
    for (const sub of active(topic)) {
      const headers: Record<string, string> = {
        'content-type': contentType,
        link: `<${url}>; rel="hub", <${topic}>; rel="self"`,
      };
      const secret = o.secret ?? sub.secret;
      const method = hub.options.algorithm ?? 'sha256';
      if (secret)
        headers['x-hub-signature'] =
          `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
      const res = await fetch(sub.callback, { method: 'POST', headers, body });
      await res.arrayBuffer();
      statuses.push(res.status);
      if (res.status === 410) subscriptions.delete(sub.callback);
    }
    return statuses;
  }

  const server: Server = createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      return void res.writeHead(413).end((error as Error).message);
    }
    const mode = form.get('hub.mode') ?? '';
    if (mode === 'publish') {
      const topic = form.get('hub.url') ?? '';
      if (!URL.canParse(topic)) return void res.writeHead(400).end('hub.url must be a URL');
      publishes.push(topic);
      res.writeHead(202).end();
      if (hub.options.fetchOnPublish) {
        const got = await fetch(topic).catch(() => undefined);
        if (got?.ok)
          await distribute(
            topic,
            await got.text(),
            got.headers.get('content-type') ?? 'application/xml',
          );
      }
      return;
    }
    const callback = form.get('hub.callback') ?? '';
    const topic = form.get('hub.topic') ?? '';
    const secret = form.get('hub.secret') ?? undefined;
    if (mode !== 'subscribe' && mode !== 'unsubscribe')
      return void res.writeHead(400).end('hub.mode must be subscribe or unsubscribe');
    if (!URL.canParse(callback) || !URL.canParse(topic))
      return void res.writeHead(400).end('hub.callback and hub.topic must be URLs');
    if (secret !== undefined && Buffer.byteLength(secret) >= 200)
      return void res.writeHead(400).end('hub.secret must be under 200 bytes');
    requests.push({ mode, topic, callback });
    const asked = Number(form.get('hub.lease_seconds'));
    const lease =
      hub.options.leaseSeconds ??
      (Number.isFinite(asked) && asked > 0 ? Math.min(asked, 864_000) : 864_000);
    if (hub.options.slowMs) await new Promise((r) => setTimeout(r, hub.options.slowMs));
    if (res.destroyed) return;
    res.writeHead(202).end();
    // Verification happens after the request is answered, as a hub's queue would do it.
    setTimeout(() => void verifyIntent(mode, topic, callback, lease, secret), 10);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const hub: TestHub = {
    url,
    options,
    subscriptions,
    requests,
    publishes,
    failedVerifications,
    distribute,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return hub;
}
