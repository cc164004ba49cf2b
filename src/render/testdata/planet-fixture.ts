/**
 * A small planet modelled on seed 004 (the Planet Python front page, February 2012): two
 * sections, a dozen authors, posts over several days with HTML content, code and images.
 * It also carries the cases render must handle: a stored duplicate (never shown), the same
 * post under a second id (shown once), a failing feed, a quiet feed, a redirected feed, a
 * removed feed whose posts stay in the archive, an HTML title, XML-invalid characters.
 */
import type { SiteSettings } from '../../model/settings.js';
import type { FetchRecord, StoredEntry, StoredFeed } from '../../model/stored.js';
import type { MemorySourceData } from '../memory-source.js';

export const FIXTURE_NOW = new Date('2012-02-06T12:00:00Z');

export function fixtureSite(outputDir: string, overrides: Partial<SiteSettings> = {}): SiteSettings {
  return {
    name: 'Planet Python',
    link: 'https://planet.example.org/',
    owner: { name: 'Planet Python Team', email: 'planet@example.org' },
    outputDir,
    timezone: 'UTC',
    dateFormat: '%d %b %Y',
    timeFormat: '%-I:%M%P %Z',
    itemsPerPage: 60,
    daysPerPage: 10,
    sections: [
      { id: 'python', title: 'Planet Python' },
      {
        id: 'gsoc',
        title: "Python Software Foundation | GSoC'11 Students",
        description: 'Posts from the students of the Google Summer of Code 2011.',
      },
    ],
    ...overrides,
  };
}

let nextFeedId = 1;
function feed(partial: Partial<StoredFeed> & { name: string; slug: string; section?: string }): StoredFeed {
  const { slug, ...rest } = partial;
  return {
    id: nextFeedId++,
    url: `https://${slug}.example.com/feed/`,
    section: 'python',
    active: true,
    title: `${partial.name}'s blog`,
    siteLink: `https://${slug}.example.com/`,
    hubs: [],
    validators: {},
    consecutiveFailures: 0,
    previousUrls: [],
    retired: false,
    entryCount: 0,
    createdAt: '2011-06-01T00:00:00Z',
    lastFetchedAt: '2012-02-06T11:30:00Z',
    lastSuccessAt: '2012-02-06T11:30:00Z',
    lastNewEntryAt: '2012-02-05T00:00:00Z',
    ...rest,
  };
}

