import type { SectionSettings } from '../model/settings.js';
import type { Subscription } from '../model/subscription.js';
import { CONFIG_DEFAULTS } from './defaults.js';

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
function sectionIdFor(title: string, taken: ReadonlySet<string> = new Set()): string {
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

/**
 * An importer's sections, made as feeds name them: one section per title (its id from
 * sectionIdFor), and the default section for a feed that names none.
 */
export function sectionCollector() {
  const sections: SectionSettings[] = [];
  let usesDefault = false;
  return {
    /** The section id for a feed's folder/category title. */
    idFor(title: string | undefined): string {
      const wanted = title?.trim();
      if (!wanted) {
        usesDefault = true;
        return CONFIG_DEFAULTS.sectionId;
      }
      const existing = sections.find((s) => s.title === wanted);
      if (existing) return existing.id;
      const id = sectionIdFor(
        wanted,
        new Set([CONFIG_DEFAULTS.sectionId, ...sections.map((s) => s.id)]),
      );
      sections.push({ id, title: wanted });
      return id;
    },
    /** The sections, the default one first when a feed is in it or there is no feed at all. */
    list(siteName: string | undefined, feedCount: number): SectionSettings[] {
      return usesDefault || feedCount === 0
        ? [{ id: CONFIG_DEFAULTS.sectionId, title: siteName ?? 'Main' }, ...sections]
        : sections;
    },
  };
}
