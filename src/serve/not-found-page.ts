/**
 * The 404 page, in the theme's own layout: the theme's `404.liquid` when it has one, else the
 * layout around a short message. Served at any depth, so its links start from the site's public
 * path (site.link's path, else '/') instead of a relative root.
 */
import type { SiteSettings } from '../model/settings.js';
import { createPageRenderer, pageCsp } from '../render/render-page.js';
import { sectionViews } from '../render/site-model.js';
import { loadTheme } from '../render/theme.js';

const FALLBACK = `{% layout 'layout' %}{% block content %}
<div class="page-intro">
  <h1>Page not found</h1>
  <p>There is no page at this address. See <a href="{{ root }}index.html">the newest posts</a>
  or <a href="{{ root }}archive/index.html">the archive</a>.</p>
</div>
{% endblock %}`;

export async function notFoundPage(site: SiteSettings): Promise<string> {
  const theme = await loadTheme(site.themeDir);
  const templates = { ...theme.templates };
  const name = '404.liquid' in templates ? '404.liquid' : '__orrery_404.liquid';
  templates['__orrery_404.liquid'] = FALLBACK;
  const renderer = createPageRenderer({ templates, sources: theme.sources }, site);
  const root = site.link ? new URL(site.link).pathname.replace(/\/?$/, '/') : '/';
  return renderer.render(name, {
    site: { name: site.name, link: site.link, owner: site.owner },
    sections: sectionViews(site.sections, []),
    root,
    search: false,
    csp: pageCsp(renderer, site),
    page: { kind: 'not-found', title: 'Page not found', path: '404.html' },
  });
}