export function fixtureData(): Required<MemorySourceData> {
  nextFeedId = 1;
  const tarek = feed({ name: 'Tarek Ziade', slug: 'ziade' });
  const cheese = feed({ name: 'Bit of Cheese', slug: 'cheese' });
  const abbate = feed({ name: 'Joe Abbate', slug: 'abbate' });
  const emptysquare = feed({
    name: 'EmptysquarePython',
    slug: 'emptysquare',
    previousUrls: ['http://emptysquare.example.com/feed/'],
  });
  const reitz = feed({ name: 'Kenneth Reitz', slug: 'reitz' });
  const spivak = feed({ name: 'Ruslan Spivak', slug: 'spivak' });
  const taylor = feed({
    name: 'Greg Taylor',
    slug: 'gtaylor',
    pendingRedirect: { to: 'https://gc-taylor.example.com/feed/', since: '2012-02-04T00:00:00Z', count: 1 },
  });
  const sajip = feed({ name: 'Vinay Sajip', slug: 'sajip' });
  const scherfke = feed({ name: 'Stefan Scherfke', slug: 'scherfke' });
  const fletcher = feed({
    name: 'Mike C. Fletcher',
    slug: 'fletcher',
    errorCode: 'timeout',
    errorMessage: 'no response headers within 30 s',
    consecutiveFailures: 4,
    failingSince: '2012-02-04T09:00:00Z',
    lastSuccessAt: '2012-02-04T08:00:00Z',
  });
  // Quiet: its newest post is from October, though the planet only found it in February.
  const lfs = feed({ name: 'Lightning Fast Shop', slug: 'lfs', lastNewEntryAt: '2012-02-03T15:29:00Z' });
  // Never dates its posts.
  const undated = feed({ name: 'Undated Notes', slug: 'undated' });
  const stein = feed({ name: 'Benedict Stein', slug: 'benste', section: 'gsoc' });
  const wojtyniak = feed({ name: 'Wojciech Wojtyniak', slug: 'wojtyniak', section: 'gsoc' });
  const niculae = feed({ name: 'Vlad Niculae', slug: 'vene', section: 'gsoc' });
  const removed = feed({ name: 'Old Blog', slug: 'oldblog', active: false });
  const feeds = [
    tarek,
    cheese,
    abbate,
    emptysquare,
    reitz,
    spivak,
    taylor,
    sajip,
    scherfke,
    fletcher,
    lfs,
    undated,
    stein,
    wojtyniak,
    niculae,
    removed,
  ];

  let nextEntryId = 100;
  const entries: StoredEntry[] = [];
  const add = (
    f: StoredFeed,
    date: string,
    title: string | undefined,
    html: string,
    extra: Partial<StoredEntry> = {},
  ): StoredEntry => {
    const id = nextEntryId++;
    const slug = (title ?? `post-${id}`).toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const link = `${f.siteLink}${date.slice(0, 4)}/${date.slice(5, 7)}/${slug}`;
    const e: StoredEntry = {
      id,
      feedId: f.id,
      key: `id:tag:${f.siteLink?.slice(8, -1)},2012:${id}`,
      link,
      canonicalLink: link,
      fingerprint: `fp-${id}`,
      ...(title !== undefined ? { title } : {}),
      content: { value: html, type: 'text/html' },
      author: { name: f.name! },
      categories: [{ term: 'python' }],
      enclosures: [],
      published: date,
      date,
      firstSeenAt: date,
      lastSeenAt: date,
      ...extra,
    };
    f.entryCount++;
    entries.push(e);
    return e;
  };

  add(
    tarek,
    '2012-02-06T08:17:00Z',
    'Scaling Crypto work in Python',
    `<p>We're building a new service at Services called the Token Server - the idea is simple: give us a Browser ID assertion and a service name, and the Token Server will send you back a token that's good for 30 minutes.</p>
<h3>The GIL, Gevent, greenlet and the likes</h3>
<p>Implementing this using Cornice and a crypto lib is quite simple, but the crypto work is CPU intensive, and the GIL is not released enough to let your threads really use several cores.</p>
<p>So the sanest option is to use separate processes and set up a messaging queue between the web service and specialized crypto workers. It turns out <a href="https://zeromq.org/">zeromq</a> is perfect for this job.</p>
<pre><code>from powerhose import JobRunner

runner = JobRunner('ipc://worker-endpoint')
result = runner.execute('sign', token_data)  # a very long line that must scroll inside its box rather than widen the page</code></pre>
<p>The project is called PowerHose and is located on GitHub. ${'Workers are language agnostic and a master could run heterogeneous workers. '.repeat(12)}</p>`,
  );
  add(
    cheese,
    '2012-02-06T06:07:00Z',
    'A few more random bits',
    `<p><strong>pytagcloud</strong> - is one to watch: make tag clouds as PNG images or HTML.</p>
<pre><code>$ echo '{"json":"obj"}' | python -m json.tool
{
    "json": "obj"
}</code></pre>`,
  );
  add(
    abbate,
    '2012-02-06T03:38:00Z',
    'Automated Database Augmentation',
    '<p>Pyrseas can now add audit columns and triggers to your tables automatically.</p>',
  );
  const talk = add(
    emptysquare,
    '2012-02-06T01:57:00Z',
    'This Thursday: a talk on Python, MongoDB, and asynchronous web frameworks',
    `<p>This Thursday in NYC I'm talking about Python, MongoDB, and asynchronous web frameworks.</p>
<ul><li>A review of pymongo, pthreads, Tornado, asyncmongo, and gevent.</li><li>A sneak peek at my experimental driver.</li></ul>`,
  );
  // The same post stored again and recognised by the store as a duplicate: never rendered.
  add(emptysquare, '2012-02-06T01:58:00Z', 'This Thursday: a talk on Python, MongoDB, and asynchronous web frameworks', '<p>duplicate copy</p>', {
    duplicateOf: talk.id,
    key: 'id:http-copy',
  });
  // Another post sharing the canonical link, with its own title: the store keeps both (link
  // posts), and so does the site.
  add(emptysquare, '2012-02-06T01:56:00Z', 'This Thursday: a talk (again)', '<p>second copy</p>', {
    key: 'id:second-guid',
    link: talk.link!,
    canonicalLink: talk.canonicalLink!,
  });
  add(
    reitz,
    '2012-02-05T22:00:00Z',
    'Amon - Python-powered server monitoring, logging, and error reporting with JSON API',
    `<p>Amon is a simple server monitoring tool.</p>
<p><img src="https://reitz.example.com/amon1.png" alt="Amon dashboard with CPU and memory graphs" width="1200" height="700"></p>
<p><img src="https://reitz.example.com/amon2.png" alt="Amon log viewer" width="1200" height="700"></p>
<p><img src="https://reitz.example.com/amon3.png" alt="Amon exception list" width="1200" height="700"></p>`,
  );
  add(
    spivak,
    '2012-02-05T19:20:00Z',
    'Pyramid is Awesome for Beginners',
    '<p>I have been teaching Pyramid to beginners and it is a great fit: small, explicit, well documented.</p>',
  );
  add(
    taylor,
    '2012-02-05T18:40:00Z',
    'PyATL Jam session this Tuesday',
    '<p>PyATL is having a Jam Session this Tuesday at 7PM. I\'ll be there, looking to help people with <a href="https://github.com/boto/boto">boto</a>.</p>',
  );
  add(
    sajip,
    '2012-02-05T09:00:00Z',
    'Working with subprocess',
    `<p>The subprocess module provides some very useful functionality for working with external programs from Python applications, but is often complained about as being harder to use than it needs to be.</p>
<pre><code>from pbs import ifconfig
print ifconfig("eth0")</code></pre>
${'<p>I have been experimenting with my own wrapper for subprocess, called sarge. I want to use command pipelines, but using subprocess out of the box often leads to deadlocks because pipe buffers get filled up.</p>\n'.repeat(8)}`,
  );
  add(
    scherfke,
    '2012-02-04T13:34:00Z',
    'Designing and Testing PyZMQ Applications – Part 1',
    '<p>ZeroMQ is a messaging library that lets you build distributed systems with <code>zmq.Context()</code> and a few sockets.</p>',
    { title: '<em>Designing</em> and Testing PyZMQ Applications &amp; Part 1', titleDetail: { value: '<em>Designing</em> and Testing PyZMQ Applications &amp; Part 1', type: 'text/html' } },
  );
  add(
    fletcher,
    '2012-02-03T21:02:00Z',
    'What to play with?',
    "<p>I'm hoping to have a few weeks to work on my own projects.</p><ul><li>learn Haskell</li><li>add a GLES binding to PyOpenGL</li></ul>",
  );
  add(
    lfs,
    '2011-10-01T15:29:00Z',
    'Release 0.6.5',
    '<p>We just released LFS 0.6.5. This is yet another bugfix release.\u0001\u0008 Control characters like these must not break the feeds.</p>',
  );
  add(
    stein,
    '2012-01-31T12:55:00Z',
    'Xhosa in Debian',
    '<p>Today I had to add a missing US locale which brought up the idea of trying Xhosa as well.</p>',
  );
  add(
    wojtyniak,
    '2012-01-31T00:40:00Z',
    '137',
    '<p>It was Richard Feynman who suggested that all physicists should put up a sign saying simply 137.</p><p><img src="https://wojtyniak.example.com/feynman.jpg" alt="Richard Feynman at a blackboard"></p>',
  );
  add(
    niculae,
    '2012-01-29T20:39:00Z',
    'Nash-Williams theorem on the Hamiltonian property of some regular graphs',
    '<p><strong>Theorem.</strong> Let \\(G=(V, E)\\) be an \\(n\\)-regular graph with \\(|V| = 2n + 1\\). Then \\(G\\) is Hamiltonian.</p>',
  );
  add(stein, '2012-01-23T13:53:00Z', 'Wireless network', '<p>Today Nozuko learned about wireless networks for her first time.</p>');
  add(removed, '2011-12-24T10:00:00Z', 'A post from a feed that left the planet', '<p>Entries stay in the archive when their feed is removed.</p>');
  add(spivak, '2012-01-31T09:00:00Z', undefined, '<p>A short note without a title, about hamsters and Python.</p>');
  // No published or updated date: the river sorts it by when it was first seen.
  add(undated, '2012-02-04T07:00:00Z', 'A note with no date', '<p>Undated, as some feeds are.</p>', {
    published: undefined,
  });

  const fetches = new Map<number, FetchRecord[]>([
    [
      fletcher.id,
      [
        { at: '2012-02-06T11:30:00Z', outcome: 'error', errorCode: 'timeout', message: 'no response headers within 30 s', elapsedMs: 30_000 },
        { at: '2012-02-04T09:00:00Z', outcome: 'error', errorCode: 'timeout', message: 'no response headers within 30 s', elapsedMs: 30_000 },
        { at: '2012-02-04T08:00:00Z', outcome: 'ok', status: 200, elapsedMs: 340, newEntries: 1 },
      ],
    ],
  ]);
  return { feeds, entries, fetches };
}
