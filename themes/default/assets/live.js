// The live river (orrery serve): new posts appear at the top of an open river page without a
// reload, through Server-Sent Events; posts new since the reader's last visit are marked. The
// page works the same without this script (or on a static host, where /live/events is a 404 and
// EventSource gives up at once).
(() => {
  const script = document.currentScript;
  const main = document.getElementById('main');
  if (!script || !main) return;
  const root = script.dataset.root || '';
  const page = script.dataset.page || '';
  const section = script.dataset.section || '';
  const river = page === 'front' || page === 'section';

  // Its look is in style.css (.entry-unseen, .entry-live, .entry-mark, .live-new): the pages'
  // Content-Security-Policy allows no inline style.

  /** @param {Element} el */
  const idOf = (el) => Number(el.getAttribute('data-entry-id')) || 0;
  const entries = () => Array.from(main.querySelectorAll('article.entry[data-entry-id]'));
  /** @param {Element} article @param {string} cls @param {string} label */
  const mark = (article, cls, label) => {
    article.classList.add(cls);
    const title = article.querySelector('.entry-title');
    if (title && !title.querySelector('.entry-mark')) {
      const badge = document.createElement('span');
      badge.className = 'entry-mark';
      badge.textContent = label;
      title.prepend(badge);
    }
  };

  // Entry ids grow as posts are stored: the highest one seen is all a visit needs to remember.
  const key = `orrery:last-seen:${new URL(root || './', location.href).pathname}`;
  const stored = (() => {
    try {
      return Number(localStorage.getItem(key)) || 0;
    } catch {
      return 0; // storage off (private mode): nothing is marked, nothing breaks
    }
  })();
  let newest = Math.max(0, ...entries().map(idOf));
  if (stored > 0) for (const a of entries()) if (idOf(a) > stored) mark(a, 'entry-unseen', 'new');
  const remember = () => {
    try {
      localStorage.setItem(key, String(Math.max(stored, newest)));
    } catch {
      // storage off: the next visit marks nothing
    }
  };
  remember();

  if (!river || !window.EventSource) return;
  const url = new URL(`${root}live/events`, location.href);
  url.searchParams.set('after', String(newest));
  url.searchParams.set('root', root);
  if (page === 'section' && section) url.searchParams.set('section', section);

  /** @type {HTMLDivElement | undefined} */
  let list;
  const liveList = () => {
    if (list) return list;
    const box = document.createElement('section');
    box.className = 'live-new';
    box.setAttribute('aria-live', 'polite');
    box.setAttribute('aria-labelledby', 'live-new-title');
    box.innerHTML = '<h2 class="day-title" id="live-new-title">New since you opened this page</h2>';
    list = document.createElement('div');
    box.appendChild(list);
    const first = main.querySelector('section.day, p.empty');
    if (first) first.before(box);
    else main.appendChild(box);
    return list;
  };

  const source = new EventSource(url);
  source.addEventListener('entries', (event) => {
    /** @type {{ entries: { id: number; html: string }[] }} */
    const data = JSON.parse(event.data);
    const shown = new Set(entries().map(idOf));
    // Oldest first, each put at the top: the newest ends up first.
    const fresh = data.entries.filter((e) => !shown.has(e.id)).sort((a, b) => a.id - b.id);
    for (const e of fresh) {
      const template = document.createElement('template');
      template.innerHTML = e.html.trim();
      const article = template.content.querySelector('article');
      if (!article) continue;
      mark(article, 'entry-live', 'new');
      liveList().prepend(article);
      newest = Math.max(newest, e.id);
    }
    if (fresh.length > 0) remember();
  });
})();
