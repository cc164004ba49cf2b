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
// Plain JavaScript (typed with JSDoc) so that the benches, which run without a TypeScript
// loader, drive the same hub as the tests.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * @typedef {{ callback: string, topic: string, secret?: string, leaseSeconds: number, expiresAt: number }} HubSubscription
 *
 * @typedef {object} HubOptions
 * @property {number} [leaseSeconds] lease granted (default: what was asked, at most 10 days)
 * @property {boolean} [verify] verify requests (default true); false: a hub that never verifies
 * @property {(topic: string) => boolean} [deny] topics whose subscriptions are denied
 * @property {number} [slowMs] answer subscription requests after this long
 * @property {'sha1' | 'sha256' | 'sha384' | 'sha512'} [algorithm] HMAC of X-Hub-Signature (default sha256)
 * @property {boolean} [fetchOnPublish] on a publish ping, fetch the topic and distribute it
 *
 * @typedef {object} TestHub
 * @property {string} url
 * @property {HubOptions} options
 * @property {Map<string, HubSubscription>} subscriptions active subscriptions by callback
 * @property {Array<{ mode: string, topic: string, callback: string }>} requests every subscription request, in order
 * @property {string[]} publishes hub.url of every publish ping
 * @property {string[]} failedVerifications callbacks whose verification failed
 * @property {(topic: string, body: string, contentType: string, options?: { secret?: string }) => Promise<number[]>} distribute
 *   distribute content of `topic` to its subscribers; the status each callback answered
 * @property {() => Promise<void>} close
 */

/** @param {import('node:http').IncomingMessage} req */
async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 65_536) throw new Error('request too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * @param {HubOptions} [options]
 * @returns {Promise<TestHub>}
 */
export async function startTestHub(options = {}) {
  /** @type {Map<string, HubSubscription>} */
  const subscriptions = new Map();
  /** @type {TestHub['requests']} */
  const requests = [];
  /** @type {string[]} */
  const publishes = [];
  /** @type {string[]} */
  const failedVerifications = [];
  let url = '';

  /** @param {string} topic */
  const active = (topic) =>
    [...subscriptions.values()].filter((s) => s.topic === topic && s.expiresAt > Date.now());

  /**
   * @param {string} mode @param {string} topic @param {string} callback @param {number} lease
   * @param {string} [secret]
   */
  async function verifyIntent(mode, topic, callback, lease, secret) {
    if (hub.options.verify === false) return;
    const target = new URL(callback);
    if (hub.options.deny?.(topic)) {
      target.searchParams.set('hub.mode', 'denied');
      target.searchParams.set('hub.topic', topic);
      target.searchParams.set('hub.reason', 'this hub does not serve that topic');
      // The subscriber's answer to a denial does not matter to the hub.
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

  /** @type {TestHub['distribute']} */
  async function distribute(topic, body, contentType, o = {}) {
    /** @type {number[]} */
    const statuses = [];
    for (const sub of active(topic)) {
      /** @type {Record<string, string>} */
      const headers = {
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

  const server = createServer(async (req, res) => {
    if (req.method !== 'POST') return void res.writeHead(405).end();
    let form;
    try {
      form = await readForm(req);
    } catch (error) {
      return void res.writeHead(413).end(String(error));
    }
    const mode = form.get('hub.mode') ?? '';
    if (mode === 'publish') {
      const topic = form.get('hub.url') ?? '';
      if (!URL.canParse(topic)) return void res.writeHead(400).end('hub.url must be a URL');
      publishes.push(topic);
      res.writeHead(202).end();
      if (hub.options.fetchOnPublish) {
        // An unreachable topic is distributed to nobody.
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
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/`;
  /** @type {TestHub} */
  const hub = {
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
