/**
 * `orrery status` shows each feed's WebSub state (none, pending, active until …, denied, polling
 * fallback), in lines and in --json, read from a real SQLite store, and never the secret.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, withTempDir } from '../../../test/helpers.js';
import { createSqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { WebSubState } from '../../store/store.js';

const T0 = '2026-11-20T10:00:00.000Z';
const SECRET = 'c0ffee'.repeat(10);

describe('orrery status: WebSub', () => {
  it('shows each feed’s subscription state without its secret', async () => {
    await withTempDir(async (dir) => {
      const names = ['none', 'pending', 'active', 'denied', 'failed', 'expired'];
      const urls = names.map((n) => `https://${n}.example/feed`);
      await writeFile(
        join(dir, 'planet.toml'),
        `[site]\nname = "P"\n\n${urls.map((u, i) => `[[feeds]]\nurl = "${u}"\nname = "${names[i]}"\n`).join('\n')}`,
      );
      const store = await createSqliteStore({ path: join(dir, 'orrery.sqlite') });
      await store.syncSubscriptions(
        urls.map((url, i) => ({ url, name: names[i], section: '' })),
        T0,
      );
      for (const feed of await store.listFeeds()) {
        const state = feed.name as WebSubState | 'none';
        if (state === 'none') continue;
        await store.putWebSubSubscription({
          id: `id-${state}`,
          feedId: feed.id,
          hub: 'https://hub.example/',
          topic: feed.url,
          callback: `https://planet.example.org/websub/id-${state}`,
          secret: SECRET,
          state,
          ...(state === 'active'
            ? { leaseSeconds: 864_000, expiresAt: '2026-11-30T10:00:00.000Z' }
            : {}),
          ...(state === 'failed'
            ? { retryAt: '2026-11-20T11:00:00.000Z', lastError: 'the hub never verified' }
            : {}),
          failures: state === 'failed' ? 1 : 0,
          createdAt: T0,
          updatedAt: T0,
        });
      }
      await store.close();

      const lines = await runCli(['status'], { cwd: dir });
      expect(lines.code).toBe(0);
      const line = (name: string) => lines.stdout.split('\n').find((l) => l.startsWith(name));
      expect(line('none')).toMatch(/WebSub none$/);
      expect(line('pending')).toMatch(/WebSub pending$/);
      expect(line('active')).toMatch(/WebSub active until 2026-11-30 10:00 UTC$/);
      expect(line('denied')).toMatch(/WebSub denied$/);
      expect(line('failed')).toMatch(
        /WebSub polling fallback \(failed, retry after 2026-11-20 11:00 UTC\)$/,
      );
      expect(line('expired')).toMatch(/WebSub polling fallback \(expired\)$/);

      const json = await runCli(['status', '--json'], { cwd: dir });
      expect(json.code).toBe(0);
      const feeds = JSON.parse(json.stdout) as Array<{ name: string; websub: unknown }>;
      expect(Object.fromEntries(feeds.map((f) => [f.name, f.websub]))).toEqual({
        none: { status: 'none' },
        pending: {
          status: 'pending',
          state: 'pending',
          hub: 'https://hub.example/',
          topic: 'https://pending.example/feed',
          failures: 0,
        },
        active: {
          status: 'active',
          state: 'active',
          hub: 'https://hub.example/',
          topic: 'https://active.example/feed',
          expiresAt: '2026-11-30T10:00:00.000Z',
          failures: 0,
        },
        denied: expect.objectContaining({ status: 'denied', state: 'denied' }),
        failed: expect.objectContaining({
          status: 'polling fallback',
          state: 'failed',
          retryAt: '2026-11-20T11:00:00.000Z',
          lastError: 'the hub never verified',
          failures: 1,
        }),
        expired: expect.objectContaining({ status: 'polling fallback', state: 'expired' }),
      });
      for (const out of [lines.stdout, lines.stderr, json.stdout, json.stderr]) {
        expect(out).not.toContain(SECRET);
        expect(out).not.toContain('/websub/id-');
      }
    });
  });
});
