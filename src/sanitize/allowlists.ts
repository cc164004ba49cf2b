// Allowlists, reproduced from Python feedparser's sanitizer (feedparser/sanitizer.py,
// HTMLSanitizer) so that Orrery keeps and drops what feed readers have kept and dropped
// for twenty years. Deviations are marked and explained in docs/decisions/sanitize.md.

/**
 * HTML elements kept: feedparser `acceptable_elements`, minus `noscript` (unwrapped) and minus
 * FORM_ELEMENTS (unwrapped: a post must not draw a password form on the planet's origin).
 */
// biome-ignore format: keep the list compact
export const HTML_ELEMENTS: ReadonlySet<string> = new Set([
  'a', 'abbr', 'acronym', 'address', 'area', 'article', 'aside', 'audio', 'b', 'big',
  'blockquote', 'br', 'canvas', 'caption', 'center', 'cite', 'code', 'col', 'colgroup',
  'command', 'datagrid', 'dd', 'del', 'details', 'dfn', 'dialog', 'dir', 'div', 'dl', 'dt', 'em',
  'event-source', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'header', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'm', 'map', 'menu', 'meter', 'multicol', 'nav',
  'nextid', 'ol', 'p', 'pre', 'progress', 'q', 's', 'samp', 'section', 'small', 'sound',
  'source', 'spacer', 'span', 'strike', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot',
  'th', 'thead', 'time', 'tr', 'tt', 'u', 'ul', 'var', 'video',
]);

/**
 * Forms and form controls that feedparser keeps and Orrery unwraps (text kept, elements gone),
 * as DOMPurify's and GitHub's policies do: with them a post could draw a login form on the
 * planet's origin that posts anywhere. `keygen` is a form control too.
 */
// biome-ignore format: keep the list compact
export const FORM_ELEMENTS: ReadonlySet<string> = new Set([
  'form', 'input', 'button', 'select', 'option', 'optgroup', 'textarea', 'fieldset', 'legend',
  'label', 'datalist', 'output', 'keygen',
]);

/**
 * HTML attributes kept: feedparser `acceptable_attributes`, plus `srcset` and `sizes`, minus
 * `autofocus`, `contenteditable`, `tabindex` and `accesskey` (a post must not take the focus,
 * the keyboard or editing away from the page). `id` and `name` are namespaced (user-content.ts).
 */
// biome-ignore format: keep the list compact
export const HTML_ATTRIBUTES: ReadonlySet<string> = new Set([
  'abbr', 'accept', 'accept-charset', 'action', 'align', 'alt', 'autocomplete',
  'axis', 'background', 'balance', 'bgcolor', 'bgproperties', 'border',
  'bordercolor', 'bordercolordark', 'bordercolorlight', 'bottompadding', 'cellpadding',
  'cellspacing', 'ch', 'challenge', 'char', 'charoff', 'charset', 'checked', 'choff', 'cite',
  'class', 'clear', 'color', 'cols', 'colspan', 'compact', 'controls',
  'coords', 'data', 'datafld', 'datapagesize', 'datasrc', 'datetime', 'default', 'delay', 'dir',
  'disabled', 'draggable', 'dynsrc', 'enctype', 'end', 'face', 'for', 'form', 'frame',
  'galleryimg', 'gutter', 'headers', 'height', 'hidden', 'hidefocus', 'high', 'href',
  'hreflang', 'hspace', 'icon', 'id', 'inputmode', 'ismap', 'keytype', 'label', 'lang',
  'leftspacing', 'list', 'longdesc', 'loop', 'loopcount', 'loopend', 'loopstart', 'low',
  'lowsrc', 'max', 'maxlength', 'media', 'method', 'min', 'multiple', 'name', 'nohref',
  'noshade', 'nowrap', 'open', 'optimum', 'pattern', 'ping', 'point-size', 'poster', 'pqg',
  'preload', 'prompt', 'radiogroup', 'readonly', 'rel', 'repeat-max', 'repeat-min', 'replace',
  'required', 'rev', 'rightspacing', 'rows', 'rowspan', 'rules', 'scope', 'selected', 'shape',
  'size', 'sizes', 'span', 'src', 'srcset', 'start', 'step', 'style', 'summary', 'suppress', 'target',
  'template', 'title', 'toppadding', 'type', 'unselectable', 'urn', 'usemap', 'valign', 'value',
  'variable', 'volume', 'vrml', 'vspace', 'width', 'wrap', 'xml:lang',
]);

