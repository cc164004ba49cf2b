import type { SectionSettings } from '../model/settings.js';
import type { Subscription } from '../model/subscription.js';

/** What an importer (OPML, Planet Venus INI) found: site settings, sections, feeds, and what it left out and why. */
export interface ImportResult {
  site?: Partial<{ name: string; link: string; ownerName: string; ownerEmail: string }>;
  sections: SectionSettings[];
  subscriptions: Subscription[];
  skipped: { item: string; reason: string }[];
}
