import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CallPack, PackFormatError } from '../../../src/pack/callPack.js';
import { CallPackWriter } from '../../../src/pack/callPackWriter.js';
import { decodeWindow, packOf } from '../../helpers/decodeOracle.js';
import { byBeginTime, packWindow, readAll, SITE, WINDOW, wireBody } from '../../helpers/packedWindow.js';

describe('CallPack: the compact form of a bucket', () => {
  it('reads back every field and event of every call exactly as decodeWindow builds them', () => {
    const body = wireBody(40);
    const expected = decodeWindow(JSON.parse(body), WINDOW).calls.sort(byBeginTime).map(readAll);
    const packs = packWindow(body, 64 * 1024);
    assert.equal(packs.length, 3, 'one pack per bucket of the window');
    assert.deepEqual(
      packs.flatMap((pack) => pack.calls().map(readAll)),
      expected,
    );
  });

  it('keeps the published quirks: unknown types, bad callerInfo, events out of order, missing fields', () => {
    const body = readFileSync(new URL('../../fixtures/upstream/quirks.json', import.meta.url), 'utf8');
    const window = { siteId: '25508804', startTime: 1528930000000, endTime: 1528940000000 };
    const expected = decodeWindow(JSON.parse(body), window).calls.sort(byBeginTime);
    const writer = new CallPackWriter(window.siteId, window.startTime);
    for (const call of expected) writer.addModel(call);
    assert.deepEqual(new CallPack(writer.finish()).calls().map(readAll), expected.map(readAll));
  });

  it('is about a tenth of the wire size for a busy hour', () => {
    const body = wireBody(300);
    const packs = packWindow(body, 64 * 1024);
    const packBytes = packs.reduce((sum, pack) => sum + pack.byteLength, 0);
    assert.ok(packBytes * 6 < Buffer.byteLength(body), `${packBytes} bytes packed from ${Buffer.byteLength(body)} on the wire`);
  });

  it('reads from unaligned bytes (a Redis reply) as from its own', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const shifted = new Uint8Array(pack!.byteLength + 3);
    shifted.set(pack!.data, 3);
    const copy = new CallPack(shifted.subarray(3));
    assert.deepEqual(copy.calls().map(readAll), pack!.calls().map(readAll));
  });

  it('refuses bytes that are not a pack with PackFormatError', () => {
    assert.throws(() => new CallPack(Buffer.from('{"success":"true"}')), PackFormatError);
    const [pack] = packWindow(wireBody(5), 1024);
    assert.throws(() => new CallPack(pack!.data.subarray(0, pack!.byteLength - 1)), PackFormatError);
  });

  it("writes calls given as models (here, another pack's views) into a pack that reads back the same", () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const some = pack!.calls().slice(1);
    assert.deepEqual(packOf(SITE, some).calls().map(readAll), some.map(readAll));
    assert.equal(packOf(SITE, []).count, 0);
  });

  it('shows a call to JSON.stringify by its identity only, never its personal data', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const call = pack!.calls()[0]!;
    assert.deepEqual(JSON.parse(JSON.stringify(call)), { siteId: SITE, callId: call.callId, beginTime: call.beginTime });
  });
});