/**
 * Elements whose content goes with them (feedparser `unacceptable_elements_with_end_tag`, plus
 * frames and `template`, whose content is inert in a browser and parsed apart from its
 * surroundings: unwrapped, it would nest elements in ways a second parse undoes).
 */
// biome-ignore format: keep the list compact
export const DROP_WITH_CONTENT: ReadonlySet<string> = new Set([
  'script', 'applet', 'style', 'frameset', 'frame', 'template',
]);

/**
 * Raw-text elements whose text feedparser (an SGML parser) read as markup and showed: their
 * words are kept as plain text, so `<iframe>fallback</iframe>` keeps its fallback. (Parsing
 * that text again as markup would nest elements the way no parser does, and the output would
 * change when sanitized again.)
 */
export const FALLBACK_TEXT: ReadonlySet<string> = new Set(['iframe', 'noembed', 'noframes']);

/** feedparser `mathml_elements`. */
// biome-ignore format: keep the list compact
export const MATHML_ELEMENTS: ReadonlySet<string> = new Set([
  'annotation', 'annotation-xml', 'maction', 'maligngroup', 'malignmark', 'math', 'menclose',
  'merror', 'mfenced', 'mfrac', 'mglyph', 'mi', 'mlabeledtr', 'mlongdiv', 'mmultiscripts', 'mn',
  'mo', 'mover', 'mpadded', 'mphantom', 'mprescripts', 'mroot', 'mrow', 'ms', 'mscarries',
  'mscarry', 'msgroup', 'msline', 'mspace', 'msqrt', 'msrow', 'mstack', 'mstyle', 'msub',
  'msubsup', 'msup', 'mtable', 'mtd', 'mtext', 'mtr', 'munder', 'munderover', 'none',
  'semantics',
]);

/** feedparser `mathml_attributes` (xmlns and xmlns:xlink are regenerated, not copied). */
// biome-ignore format: keep the list compact
export const MATHML_ATTRIBUTES: ReadonlySet<string> = new Set([
  'accent', 'accentunder', 'actiontype', 'align', 'alignmentscope', 'altimg', 'altimg-height',
  'altimg-valign', 'altimg-width', 'alttext', 'bevelled', 'charalign', 'close', 'columnalign',
  'columnlines', 'columnspacing', 'columnspan', 'columnwidth', 'crossout', 'decimalpoint',
  'denomalign', 'depth', 'dir', 'display', 'displaystyle', 'edge', 'encoding', 'equalcolumns',
  'equalrows', 'fence', 'fontstyle', 'fontweight', 'form', 'frame', 'framespacing',
  'groupalign', 'height', 'href', 'id', 'indentalign', 'indentalignfirst', 'indentalignlast',
  'indentshift', 'indentshiftfirst', 'indentshiftlast', 'indenttarget', 'infixlinebreakstyle',
  'largeop', 'length', 'linebreak', 'linebreakmultchar', 'linebreakstyle', 'lineleading',
  'linethickness', 'location', 'longdivstyle', 'lquote', 'lspace', 'mathbackground',
  'mathcolor', 'mathsize', 'mathvariant', 'maxsize', 'minlabelspacing', 'minsize',
  'movablelimits', 'notation', 'numalign', 'open', 'other', 'overflow', 'position', 'rowalign',
  'rowlines', 'rowspacing', 'rowspan', 'rquote', 'rspace', 'scriptlevel', 'scriptminsize',
  'scriptsizemultiplier', 'selection', 'separator', 'separators', 'shift', 'side', 'src',
  'stackalign', 'stretchy', 'subscriptshift', 'superscriptshift', 'symmetric', 'voffset',
  'width', 'xlink:href', 'xlink:show', 'xlink:type',
]);

