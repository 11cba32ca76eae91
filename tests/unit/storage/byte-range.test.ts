import { describe, expect, it } from 'vitest';
import { parseRangeHeader } from '../../../server/infra/storage/byte-range.js';

describe('parseRangeHeader', () => {
  const size = 1000;

  it('reads the three single-range forms', () => {
    expect(parseRangeHeader('bytes=0-99', size)).toEqual({ kind: 'range', range: { start: 0, end: 99 } });
    expect(parseRangeHeader('bytes=100-', size)).toEqual({ kind: 'range', range: { start: 100, end: 999 } });
    expect(parseRangeHeader('bytes=-50', size)).toEqual({ kind: 'range', range: { start: 950, end: 999 } });
  });

  it('clamps an end past the object and a suffix longer than it', () => {
    expect(parseRangeHeader('bytes=990-5000', size)).toEqual({ kind: 'range', range: { start: 990, end: 999 } });
    expect(parseRangeHeader('bytes=-5000', size)).toEqual({ kind: 'range', range: { start: 0, end: 999 } });
  });

  it('calls a start past the end, an empty suffix or any suffix of an empty object unsatisfiable', () => {
    expect(parseRangeHeader('bytes=1000-', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-0', size)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=-10', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRangeHeader('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
  });

  it('ignores (serves whole) what it does not understand: none, other units, several ranges, reversed, junk', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3', 'bytes=-', 'bytes=a-b', 'bytes=99999999999999999-']) {
      expect(parseRangeHeader(header, size)).toEqual({ kind: 'none' });
    }
  });
});
