import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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
  const calls = packWindow(wireBody(Math.ceil(texts.length / 2) + 10), 1 << 20).flatMap((pack) => [...pack.calls()]);
  return texts.map((text, index) => withFields(calls[index]!, { callerInfoRaw: text })).sort(byBeginTime);
}

describe('CallPack: the compact form of a bucket', () => {
  it('reads back every field and event of every call exactly as decodeWindow builds them', () => {
    const body = wireBody(40);
    const expected = decodeWindow(JSON.parse(body), WINDOW).calls.sort(byBeginTime).map(readAll);
    const packs = packWindow(body, 64 * 1024);
    assert.equal(packs.length, 3, 'one pack per bucket of the window');
    assert.deepEqual(
      packs.flatMap((pack) => [...pack.calls()].map(readAll)),
      expected,
    );
  });

  it('keeps the published quirks: unknown types, bad callerInfo, events out of order, missing fields', () => {
    const body = readFileSync(new URL('../../fixtures/upstream/quirks.json', import.meta.url), 'utf8');
    const window = { siteId: '25508804', startTime: 1528930000000, endTime: 1528940000000 };
    const expected = decodeWindow(JSON.parse(body), window).calls.sort(byBeginTime);
    const writer = new CallPackWriter(window.siteId, window.startTime);
    for (const call of expected) writer.addModel(call);
    assert.deepEqual([...new CallPack(writer.finish()).calls()].map(readAll), expected.map(readAll));
  });

  it('is about a fifteenth of the wire size for a busy hour', () => {
    const body = wireBody(300);
    const packs = packWindow(body, 64 * 1024);
    const packBytes = packs.reduce((sum, pack) => sum + pack.byteLength, 0);
    assert.ok(packBytes * 12 < Buffer.byteLength(body), `${packBytes} bytes packed from ${Buffer.byteLength(body)} on the wire`);
  });

  it('stores the strings other than callIds deflated, and reads back every character', () => {
    const shared = `{"accountType":"business","language":"es-US","intent":"upgrade","queueWaitSeconds":`;
    const texts = [
      ...Array.from({ length: 40 }, (_, index) => `${shared}${index * 7}}`),
      // Two-byte and four-byte characters, and strings that repeat.
      'ééééééééé-one',
      'bbbbbbbb\u{1F600}one',
      'aaaaaaaa',
      'aaaaaaaa',
    ];
    const calls = callsWithCallerInfo(texts);
    const pack = packOf(SITE, calls, WINDOW.startTime);
    assert.deepEqual([...pack.calls()].map(readAll), calls.map(readAll));
    const whole = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const unshared = packOf(SITE, callsWithCallerInfo(texts.map((_, index) => `${index}`)), WINDOW.startTime);
    assert.ok(pack.byteLength - unshared.byteLength < whole / 4, `${pack.byteLength - unshared.byteLength} bytes for ${whole} bytes of callerInfo`);
  });

  it('keeps a column whose values hardly repeat apart from the lookups, and reads back every value', () => {
    // All distinct past the trial, then one repeated: written again rather than looked up, and read back the same.
    const texts = [...Array.from({ length: 80 }, (_, index) => `caller-${index}`), 'caller-3', 'caller-3'];
    const calls = callsWithCallerInfo(texts);
    assert.deepEqual([...packOf(SITE, calls, WINDOW.startTime).calls()].map(readAll), calls.map(readAll));
  });

  it('refuses, with PackFormatError, a pack whose deflated text is corrupt, or inflates to more or less than its header says', () => {
    const calls = callsWithCallerInfo(['some caller info', 'other caller info']);
    const pack = packOf(SITE, calls, WINDOW.startTime);
    const layout = headerLayout(new DataView(pack.data.buffer, pack.data.byteOffset, HEADER_BYTES));
    const rest = inflateRawSync(pack.data.subarray(layout.deflated));
    assert.equal(rest.length, layout.restBytes);
    /** The pack with its deflated text replaced. */
    const withDeflated = (deflated: Buffer): Uint8Array => {
      const bytes = Buffer.concat([pack.data.subarray(0, layout.deflated), deflated]);
      bytes.writeUInt32LE(deflated.length, 24);
      return bytes;
    };
    const corrupt = withDeflated(Buffer.from(pack.data.subarray(layout.deflated)).fill(0xff, 0, 4));
    // Read lazily: the header and the plain strings check out, and a field of the rest is the fault.
    const lazy = new CallPack(corrupt);
    assert.equal(lazy.calls().at(0)!.callId, calls[0]!.callId);
    assert.throws(() => lazy.calls().at(0)!.callerInfoRaw, PackFormatError);
    assert.throws(() => CallPack.verified(corrupt), PackFormatError);
    assert.throws(() => CallPack.verified(withDeflated(deflateRawSync(Buffer.concat([rest, Buffer.from('more')])))), PackFormatError);
    assert.throws(() => CallPack.verified(withDeflated(deflateRawSync(rest.subarray(1)))), PackFormatError);
    assert.deepEqual([...CallPack.verified(withDeflated(deflateRawSync(rest))).calls()].map(readAll), calls.map(readAll));
  });

  it('keeps inflated text for the packs read last only, and inflates a pack again when it is read after', () => {
    // About 1 MiB of text each once inflated (and little deflated): ten of them are past the process's bound.
    const calls = callsWithCallerInfo(Array.from({ length: 16 }, (_, index) => `${index}:${'caller info '.repeat(5_400)}`));
    const bytes = packOf(SITE, calls, WINDOW.startTime).data;
    const packs = Array.from({ length: 10 }, () => new CallPack(bytes));
    for (const pack of packs) assert.equal(pack.calls().at(0)!.callerInfoRaw, calls[0]!.callerInfoRaw);
    assert.ok(CallPack.inflatedBytes <= 8 * 1024 * 1024, `${CallPack.inflatedBytes} bytes inflated`);
    assert.ok(CallPack.inflatedBytes > 0);
    assert.deepEqual([...packs[0]!.calls()].map(readAll), calls.map(readAll));
  });

  it('reads from unaligned bytes (a Redis reply) as from its own', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const shifted = new Uint8Array(pack!.byteLength + 3);
    shifted.set(pack!.data, 3);
    const copy = new CallPack(shifted.subarray(3));
    assert.deepEqual([...copy.calls()].map(readAll), [...pack!.calls()].map(readAll));
  });

  it('refuses bytes that are not a pack, or a pack of the earlier format (LDP2), with PackFormatError', () => {
    assert.throws(() => new CallPack(Buffer.from('{"success":"true"}')), PackFormatError);
    const [earlier] = packWindow(wireBody(5), 1024);
    const bytes = new Uint8Array(earlier!.data);
    bytes.set(Buffer.from('LDP2'), 0);
    assert.throws(() => new CallPack(bytes), PackFormatError);
    const [pack] = packWindow(wireBody(5), 1024);
    assert.throws(() => new CallPack(pack!.data.subarray(0, pack!.byteLength - 1)), PackFormatError);
  });

  it("writes calls given as models (here, another pack's views) into a pack that reads back the same", () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const some = [...pack!.calls()].slice(1);
    assert.deepEqual([...packOf(SITE, some).calls()].map(readAll), some.map(readAll));
    // An empty bucket has no rest to inflate: Redis hands it back verified all the same.
    const empty = packOf(SITE, [], WINDOW.startTime);
    assert.equal(empty.count, 0);
    assert.equal(CallPack.verified(empty.data).bucket, WINDOW.startTime);
  });

  it('lists its calls by position as an array would, each view made once', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const calls = pack!.calls();
    assert.equal(calls.length, pack!.count);
    assert.equal(calls.at(0), calls.at(0));
    assert.equal(calls.at(-1), calls.at(calls.length - 1));
    assert.deepEqual(
      [...calls],
      Array.from({ length: calls.length }, (_, i) => calls.at(i)),
    );
    for (const outside of [calls.length, -calls.length - 1]) assert.equal(calls.at(outside), undefined);
    assert.equal(calls.at(1.7), calls.at(1));
    assert.equal(calls.at(Number.NaN), calls.at(0));
    assert.equal(pack!.calls(), calls);
    assert.deepEqual(JSON.parse(JSON.stringify(calls)), { siteId: SITE, bucket: pack!.bucket, calls: calls.length });
  });

  it('shows a call to JSON.stringify by its identity only, never its personal data', () => {
    const [pack] = packWindow(wireBody(5), 1024);
    const call = pack!.calls().at(0)!;
    assert.deepEqual(JSON.parse(JSON.stringify(call)), { siteId: SITE, callId: call.callId, beginTime: call.beginTime });
  });
});
