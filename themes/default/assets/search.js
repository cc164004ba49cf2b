// The search page (search/index.html): Pagefind's UI over the site's index, which comes in
// parts (#search's data-indexes, newest first): the first is loaded, the others merged.
// Results are site paths: they are prefixed with wherever this site is served from.
// A query in the address (search/?q=words) is searched at once.
window.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('search');
  if (!box || typeof PagefindUI === 'undefined') return;
  // The search page's template always writes data-root and data-indexes.
  const root = /** @type {string} */ (box.dataset.root);
  const base = new URL(root, window.location.href).pathname.replace(/\/$/, '') + '/';
  const parts = /** @type {string} */ (box.dataset.indexes);
  const indexes = parts.split(' ').filter((dir) => dir !== '');
  const ui = new PagefindUI({
    element: '#search',
    bundlePath: base + indexes[0],
    mergeIndex: indexes.slice(1).map((dir) => ({ bundlePath: base + dir, baseUrl: base })),
    baseUrl: base,
    showSubResults: false,
    showImages: false,
    resetStyles: false,
  });
  const query = new URLSearchParams(window.location.search).get('q');
  if (query) ui.triggerSearch(query);
  const input = box.querySelector('input');
  if (input) {
    input.focus();
    // Keep the address in step with the query, so a search can be linked and reloaded.
    input.addEventListener('input', () => {
      const url = new URL(window.location.href);
      if (input.value) url.searchParams.set('q', input.value);
      else url.searchParams.delete('q');
      window.history.replaceState(null, '', url);
    });
  }
});
