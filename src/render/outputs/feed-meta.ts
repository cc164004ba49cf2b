/** What every feed writer needs besides its entries. */
export interface FeedOutputMeta {
  title: string;
  subtitle?: string;
  /** A stable IRI for the feed (Atom id). */
  id: string;
  /** BCP 47 language of the feed (the site's). */
  language: string;
  /** Absolute URL of the HTML page the feed mirrors, when the site has a public link. */
  htmlUrl?: string;
  /** URL of this feed document (absolute when the site has a public link). */
  selfUrl?: string;
  /** The WebSub hub announced with rel="hub" (published only beside a self URL). */
  hubUrl?: string;
  /** Newest entry's date (not the build time, so an unchanged feed stays byte-identical). */
  updated: string;
  owner?: { name?: string; email?: string };
  generator: { name: string; uri: string; version: string };
  /**
   * RFC 5005 archived feeds: `current` is the subscription document, `prev` the archive of the
   * older entries, `next` of the newer ones; `archive` marks this document as an archive one.
   */
  history?: { archive: boolean; current?: string; prev?: string; next?: string };
}

export const GENERATOR = {
  name: 'Orrery',
  uri: 'https://www.npmjs.com/package/orrery',
  version: '0.1.0',
} as const;

/** The namespace of Orrery's own extension elements in the feeds it writes. */
export const ORRERY_NS = 'https://www.npmjs.com/package/orrery#feed-extensions';
