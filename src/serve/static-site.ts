/**
 * Serves the published site from the output folder: the right Content-Type, a strong ETag and
 * Last-Modified with 304 answers, gzip or brotli for text, Cache-Control that fits (immutable for
 * content-hashed files, revalidate for pages and feeds), the theme's 404 page. Files are held in
 * memory once read (bounded), with their compressed forms made on first demand: a publish swaps
 * the whole folder, and `invalidate()` then drops them all. Paths with `..`, a dot-segment, a
 * backslash or a NUL never reach the file system, and a path resolving outside the folder
 * (symlink) is refused.
 */
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';
import { getMimeType } from 'hono/utils/mime';

export interface StaticSiteOptions {
  /** The output folder (absolute). */
  root: string;
  /** The HTML of the 404 page. */
  notFoundPage: () => Promise<string>;
  /** Resolves when no publish is swapping the folder (a miss during one waits for it). */
  whenPublished?: () => Promise<void>;
  /** Bytes of files held in memory at most (default 64 MB); larger sites read the rest each time. */
  maxCacheBytes?: number;
}

/** A request the handler needs: method, path, and the headers it reads. */
export interface StaticRequest {
  method: string;
  /** The URL path as received (still percent-encoded). */
  path: string;
  header(name: string): string | undefined;
}

/** What to send: status, headers, body (null for HEAD, 304, redirects). */
export interface StaticAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer | string | null;
}

export interface StaticSite {
  /** The answer as a web Response (the Hono route). */
  serve(request: StaticRequest): Promise<Response>;
  /** The answer itself, for a caller that writes it out directly (the node:http fast path). */
  answer(request: StaticRequest): Promise<StaticAnswer>;
  /** Forget every cached file (call after a publish). */
  invalidate(): void;
}

interface CachedFile {
  body: Buffer;
  type: string;
  etag: string;
  lastModified: string;
  mtimeSeconds: number;
  cacheControl: string;
  compressible: boolean;
  gzip?: Promise<Buffer>;
  br?: Promise<Buffer>;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);
/** Smaller text is sent as is: compressing it saves less than its headers cost. */
const MIN_COMPRESS_BYTES = 1024;
const TEXT_TYPE =
  /^(text\/|application\/(json|xml|javascript|feed\+json|atom\+xml|rss\+xml|manifest\+json)|image\/svg)/;
/** A file name carrying its content hash (Pagefind's fragments and indexes): never changes. */
const HASHED_NAME = /[._-][0-9a-f]{7,}\.[a-z0-9_]+$/i;
const EXTRA_TYPES: Record<string, string> = {
  pf_fragment: 'application/octet-stream',
  pf_index: 'application/octet-stream',
  pf_meta: 'application/octet-stream',
  pagefind: 'application/octet-stream',
  opml: 'text/x-opml; charset=utf-8',
};

/** The site path for a URL path, or undefined when it must not be served. */
export function sitePath(urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    // Malformed percent-encoding: no file has such a name.
    return undefined;
  }
  if (!decoded.startsWith('/') || /[\\\0]/.test(decoded)) return undefined;
  const parts = decoded.slice(1).split('/');
  // '..', '.', and dotfiles (the build manifest, temporary folders) are never served.
  if (parts.some((p, i) => p.startsWith('.') || (p === '' && i < parts.length - 1))) {
    return undefined;
  }
  const path = parts.join('/');
  return path === '' || path.endsWith('/') ? `${path}index.html` : path;
}

function cacheControlFor(path: string, type: string): string {
  if (HASHED_NAME.test(path)) return 'public, max-age=31536000, immutable';
  // Pages and feeds change with every publish: always revalidated (a cheap 304).
  if (/^text\/html|xml|json/.test(type)) return 'no-cache';
  return 'public, max-age=3600';
}

function typeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return getMimeType(path) ?? EXTRA_TYPES[ext] ?? 'application/octet-stream';
}

/** Does If-None-Match name this ETag (weak comparison, as RFC 9110 asks for GET)? */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
}

/** br if the client takes it, else gzip, else none (q=0 means "not this one"). */
export function pickEncoding(accept: string | undefined): 'br' | 'gzip' | undefined {
  if (!accept) return undefined;
  const takes = (name: string) =>
    accept.split(',').some((part) => {
      const [coding, ...params] = part.trim().toLowerCase().split(';');
      if (coding !== name && coding !== '*') return false;
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
      return q === undefined || Number(q) > 0;
    });
  if (takes('br')) return 'br';
  return takes('gzip') ? 'gzip' : undefined;
}

