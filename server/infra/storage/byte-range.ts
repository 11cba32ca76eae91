import type { ByteRange } from './storage.js';

/**
 * What a `Range` request header asks of an object of `size` bytes (RFC 9110 §14):
 * - `none`: serve the whole object (no header, another unit, several ranges, or a malformed
 *   value: a server may ignore Range, and browsers only ever send one range for media);
 * - `range`: serve these bytes with 206;
 * - `unsatisfiable`: answer 416 with `Content-Range: bytes *\/size`.
 */
export type RangeRequest = { kind: 'none' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i;

export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' };
  const match = SINGLE_RANGE.exec(header.trim());
  if (!match) return { kind: 'none' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'none' };
  if (first.length > 15 || last.length > 15) return { kind: 'none' };
  if (first === '') {
    // bytes=-n: the last n bytes; n = 0, or any suffix of an empty object, is unsatisfiable.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  // A reversed range is invalid (ignored), not unsatisfiable.
  if (last !== '' && Number(last) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Number(last);
  return { kind: 'range', range: { start, end: Math.min(end, size - 1) } };
}
