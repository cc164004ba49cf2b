/** What every feed writer needs besides its entries. */
export interface FeedOutputMeta {
  title: string;
  subtitle?: string;
  /** A stable IRI for the feed (Atom id). */
  id: string;
  /** Absolute URL of the HTML page the feed mirrors, when the site has a public link. */
  htmlUrl?: string;
  /** Absolute URL of this feed document, when the site has a public link. */
  selfUrl?: string;
  /** The WebSub hub announced with rel="hub" (published only beside a self URL). */
  hubUrl?: string;
  /** Newest entry's date (not the build time, so an unchanged feed stays byte-identical). */
  updated: string;
  owner?: { name?: string; email?: string };
  generator: { name: string; uri: string; version: string };
}

export const GENERATOR = {
  name: 'Orrery',
  uri: 'https://www.npmjs.com/package/orrery',
  version: '0.1.0',
} as const;
