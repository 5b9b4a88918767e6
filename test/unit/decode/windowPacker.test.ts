import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CallPack } from '../../../src/pack/callPack.js';
import { WindowPacker } from '../../../src/decode/windowPacker.js';
import { decodeWindow } from '../../helpers/decodeOracle.js';
import { BodyFault } from '../../../src/decode/bodyFault.js';
import { HOUR_MS } from '../../helpers/day.js';
import { byBeginTime, packWindow, readAll, WINDOW, wireBody } from '../../helpers/packedWindow.js';

describe('WindowPacker: a body read and packed as it arrives', () => {
  it('gives the same calls wherever the chunks are cut', () => {
    const body = wireBody(2);
    const expected = decodeWindow(JSON.parse(body), WINDOW).calls.sort(byBeginTime).map(readAll);
    for (const chunkBytes of [1, 7, 300, body.length]) {
      assert.deepEqual(
        packWindow(body, chunkBytes).flatMap((pack) => [...pack.calls()].map(readAll)),
        expected,
        `chunks of ${chunkBytes}`,
      );
    }
  });

  it('refuses what JSON.parse refuses, with a body fault saying it is not JSON', () => {
    const good = wireBody(1);
    for (const body of ['', '{', good.slice(0, -1), `${good} x`, good.replace('":[', '":[}'), good.replace(/,"/, ' "'), '<html>']) {
      const reader = new WindowPacker(WINDOW, HOUR_MS, 100_000);
      reader.push(Buffer.from(body));
      assert.throws(
        () => reader.end(),
        (error: unknown) => error instanceof BodyFault && /^body is not JSON/.test(error.detail),
        JSON.stringify(body.slice(0, 40)),
      );
    }
  });

  it('judges the envelope as decodeWindow does: failures, empty data, bodies that are not an object', () => {
    const outcome = (body: string): string => {
      const reader = new WindowPacker(WINDOW, HOUR_MS, 100_000);
      reader.push(Buffer.from(body));
      try {
        return `${reader.end().packs.reduce((sum, [, bytes]) => sum + new CallPack(bytes).count, 0)} calls`;
      } catch (error) {
        return (error as BodyFault).detail;
      }
    };
    const whole = (body: string): string => {
      try {
        return `${decodeWindow(JSON.parse(body), WINDOW).calls.length} calls`;
      } catch (error) {
        return (error as BodyFault).detail;
      }
    };
    const envelopes = [
      '{"success":"false","message":"quota"}',
      '{"success":true,"data":null}',
      '{"success":"true","data":[]}',
      '{"success":"true","data":[1]}',
      '{"success":"true","data":"x"}',
      '[{"success":"true"}]',
      '42',
      `{"data":${JSON.stringify((JSON.parse(wireBody(1)) as { data: unknown }).data)},"success":"true","data":{}}`,
    ];
    for (const body of envelopes) assert.equal(outcome(body), whole(body), body.slice(0, 60));
  });
});
