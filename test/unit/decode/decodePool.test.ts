import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createWindowDecoding } from '../../../src/decode/decodePool.js';
import { createLogger } from '../../../src/logger.js';
import { generateWindow } from '../../../src/simulator/generator.js';

const HOUR_MS = 3_600_000;
const DAY = Date.UTC(2026, 0, 5);
const SITE = '4242';
const SOCKET_READ_BYTES = 64 * 1024;
const MB = 1024 * 1024;

describe('decode threads', () => {
  it("leaves little of the socket buffers bodies came in on this thread once they are handed over (not V8's 32 MB)", async () => {
    // A busy day (~15 MB of wire JSON), three times: 45 MB through this thread.
    const request = { siteId: SITE, startTime: DAY, endTime: DAY + 24 * HOUR_MS };
    const data = generateWindow({ seed: 'handover', ...request, now: DAY + 30 * 24 * HOUR_MS, callsPerHour: 300 });
    const body = Buffer.from(JSON.stringify({ success: true, data }));
    assert.ok(body.length > 12 * MB, `a busy day is ${body.length} bytes`);
    const decoding = createWindowDecoding({ workers: 1, bucketSizeMs: HOUR_MS, maxBucketCalls: 100_000, logger: createLogger({ level: 'silent' }) });
    const base = process.memoryUsage().arrayBuffers;
    let most = 0;
    try {
      for (let window = 0; window < 3; window++) {
        const reader = decoding.open(request);
        for (let at = 0; at < body.length; at += SOCKET_READ_BYTES) {
          // A socket read, as undici hands it over: a buffer of its own, garbage once the worker has a copy.
          await reader.push(Buffer.from(body.subarray(at, at + SOCKET_READ_BYTES)));
          most = Math.max(most, process.memoryUsage().arrayBuffers - base);
        }
        const decoded = await reader.end();
        assert.equal(decoded.packs.size, 24);
      }
    } finally {
      await decoding.close();
    }
    assert.ok(most < 12 * MB, `${(most / MB).toFixed(1)} MB of socket buffers held at most`);
  });
});
