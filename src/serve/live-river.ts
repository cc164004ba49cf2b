/**
 * The live river: what an open river page adds at its top without a reload. After feeds change
 * (a poll or a push stored new entries) the newest entries the front page would show are read
 * again; those not announced before go to every connected page as one Server-Sent Event, each
 * rendered by the theme's own entry partial (so a live entry looks like a built one). Event ids
 * are entry ids (they grow as entries are stored): a page that reconnects with Last-Event-ID, or
 * opens with ?after=<newest id on the page>, is sent what it missed among the current entries.
 */
import type { SiteSettings } from '../model/settings.js';
import { createPageRenderer, type PageRenderer } from '../render/render-page.js';
import { type EntryView, entryViews, feedViews, sectionViews } from '../render/site-model.js';
import { loadTheme } from '../render/theme.js';
import type { Store } from '../store/store.js';

export type LiveSource = Pick<Store, 'listFeeds' | 'listEntries'>;

export interface LiveEvent {
  id: number;
  entries: Array<{ id: number; section: string; html: string }>;
}

export interface LiveClient {
  /** Only entries of this section (a section page); undefined: all. */
  section?: string;
  /** The page's path to the site root ('' or '../../'): links in the entry HTML use it. */
  root: string;
  send(event: LiveEvent): void;
}

export interface LiveRiverDeps {
  source: LiveSource;
  site: () => SiteSettings;
  now: () => Date;
}

/** The heading level of a live entry: under the page's h1 and the live list's h2. */
const ENTRY_LEVEL = 3;
const LIVE_TEMPLATE = '__orrery_live_entry.liquid';

export class LiveRiver {
  private readonly clients = new Set<LiveClient>();
  /** The current newest entries, newest first. */
  private recent: EntryView[] = [];
  private known = new Set<number>();
  private renderer: PageRenderer | undefined;
  private readonly html = new Map<string, string>();
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly deps: LiveRiverDeps) {}

  /** Read the current entries (announcing nothing) and load the theme. */
  async reset(): Promise<void> {
    const site = this.deps.site();
    const theme = await loadTheme(site.themeDir);
    this.renderer = createPageRenderer(
      {
        templates: {
          ...theme.templates,
          [LIVE_TEMPLATE]: '{{ entry | entry_html: level, root | raw }}',
        },
        sources: theme.sources,
      },
      site,
    );
    this.html.clear();
    this.recent = await this.newest();
    this.known = new Set(this.recent.map((e) => e.id));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Look for new entries and send them; calls while one runs are folded into one more run. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        do {
          this.again = false;
          await this.announceNew();
        } while (this.again);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Register a page; it is first sent the current entries newer than `afterId`. */
  async connect(client: LiveClient, afterId: number | undefined): Promise<() => void> {
    this.clients.add(client);
    if (afterId !== undefined) {
      const event = await this.eventFor(
        this.recent.filter((e) => e.id > afterId),
        client,
      );
      if (event) client.send(event);
    }
    return () => this.clients.delete(client);
  }

  /** Forget every page (shutdown: their streams are being closed). */
  disconnectAll(): void {
    this.clients.clear();
  }

  private async announceNew(): Promise<void> {
    const current = await this.newest();
    const fresh = current.filter((e) => !this.known.has(e.id));
    this.recent = current;
    // Only the entries still shown are remembered: the set stays the size of a page.
    this.known = new Set(current.map((e) => e.id));
    if (fresh.length === 0) return;
    for (const client of this.clients) {
      const event = await this.eventFor(fresh, client);
      if (event) client.send(event);
    }
    // Rendered HTML of entries no longer shown is dropped.
    for (const key of this.html.keys()) {
      if (!this.known.has(Number(key.slice(0, key.indexOf(':'))))) this.html.delete(key);
    }
  }

  private async eventFor(
    entries: readonly EntryView[],
    client: LiveClient,
  ): Promise<LiveEvent | undefined> {
    const chosen = entries.filter((e) => !client.section || e.feed.section === client.section);
    if (chosen.length === 0) return undefined;
    const rendered = [];
    for (const e of chosen) {
      rendered.push({ id: e.id, section: e.feed.section, html: await this.render(e, client.root) });
    }
    return { id: Math.max(...chosen.map((e) => e.id)), entries: rendered };
  }

  /** The entry as the theme renders it on a page at `root`, once per entry and root. */
  private async render(entry: EntryView, root: string): Promise<string> {
    const key = `${entry.id}:${root}`;
    let html = this.html.get(key);
    if (html === undefined) {
      if (!this.renderer) throw new Error('serve/live: reset() was not called');
      html = await this.renderer.render(LIVE_TEMPLATE, { entry, level: ENTRY_LEVEL, root });
      this.html.set(key, html);
    }
    return html;
  }

  /** The newest entries the front page shows: from feeds still subscribed, each post once. */
  private async newest(): Promise<EntryView[]> {
    const site = this.deps.site();
    const count = site.itemsPerPage;
    const all = await this.deps.source.listFeeds({ includeInactive: true });
    const views = feedViews(all, sectionViews(site.sections, all), site, {
      posts: new Map(),
      asOf: undefined,
      formatted: false,
    });
    const active = new Map([...views].filter(([, f]) => f.active));
    for (let limit = count; ; limit *= 4) {
      const stored = await this.deps.source.listEntries({ limit });
      const shown = entryViews(stored, active, site);
      if (shown.length >= count || stored.length < limit) return shown.slice(0, count);
    }
  }
}
