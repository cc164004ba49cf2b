import type { SectionSettings } from '../model/settings.js';
import type { Subscription } from '../model/subscription.js';

/** Site settings an importer found (all optional: an OPML file usually has only a title). */
export interface ImportedSite {
  name: string;
  link: string;
  ownerName: string;
  ownerEmail: string;
  itemsPerPage: number;
  daysPerPage: number;
  dateFormat: string;
}

/** What an importer (OPML, Planet Venus INI) found: site settings, sections, feeds, and what it left out and why. */
export interface ImportResult {
  site?: Partial<ImportedSite>;
  sections: SectionSettings[];
  subscriptions: Subscription[];
  skipped: { item: string; reason: string }[];
}

/** A section id (letters, digits, -) from a title: "PSF GSoC students" → "psf-gsoc-students". */
export function sectionIdFor(title: string, taken: ReadonlySet<string> = new Set()): string {
  const base =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'section';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}
