import { describe, expect, it } from 'vitest';
import { arrayTaskIds, parseArraySpec } from '@god/core/browser';
import { describePreview, previewArray, PREVIEW_IDS } from './array-preview.js';

describe('the array preview', () => {
  it.each([
    ['1:9:3', '1, 4, 7 (3 tasks)'],
    ['1:10:3', '1, 4, 7, 10 (4 tasks)'],
    ['5', '1, 2, 3, 4, 5 (5 tasks)'],
    ['2:4%1', '2, 3, 4 (3 tasks), at most 1 at once'],
    ['1:100', '1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, … (100 tasks)'],
  ])('%s previews as %s', (spec, text) => {
    expect(describePreview(previewArray(spec))).toBe(text);
  });

  it.each(['1-10%2', '9:1', '1:9:0', 'abc', '0', '1:5%0'])(
    '%s is refused with a reason',
    (spec) => {
      const p = previewArray(spec);
      expect(p.ok).toBe(false);
      // The same words the API answers with: the form shows the parser's own reason.
      expect(describePreview(p)).toBe(parseArraySpec(spec));
    },
  );

  it('lists the same ids as the API makes', () => {
    for (const spec of ['1:9:3', '3:30:7', '12', '100:101']) {
      const p = previewArray(spec);
      const r = parseArraySpec(spec);
      if (!p.ok || typeof r === 'string') throw new Error(spec);
      expect(p.ids).toEqual(arrayTaskIds(r).slice(0, PREVIEW_IDS));
      expect(p.count).toBe(r.count);
    }
  });
});
