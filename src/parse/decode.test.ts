import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { NATIVE_DECODERS, tryDecode } from './decode.js';

const ASCII = new Set(['usascii', 'ascii', 'ansix341968']);
const FFFD_BYTES = Buffer.from([0xef, 0xbf, 0xbd]);

/** What tryDecode returned when every charset but UTF-8 went through iconv-lite. */
function viaIconv(bytes: Uint8Array, name: string): string | undefined {
  if (ASCII.has(name))
    return bytes.every((b) => b < 0x80) ? iconv.decode(bytes, 'latin1') : undefined;
  const text = iconv.decode(bytes, name);
  return text.includes('\ufffd') && !Buffer.from(bytes).includes(FFFD_BYTES) ? undefined : text;
}

// The charsets decoded natively (TextDecoder, Buffer) must read every byte as iconv-lite does:
// the parse results may not change with the way a charset is decoded.
describe.each([...NATIVE_DECODERS].filter((n) => n !== 'utf8'))('%s natively', (name) => {
  it('is a name iconv-lite knows', () => {
    expect(iconv.encodingExists(name)).toBe(true);
  });

  it('reads each byte as iconv-lite does', () => {
    for (let b = 0; b < 256; b++) {
      const bytes = new Uint8Array([0x61, b, 0x62]);
      expect([b, tryDecode(bytes, name)]).toEqual([b, viaIconv(bytes, name)]);
    }
  });

  it('keeps U+FFFD where iconv-lite does when the document holds an encoded U+FFFD', () => {
    const bytes = new Uint8Array([...Array.from({ length: 256 }, (_, b) => b), ...FFFD_BYTES]);
    expect(tryDecode(bytes, name)).toBe(viaIconv(bytes, name));
  });
});
