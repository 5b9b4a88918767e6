import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { CallModel } from '../../../src/model/call.js';
import { CallPack, HEADER_BYTES, headerLayout, PackFormatError } from '../../../src/pack/callPack.js';
import { CallPackWriter } from '../../../src/pack/callPackWriter.js';
import { decodeWindow, packOf } from '../../helpers/decodeOracle.js';
import { byBeginTime, packWindow, readAll, SITE, WINDOW, wireBody } from '../../helpers/packedWindow.js';

/** A call like `call` but for the fields given (a view has no own data fields, so it is copied with Object.create). */
function withFields(call: CallModel, fields: Partial<Record<keyof CallModel, unknown>>): CallModel {
  return Object.defineProperties(
    Object.create(call) as CallModel,
    Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, { value }])),
  );
}

/** The calls of a small window, each given one of these callerInfo texts (the rest of each call as generated). */
function callsWithCallerInfo(texts: readonly string[]): CallModel[] {
  const calls = packWindow(wireBody(Math.ceil(texts.length / 2) + 10), 1 << 20).flatMap((pack) => pack.calls());
  return texts.map((text, index) => withFields(calls[index]!, { callerInfoRaw: text })).sort(byBeginTime);
}

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

  it('stores a string that shares a long prefix with an earlier one as that prefix and the rest, and reads back every character', () => {
    const shared = `{"accountType":"business","language":"es-US","intent":"upgrade","queueWaitSeconds":`;
    const texts = [
      ...Array.from({ length: 40 }, (_, index) => `${shared}${index * 7}}`),
      // Two-byte and four-byte characters where the strings part: the prefix ends between characters.
      'ééééééééé-one',
      'ééééééééè-two',
      'bbbbbbbb\u{1F600}one',
      'bbbbbbbb\u{1F601}two',
      'aaaaaaaa',
      'aaaaaaaa-and-more',
    ];
    const calls = callsWithCallerInfo(texts);
    const pack = packOf(SITE, calls, WINDOW.startTime);
    assert.deepEqual(pack.calls().map(readAll), calls.map(readAll));
    const whole = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const unshared = packOf(SITE, callsWithCallerInfo(texts.map((_, index) => `${index}`)), WINDOW.startTime);
    assert.ok(pack.byteLength - unshared.byteLength < whole / 2, `${pack.byteLength - unshared.byteLength} bytes for ${whole} bytes of callerInfo`);
  });

  it('keeps wide columns for a bucket that outgrows the narrow ones: 64 KiB of text, begin times far from the bucket', () => {
    const long = callsWithCallerInfo(Array.from({ length: 40 }, (_, index) => `${index}:${'x'.repeat(2_000)}`));
    const wide = packOf(SITE, long, WINDOW.startTime);
    assert.ok(wide.byteLength > 0xffff);
    assert.deepEqual(wide.calls().map(readAll), long.map(readAll));
    // Bucket 0 for calls of 2025: their begin times are too far from it for 32-bit offsets.
    const [pack] = packWindow(wireBody(5), 1024);
    assert.deepEqual(packOf(SITE, pack!.calls(), 0).calls().map(readAll), pack!.calls().map(readAll));
  });

  it('refuses a pack whose shared prefix is longer than its base string, with PackFormatError', () => {
    const pack = packOf(SITE, callsWithCallerInfo(['shared prefix, then one', 'shared prefix, then two']), WINDOW.startTime);
    const bytes = new Uint8Array(pack.data);
    const header = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
    const layout = headerLayout(header);
    assert.ok(layout.prefixed >= 1, 'the second callerInfo is stored as a prefix of the first and the rest');
    assert.equal(layout.offsetWidth, 2);
    new DataView(bytes.buffer, bytes.byteOffset).setUint16(layout.prefixLength + 2 * (layout.prefixed - 1), 0xfff0, true);
    assert.throws(() => new CallPack(bytes), PackFormatError);
  });

  it('reads from unaligned bytes (a Redis reply) as from its own', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const shifted = new Uint8Array(pack!.byteLength + 3);
    shifted.set(pack!.data, 3);
    const copy = new CallPack(shifted.subarray(3));
    assert.deepEqual(copy.calls().map(readAll), pack!.calls().map(readAll));
  });

  it('refuses bytes that are not a pack, or a pack of the earlier format (LDP1), with PackFormatError', () => {
    assert.throws(() => new CallPack(Buffer.from('{"success":"true"}')), PackFormatError);
    const [earlier] = packWindow(wireBody(5), 1024);
    const bytes = new Uint8Array(earlier!.data);
    bytes.set(Buffer.from('LDP1'), 0);
    assert.throws(() => new CallPack(bytes), PackFormatError);
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
