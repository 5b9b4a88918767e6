import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BucketResult } from '../../../src/cache/bucketStore.js';
import { SitePoller, type SiteFeedListener } from '../../../src/live/sitePoller.js';
import { createLogger } from '../../../src/logger.js';
import { UpstreamError } from '../../../src/upstream/errors.js';
import { call, HOUR } from '../../helpers/liveCalls.js';

describe('SitePoller', () => {
  function poller(answers: (() => BucketResult)[], listener: SiteFeedListener) {
    let polls = 0;
    const sitePoller = new SitePoller({
      store: {
        refreshBuckets: async (_scope, _site, buckets) => {
          const answer = answers[Math.min(polls++, answers.length - 1)]!;
          return new Map(buckets.map((bucket, i) => [bucket, i === buckets.length - 1 ? answer() : []]));
        },
        loadBuckets: () => Promise.reject(new Error('a lone poller never reads the cache')),
      },
      relay: null,
      scope: { authorization: 'x', fingerprint: 'f' },
      siteId: '1',
      intervalMs: 5,
      lookbackMs: 2 * HOUR,
      bucketSizeMs: HOUR,
      deadlineMs: 1000,
      logger: createLogger({ level: 'silent' }),
      now: () => 10 * HOUR + 30 * 60_000,
    });
    sitePoller.add(listener);
    return { sitePoller, polls: () => polls };
  }
  const recorder = () => {
    const seen: string[] = [];
    const listener: SiteFeedListener = {
      baseline: (calls) => void seen.push(`baseline ${calls.map((c) => c.callId).join(',')}`),
      changes: (calls) => void seen.push(`changes ${calls.map((c) => c.callId).join(',')}`),
      error: (error, final) => void seen.push(`${final ? 'final' : 'error'} ${(error as UpstreamError).code}`),
      end: () => void seen.push('end'),
    };
    return { seen, listener };
  };
  const until = async (condition: () => boolean) => {
    for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.ok(condition());
  };
  const begin = 10 * HOUR;

  it('takes its first poll as the baseline, then hands on only the calls that are new or gained events', async () => {
    const { seen, listener } = recorder();
    const { sitePoller } = poller(
      [
        () => [call('a', begin)],
        () => [call('a', begin)],
        () => [call('a', begin, 2), call('b', begin + 1)],
        () => [call('a', begin, 2), call('b', begin + 1)],
      ],
      listener,
    );
    sitePoller.start();
    await until(() => seen.length >= 2);
    sitePoller.stop();
    assert.deepEqual(seen, ['baseline a', 'changes a,b']);
  });

  it('reports a transient failure once per outage and recovers; a FORBIDDEN stops it', async () => {
    const { seen, listener } = recorder();
    const timeout = () => new UpstreamError('UPSTREAM_TIMEOUT', 'slow');
    const { sitePoller, polls } = poller(
      [() => [], timeout, timeout, timeout, () => [call('a', begin)], () => new UpstreamError('FORBIDDEN', 'no')],
      listener,
    );
    sitePoller.start();
    await until(() => sitePoller.isStopped);
    assert.deepEqual(seen, ['baseline ', 'error UPSTREAM_TIMEOUT', 'changes a', 'final FORBIDDEN']);
    const count = polls();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(polls(), count, 'a stopped poller polls no more');
  });
});