export function createStaticSite(options: StaticSiteOptions): StaticSite {
  const maxCacheBytes = options.maxCacheBytes ?? 64 * 1024 * 1024;
  let cache = new Map<string, Promise<CachedFile | undefined>>();
  let cachedBytes = 0;
  let rootReal: Promise<string> | undefined;

  async function load(path: string): Promise<CachedFile | undefined> {
    const file = join(options.root, path);
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(file);
      rootReal ??= realpath(options.root);
      const [real, base] = await Promise.all([realpath(file), rootReal]);
      if (!info.isFile() || !real.startsWith(base + sep)) return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Missing is an ordinary 404; anything else (permissions, I/O) is the server's problem.
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        rootReal = undefined;
        return undefined;
      }
      throw error;
    }
    const body = await readFile(file);
    const type = typeOf(path);
    return {
      body,
      type,
      etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
      lastModified: info.mtime.toUTCString(),
      mtimeSeconds: Math.floor(info.mtimeMs / 1000),
      cacheControl: cacheControlFor(path, type),
      compressible: TEXT_TYPE.test(type) && body.length >= MIN_COMPRESS_BYTES,
    };
  }

  function cached(path: string): Promise<CachedFile | undefined> {
    const hit = cache.get(path);
    if (hit) return hit;
    const generation = cache;
    const loading = load(path);
    cache.set(path, loading);
    loading.then(
      (file) => {
        // Not kept when missing (it may appear with the next publish) or when memory is spent.
        if (cache !== generation) return;
        if (!file || cachedBytes + file.body.length > maxCacheBytes) cache.delete(path);
        else cachedBytes += file.body.length;
      },
      () => generation.delete(path),
    );
    return loading;
  }

  async function find(path: string): Promise<CachedFile | undefined> {
    const file = await cached(path);
    if (file || !options.whenPublished) return file;
    // The folder may be mid-swap (a publish renames it): look again once the publish is done.
    await options.whenPublished();
    return cached(path);
  }

  async function encoded(file: CachedFile, encoding: 'br' | 'gzip'): Promise<Buffer> {
    if (encoding === 'br') {
      file.br ??= brotliAsync(file.body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 5, [zlib.BROTLI_PARAM_SIZE_HINT]: file.body.length },
      });
      return file.br;
    }
    file.gzip ??= gzipAsync(file.body, { level: 6 });
    return file.gzip;
  }

  async function notFound(method: string): Promise<StaticAnswer> {
    const html = await options.notFoundPage();
    return {
      status: 404,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' },
      body: method === 'HEAD' ? null : html,
    };
  }

  async function answer(request: StaticRequest): Promise<StaticAnswer> {
    const path = sitePath(request.path);
    if (path === undefined) return notFound(request.method);
    const file = await find(path);
    if (!file) {
      // A folder asked for without its slash: send the browser to the folder.
      if (!path.endsWith('index.html') && (await find(`${path}/index.html`))) {
        return { status: 301, headers: { location: `${request.path}/` }, body: null };
      }
      return notFound(request.method);
    }
    const headers: Record<string, string> = {
      'content-type': file.type,
      etag: file.etag,
      'last-modified': file.lastModified,
      'cache-control': file.cacheControl,
      'x-content-type-options': 'nosniff',
    };
    if (file.compressible) headers.vary = 'Accept-Encoding';
    const ifNoneMatch = request.header('if-none-match');
    const ifModifiedSince = request.header('if-modified-since');
    const notModified =
      ifNoneMatch !== undefined
        ? etagMatches(ifNoneMatch, file.etag)
        : ifModifiedSince !== undefined && Date.parse(ifModifiedSince) / 1000 >= file.mtimeSeconds;
    if (notModified) return { status: 304, headers, body: null };
    const encoding = file.compressible
      ? pickEncoding(request.header('accept-encoding'))
      : undefined;
    const body = encoding ? await encoded(file, encoding) : file.body;
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = String(body.length);
    return { status: 200, headers, body: request.method === 'HEAD' ? null : body };
  }

  return {
    invalidate() {
      cache = new Map();
      cachedBytes = 0;
      rootReal = undefined;
    },

    answer,

    async serve(request) {
      const { status, headers, body } = await answer(request);
      return new Response(body as ConstructorParameters<typeof Response>[0], { status, headers });
    },
  };
}