/** feedparser `svg_elements` (SVG Tiny + foreignObject, gradients, stop), in DOM case. */
// biome-ignore format: keep the list compact
export const SVG_ELEMENTS: ReadonlySet<string> = new Set([
  'a', 'animate', 'animateColor', 'animateMotion', 'animateTransform', 'circle', 'defs', 'desc',
  'ellipse', 'font-face', 'foreignObject', 'g', 'glyph', 'hkern', 'line', 'linearGradient',
  'marker', 'metadata', 'missing-glyph', 'mpath', 'path', 'polygon', 'polyline',
  'radialGradient', 'rect', 'set', 'stop', 'svg', 'switch', 'text', 'title', 'tspan', 'use',
]);

/** SVG elements that animate another attribute: kept only when they cannot target a URL. */
// biome-ignore format: keep the list compact
export const SVG_ANIMATION_ELEMENTS: ReadonlySet<string> = new Set([
  'animate', 'animateColor', 'animateMotion', 'animateTransform', 'set',
]);

/** feedparser `svg_attributes`, in DOM case (xmlns and xmlns:xlink are regenerated). */
// biome-ignore format: keep the list compact
export const SVG_ATTRIBUTES: ReadonlySet<string> = new Set([
  'accent-height', 'accumulate', 'additive', 'alphabetic', 'arabic-form', 'ascent',
  'attributeName', 'attributeType', 'baseProfile', 'bbox', 'begin', 'by', 'calcMode',
  'cap-height', 'class', 'color', 'color-rendering', 'content', 'cx', 'cy', 'd', 'descent',
  'display', 'dur', 'dx', 'dy', 'end', 'fill', 'fill-opacity', 'fill-rule', 'font-family',
  'font-size', 'font-stretch', 'font-style', 'font-variant', 'font-weight', 'from', 'fx', 'fy',
  'g1', 'g2', 'glyph-name', 'gradientUnits', 'hanging', 'height', 'horiz-adv-x',
  'horiz-origin-x', 'id', 'ideographic', 'k', 'keyPoints', 'keySplines', 'keyTimes', 'lang',
  'marker-end', 'marker-mid', 'marker-start', 'markerHeight', 'markerUnits', 'markerWidth',
  'mathematical', 'max', 'min', 'name', 'offset', 'opacity', 'orient', 'origin',
  'overline-position', 'overline-thickness', 'panose-1', 'path', 'pathLength', 'points',
  'preserveAspectRatio', 'r', 'refX', 'refY', 'repeatCount', 'repeatDur', 'requiredExtensions',
  'requiredFeatures', 'restart', 'rotate', 'rx', 'ry', 'slope', 'stemh', 'stemv', 'stop-color',
  'stop-opacity', 'strikethrough-position', 'strikethrough-thickness', 'stroke',
  'stroke-dasharray', 'stroke-dashoffset', 'stroke-linecap', 'stroke-linejoin',
  'stroke-miterlimit', 'stroke-opacity', 'stroke-width', 'systemLanguage', 'target',
  'text-anchor', 'to', 'transform', 'type', 'u1', 'u2', 'underline-position',
  'underline-thickness', 'unicode', 'unicode-range', 'units-per-em', 'values', 'version',
  'viewBox', 'visibility', 'width', 'widths', 'x', 'x-height', 'x1', 'x2', 'xlink:actuate',
  'xlink:arcrole', 'xlink:href', 'xlink:role', 'xlink:show', 'xlink:title', 'xlink:type',
  'xml:lang', 'xml:space', 'y', 'y1', 'y2', 'zoomAndPan',
]);

