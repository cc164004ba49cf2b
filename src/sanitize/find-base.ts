import { type DefaultTreeAdapterTypes, html as html5 } from 'parse5';
import { baseFromHref } from './urls.js';

type ParentNode = DefaultTreeAdapterTypes.ParentNode;
type Element = DefaultTreeAdapterTypes.Element;

/**
 * The first `<base href>` in the fragment, as a function of the outer base: browsers resolve
 * every URL of a document against its first base element, wherever it is, so feeds that paste
 * whole pages rely on it. Only http(s) bases are honoured. undefined when there is none.
 */
export function findBaseHref(
  fragment: ParentNode,
  source: string,
): ((outer: string | undefined) => string | undefined) | undefined {
  // Cheap pre-check: most content has no base element, so skip the tree walk.
  if (!/<base[\s/>]/i.test(source)) return undefined;
  const href = findFirstBaseHref(fragment);
  if (href === undefined) return undefined;
  return (outer) => baseFromHref(href, outer);
}

function findFirstBaseHref(root: ParentNode): string | undefined {
  // Pre-order walk in document order, without recursion.
  const stack: ParentNode[] = [root];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if ('tagName' in node && node.tagName === 'base' && node.namespaceURI === html5.NS.HTML) {
      const href = node.attrs.find((a) => a.name === 'href' && !a.namespace);
      if (href) return href.value;
    }
    const children =
      node.nodeName === 'template' && 'content' in node
        ? (node as DefaultTreeAdapterTypes.Template).content.childNodes
        : node.childNodes;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child !== undefined && 'tagName' in child) stack.push(child as Element);
    }
  }
  return undefined;
}
