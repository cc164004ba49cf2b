// The floor for static serving: node:http alone, sending one file from memory with the same
// kind of headers `orrery serve` sends (type, ETag, Last-Modified, Cache-Control). Prints its URL.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';

const file = process.argv[2] ?? '';
const body = readFileSync(file);
const headers = {
  'content-type': 'text/html; charset=utf-8',
  etag: `"${createHash('sha1').update(body).digest('base64url')}"`,
  'last-modified': statSync(file).mtime.toUTCString(),
  'cache-control': 'no-cache',
  'content-length': String(body.length),
};
const server = createServer((req, res) => {
  if (req.headers['if-none-match'] === headers.etag) {
    res.writeHead(304, { etag: headers.etag, 'cache-control': headers['cache-control'] });
    return void res.end();
  }
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () =>
  console.log(
    `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/index.html`,
  ),
);
// Never outlives its bench.
setTimeout(() => process.exit(0), 30 * 60_000).unref();
process.on('SIGTERM', () => process.exit(0));