/** feedparser `acceptable_css_properties`. */
// biome-ignore format: keep the list compact
export const CSS_PROPERTIES: ReadonlySet<string> = new Set([
  'azimuth', 'background-color', 'border-bottom-color', 'border-collapse', 'border-color',
  'border-left-color', 'border-right-color', 'border-top-color', 'clear', 'color', 'cursor',
  'direction', 'display', 'elevation', 'float', 'font', 'font-family', 'font-size',
  'font-style', 'font-variant', 'font-weight', 'height', 'letter-spacing', 'line-height',
  'overflow', 'pause', 'pause-after', 'pause-before', 'pitch', 'pitch-range', 'richness',
  'speak', 'speak-header', 'speak-numeral', 'speak-punctuation', 'speech-rate', 'stress',
  'text-align', 'text-decoration', 'text-indent', 'unicode-bidi', 'vertical-align',
  'voice-family', 'volume', 'white-space', 'width',
]);

/** feedparser `acceptable_css_keywords` (for background-*, border-*, margin-*, padding-*). */
// biome-ignore format: keep the list compact
export const CSS_KEYWORDS: ReadonlySet<string> = new Set([
  '!important', 'aqua', 'auto', 'black', 'block', 'blue', 'bold', 'both', 'bottom', 'brown',
  'center', 'collapse', 'dashed', 'dotted', 'fuchsia', 'gray', 'green', 'italic', 'left',
  'lime', 'maroon', 'medium', 'navy', 'none', 'normal', 'nowrap', 'olive', 'pointer', 'purple',
  'red', 'right', 'silver', 'solid', 'teal', 'top', 'transparent', 'underline', 'white',
  'yellow',
]);

/** feedparser `acceptable_svg_properties`: extra CSS properties inside SVG. */
// biome-ignore format: keep the list compact
export const SVG_CSS_PROPERTIES: ReadonlySet<string> = new Set([
  'fill', 'fill-opacity', 'fill-rule', 'stroke', 'stroke-linecap', 'stroke-linejoin',
  'stroke-opacity', 'stroke-width',
]);

/** feedparser `ACCEPTABLE_URI_SCHEMES` (urls.py). */
// biome-ignore format: keep the list compact
export const URI_SCHEMES: ReadonlySet<string> = new Set([
  'file', 'ftp', 'gopher', 'h323', 'hdl', 'http', 'https', 'imap', 'magnet', 'mailto', 'mms',
  'news', 'nntp', 'prospero', 'rsync', 'rtsp', 'rtspu', 'sftp', 'shttp', 'sip', 'sips', 'snews',
  'svn', 'svn+ssh', 'telnet', 'wais', 'aim', 'callto', 'cvs', 'facetime', 'feed', 'git',
  'gtalk', 'irc', 'ircs', 'irc6', 'itms', 'msnim', 'skype', 'ssh', 'smb', 'ymsg',
]);

/** Attributes holding one URL (resolved against the base, scheme-checked). */
// biome-ignore format: keep the list compact
export const URL_ATTRIBUTES: ReadonlySet<string> = new Set([
  'href', 'src', 'cite', 'longdesc', 'background', 'action', 'poster', 'usemap', 'lowsrc',
  'dynsrc', 'icon', 'xlink:href', 'formaction', 'codebase', 'classid', 'profile', 'manifest',
  'datasrc', 'vrml', 'altimg',
]);

/** Attributes holding a list of URLs: `ping` is space-separated, `srcset` is a candidate list. */
export const URL_LIST_ATTRIBUTES: ReadonlySet<string> = new Set(['ping', 'srcset']);

/** HTML void elements (no end tag). */
// biome-ignore format: keep the list compact
export const VOID_ELEMENTS: ReadonlySet<string> = new Set([
  'area', 'base', 'basefont', 'bgsound', 'br', 'col', 'embed', 'frame', 'hr', 'img', 'input',
  'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
