import { type DefaultTreeAdapterTypes, parseFragment, serialize } from 'parse5';
import { URL_ATTRIBUTES } from './allowlists.js';
import { fastParse } from './fast-parse.js';
import { findBaseHref } from './find-base.js';
import { parseSrcset, resolveUrl, urlScheme } from './urls.js';

type ParentNode = DefaultTreeAdapterTypes.ParentNode;

/**
 * No sanitizing, only relative URLs resolved (the parser's sanitize:false path): URL
 * attributes, `srcset` candidates and `ping` lists, against the first `<base href>` if any,
 * else baseUrl. Absolute URLs, whatever their scheme, are left as they are.
 */
export function resolveHtmlUrls(html: string, baseUrl: string): string {
  if (!html.includes('<')) return html;
  let fragment = fastParse(html);
  let base = baseUrl;
  // The fast parser declines <base>, so only a parse5 tree can hold one.
  if (fragment === undefined) {
    fragment = parseFragment(html, { scriptingEnabled: false });
    const baseHref = findBaseHref(fragment, html);
    if (baseHref !== undefined) base = baseHref(baseUrl) ?? baseUrl;
  }
  const stack: ParentNode[] = [fragment];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('attrs' in node) {
      for (const attr of node.attrs) {
        const name = attr.namespace ? `xlink:${attr.name}` : attr.name;
        if (URL_ATTRIBUTES.has(name)) attr.value = resolveOne(attr.value, base);
        else if (name === 'srcset') attr.value = resolveSrcset(attr.value, base);
        else if (name === 'ping') {
          attr.value = attr.value
            .split(/\s+/)
            .filter((u) => u !== '')
            .map((u) => resolveOne(u, base))
            .join(' ');
        }
      }
    }
    const children =
      node.nodeName === 'template' && 'content' in node
        ? (node as DefaultTreeAdapterTypes.Template).content.childNodes
        : node.childNodes;
    for (const child of children) if ('childNodes' in child) stack.push(child);
  }
  return serialize(fragment);
}

function resolveOne(value: string, base: string): string {
  const trimmed = value.trim();
  if (urlScheme(trimmed) !== '') return value;
  return resolveUrl(trimmed, base) ?? value;
}

function resolveSrcset(value: string, base: string): string {
  return parseSrcset(value)
    .map(({ url, descriptor }) => {
      const resolved = resolveOne(url, base);
      return descriptor ? `${resolved} ${descriptor}` : resolved;
    })
    .join(', ');
}
