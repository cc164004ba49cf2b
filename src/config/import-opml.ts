import { SaxesParser } from 'saxes';
import type { Subscription } from '../model/subscription.js';
import { ConfigError } from './config-error.js';
import { type ImportedSite, type ImportResult, sectionCollector } from './import-result.js';
import { feedUrlKey, isHttpUrl } from './schema.js';

export interface ImportOpmlOptions {
  /** File name for messages. */
  file?: string;
}

/** HTML entities that hand-written and exported OPML uses although XML does not define them. */
const HTML_ENTITIES: Record<string, string> = {
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  laquo: '«',
  raquo: '»',
  middot: '·',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  aacute: 'á',
  iacute: 'í',
  oacute: 'ó',
  uacute: 'ú',
  ntilde: 'ñ',
  ccedil: 'ç',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
};
const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * Escapes what common OPML gets wrong: a bare `&` in a URL or title ("?a=1&b=2"), and named
 * entities XML does not know; they become `&amp;` so the text reads as the author meant it.
 */
function repairAmpersands(text: string): string {
  return text.replace(/&(?!#[0-9]+;|#x[0-9a-fA-F]+;)([A-Za-z][A-Za-z0-9]*;)?/g, (whole, named) => {
    if (named === undefined) return '&amp;';
    const name = named.slice(0, -1);
    return XML_ENTITIES.has(name) || name in HTML_ENTITIES ? whole : `&amp;${named}`;
  });
}

/**
 * OPML 2.0 `category="/Python/GSoC,/News"`: comma-separated, slash-delimited paths. Some
 * exporters mark folders this way instead of nesting; the first path's last step names the section.
 */
function categorySection(category: string | undefined): string | undefined {
  const first = category?.split(',')[0]?.trim();
  if (!first) return undefined;
  const steps = first.split('/').filter((step) => step.trim() !== '');
  return steps[steps.length - 1]?.trim();
}

interface Outline {
  attrs: Record<string, string>;
  /** The section its feeds belong to, if it is a folder (created when its first feed is seen). */
  title?: string;
  isFeed: boolean;
  line: number;
}

/**
 * Imports an OPML 1.0/2.0 subscription list: every outline with an xmlUrl is a feed; an outline
 * holding feeds is a section named by its text/title. Pure; throws ConfigError (file, line) for
 * a file that is not well-formed XML or not OPML.
 */
export function importOpml(text: string, options: ImportOpmlOptions = {}): ImportResult {
  const file = options.file ?? 'OPML';
  const parser = new SaxesParser({ position: true });
  Object.assign(parser.ENTITIES, HTML_ENTITIES);
  const skipped: ImportResult['skipped'] = [];
  const site: Partial<ImportedSite> = {};
  const sections = sectionCollector();
  const subscriptions: Subscription[] = [];
  const seen = new Map<string, string>();
  const stack: Outline[] = [];
  const elements: string[] = [];
  let headText = '';
  let root: string | undefined;

  const fail = (message: string, line: number, column?: number): ConfigError =>
    new ConfigError(
      `config: ${file}:${line}${column ? `:${column}` : ''}: ${message}; check the file, or export it again from your feed reader`,
      { file, line, problems: [{ line, column, message }] },
    );

  parser.on('error', (err) => {
    const message = err.message.replace(/^[^:]*:\d+:\d+: /, '');
    throw fail(`not well-formed XML: ${message}`, parser.line, parser.column);
  });
  // A multi-line <outline> is reported at the line where it starts.
  let tagLine = 1;
  parser.on('opentagstart', () => {
    tagLine = parser.line;
  });
  parser.on('opentag', (tag) => {
    const name = tag.name.toLowerCase();
    if (root === undefined) {
      root = name;
      if (name !== 'opml')
        throw fail(`not an OPML file: the root element is <${tag.name}>, not <opml>`, tagLine);
    }
    elements.push(name);
    headText = '';
    if (name !== 'outline') return;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[k.toLowerCase()] = String(v).trim();
    const outline: Outline = {
      attrs,
      isFeed: attrs.xmlurl !== undefined && attrs.xmlurl !== '',
      line: tagLine,
    };
    const parentTitle = stack[stack.length - 1]?.title;
    outline.title = attrs.text || attrs.title || undefined;
    stack.push(outline);
    const label = attrs.text || attrs.title || attrs.xmlurl || attrs.url || '(no text)';
    const item = `outline "${label}" (line ${tagLine})`;
    if (!outline.isFeed) {
      if (tag.isSelfClosing) {
        const type = attrs.type?.toLowerCase();
        skipped.push({
          item,
          reason:
            type === 'include'
              ? 'includes another OPML file; import that file separately'
              : type === 'link' || attrs.url
                ? 'a link, not a feed (no xmlUrl)'
                : 'no xmlUrl: not a feed',
        });
      }
      return;
    }
    const url = attrs.xmlurl ?? '';
    if (!isHttpUrl(url)) {
      skipped.push({ item, reason: `xmlUrl ${JSON.stringify(url)} is not an http(s) URL` });
      return;
    }
    const first = seen.get(feedUrlKey(url));
    if (first !== undefined) {
      skipped.push({ item, reason: `duplicate of the feed at ${first}` });
      return;
    }
    seen.set(feedUrlKey(url), `line ${tagLine}`);
    const feedName = attrs.text || attrs.title;
    const htmlUrl = attrs.htmlurl;
    const sub: Subscription = {
      url,
      section: sections.idFor(parentTitle ?? categorySection(attrs.category)),
      ...(feedName ? { name: feedName } : {}),
    };
    if (htmlUrl) {
      if (isHttpUrl(htmlUrl)) sub.siteLink = htmlUrl;
      else
        skipped.push({
          item: `${item} htmlUrl`,
          reason: `${JSON.stringify(htmlUrl)} is not an http(s) URL`,
        });
    }
    subscriptions.push(sub);
  });
  parser.on('text', (t) => {
    headText += t;
  });
  parser.on('cdata', (t) => {
    headText += t;
  });
  parser.on('closetag', (tag) => {
    const name = tag.name.toLowerCase();
    elements.pop();
    if (name === 'outline') {
      stack.pop();
      return;
    }
    if (elements[elements.length - 1] !== 'head') return;
    const value = headText.trim();
    if (!value) return;
    if (name === 'title') site.name = value;
    else if (name === 'ownername') site.ownerName = value;
    else if (name === 'owneremail') site.ownerEmail = value;
  });

  parser.write(repairAmpersands(text.replace(/^\uFEFF?\s*/, ''))).close();
  if (root === undefined) throw fail('not an OPML file: no <opml> element', 1);
  return {
    ...(Object.keys(site).length ? { site } : {}),
    sections: sections.list(site.name, subscriptions.length),
    subscriptions,
    skipped,
  };
}
