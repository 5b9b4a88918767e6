import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketsForRange, bucketStart, windowsForBuckets } from '../../../src/model/buckets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const midnight = Date.UTC(2024, 4, 1);

describe('buckets', () => {
  it('aligns a time to the start of its bucket', () => {
    assert.equal(bucketStart(midnight + 90 * 60_000, HOUR), midnight + HOUR);
    assert.equal(bucketStart(midnight, HOUR), midnight);
  });

  it('lists the buckets that hold every begin time of [from, to), with a partial bucket at each end', () => {
    assert.deepEqual(bucketsForRange(midnight + 30 * 60_000, midnight + 2 * HOUR + 1, HOUR), [midnight, midnight + HOUR, midnight + 2 * HOUR]);
    assert.deepEqual(bucketsForRange(midnight, midnight + 2 * HOUR, HOUR), [midnight, midnight + HOUR]);
  });

  it('covers seven days from midnight with seven one-day windows', () => {
    const windows = windowsForBuckets(bucketsForRange(midnight, midnight + 7 * DAY, HOUR), HOUR, DAY);
    assert.equal(windows.length, 7);
    windows.forEach((window, i) => assert.deepEqual(window, { startTime: midnight + i * DAY, endTime: midnight + (i + 1) * DAY }));
  });

  it('bridges a gap between buckets when the window still fits', () => {
    assert.deepEqual(windowsForBuckets([midnight + 20 * HOUR, midnight, midnight + 3 * HOUR], HOUR, DAY), [
      { startTime: midnight, endTime: midnight + 21 * HOUR },
    ]);
  });

  it('starts a new window when the next bucket would make it longer than the maximum', () => {
    assert.deepEqual(windowsForBuckets([midnight, midnight + 24 * HOUR], HOUR, DAY), [
      { startTime: midnight, endTime: midnight + HOUR },
      { startTime: midnight + DAY, endTime: midnight + DAY + HOUR },
    ]);
  });

  it('ignores repeated buckets and returns nothing for none', () => {
    assert.deepEqual(windowsForBuckets([midnight, midnight, midnight], HOUR, DAY), [{ startTime: midnight, endTime: midnight + HOUR }]);
    assert.deepEqual(windowsForBuckets([], HOUR, DAY), []);
  });
});
