import type { CallInput } from '../model/call.js';
import type { WindowRequest } from '../wire/livedeflect.js';
import { BodyFault } from './bodyFault.js';
import { decodeCallInput, windowData } from './callEntry.js';

/**
 * Where the reader puts each call as soon as it is read, so no call waits in memory for the body to end.
 * A callId seen again replaces the earlier entry (as JSON.parse would keep the last), and a null call
 * means that entry was skipped or lies outside the window.
 */
export interface CallSink {
  call(callId: string, call: CallInput | null): void;
  /** A repeated "data" replaces everything read so far. */
  clear(): void;
}

/** What else the body held besides its calls: counts and reasons for the log. */
export interface StreamedWindow {
  readonly outsideWindow: number;
  /** Why calls were skipped or repaired: the first few, for the log. */
  readonly issues: string[];
}

const enum State {
  Start,
  TopKeyOrEnd,
  TopKey,
  TopColon,
  TopValue,
  TopAfterValue,
  /** Inside the `data` map: its entries are read in batches (see readData). */
  Data,
  WholeBody,
  Done,
}

const enum Capture {
  None,
  /** An object or array: ends when its brackets balance. */
  Container,
  /** A string token (a key or a string value): ends at its closing quote. */
  Text,
  /** A number or true/false/null: ends before the next delimiter. */
  Scalar,
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const enum ByteKind {
  Other,
  Quote,
  Open,
  Close,
  Comma,
}

/** What each byte means to scanEntries' loop, looked up once per byte instead of compared five times. */
const BYTE_KIND = new Uint8Array(256);
BYTE_KIND[QUOTE] = ByteKind.Quote;
BYTE_KIND[OPEN_BRACE] = BYTE_KIND[OPEN_BRACKET] = ByteKind.Open;
BYTE_KIND[CLOSE_BRACE] = BYTE_KIND[CLOSE_BRACKET] = ByteKind.Close;
BYTE_KIND[COMMA] = ByteKind.Comma;

/**
 * The most of a body's text the reader holds at once, so no upstream answer can run a decode thread out of
 * memory: a value outside `data` (`success`, `message`, or a `pad` of any size) is a few bytes in a real
 * answer, and one call's entry a few KB (hundreds of events fit in a MiB).
 */
const MAX_VALUE_BYTES = 1024 * 1024;
const MAX_ENTRY_BYTES = 4 * 1024 * 1024;

/** Issues kept for the log line of a window. */
const MAX_ISSUES = 20;

// What can begin a JSON value: a body starting otherwise is not JSON at all.
const STARTS_A_VALUE = new Set([...'[{"-0123456789tfn'].map((char) => char.charCodeAt(0)));

/**
 * Reads a getLiveDeflectData body as its bytes arrive, so a window's wire JSON is never held whole: a
 * busy day is ~16 MB of text that repeats every call field on every event, and parsing it whole keeps
 * the text, its parse tree and the models alive together.
 *
 * Only the envelope (`{ "success": ..., "data": { ... } }`) is read here byte by byte, tracking strings
 * and brackets. The entries of `data` go to JSON.parse a batch at a time (readData): the complete
 * entries of the bytes held, wrapped in braces, in one call. JSON.parse validates what it parses, so a
 * body this accepts is one JSON.parse accepts, read the same way; callEntry.ts's rules then apply to the
 * envelope and to each call, and each call goes to the sink at once.
 *
 * push() never throws: the first fault is kept and end() throws it, so a caller can feed chunks from
 * a stream without a try around each.
 */
export class WindowStreamReader {
  private state = State.Start;
  private fault: Error | null = null;
  private readonly envelope = new Map<string, unknown>();
  private issues: string[] = [];
  private outsideWindow = 0;
  /** A body that is a JSON value but not an object: windowData refuses it at the end. */
  private whole: unknown = undefined;
  private key = '';
  private dataStreamed = false;
  // The envelope value being captured: its kind, and its bytes so far.
  private capture = Capture.None;
  // String and bracket state of the envelope value being captured, carried from one chunk to the next.
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the value being captured, or of the data entries not yet parsed. */
  private pieces: Uint8Array[] = [];
  /** Whether `data` had an entry separator: after one, a batch may not be empty. */
  private sawSeparator = false;
  /** Bytes held in pieces: of the value being captured, or, in `data`, from the last entry boundary. */
  private pendingBytes = 0;
  /**
   * When the held `data` bytes are read next. Each read that finds no entry boundary doubles it, so bytes
   * that do not end an entry (a long one, or whitespace) are read O(1) times each, not once per chunk.
   */
  private nextRead: number;

  /** `batchBytes`: how much of `data` is held before it is read; tests make it tiny to cut batches everywhere. */
  constructor(
    private readonly request: WindowRequest,
    private readonly sink: CallSink,
    private readonly batchBytes = 64 * 1024,
  ) {
    this.nextRead = batchBytes;
  }

  push(chunk: Uint8Array): void {
    if (this.fault) return;
    try {
      this.read(chunk);
    } catch (error) {
      this.fault = error instanceof Error ? error : new Error(String(error));
      this.pieces = [];
    }
  }

  /** The fault that ends this body, once there is one: reading the rest of it would be wasted. */
  get failure(): Error | null {
    return this.fault;
  }

  end(): StreamedWindow {
    // A bare number or literal as the whole body ends with the body, not at a delimiter.
    if (this.state === State.WholeBody && this.capture === Capture.Scalar) this.push(new Uint8Array([0x20]));
    if (this.state === State.Data && !this.fault) this.finishData();
    if (this.fault) throw this.fault;
    if (this.state !== State.Done) throw notJson('the body ended before the JSON did');
    if (this.whole !== undefined) windowData(this.whole);
    const envelope = Object.fromEntries(this.envelope);
    // The streamed map was read already; windowData only has to see that it was a map.
    if (this.dataStreamed) envelope.data = {};
    windowData(envelope);
    return { outsideWindow: this.outsideWindow, issues: this.issues };
  }

  private read(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === State.Data) {
        this.readData(chunk.subarray(i));
        return;
      }
      if (this.capture !== Capture.None) {
        const end = this.scan(chunk, i);
        this.pendingBytes += (end < 0 ? n : end) - i;
        if (this.pendingBytes > MAX_VALUE_BYTES) throw notJson(`a value outside "data" is over ${MAX_VALUE_BYTES} bytes`);
        if (end < 0) {
          this.pieces.push(chunk.subarray(i));
          return;
        }
        this.pieces.push(chunk.subarray(i, end));
        this.captured();
        i = end;
        continue;
      }
      const byte = chunk[i]!;
      if (isWhitespace(byte)) {
        i++;
        continue;
      }
      this.step(byte);
      // A value or key starts at this byte: the capture consumes it.
      if (this.capture === Capture.None) i++;
    }
  }

  /** One structural byte of the envelope, outside any captured value. */
  private step(byte: number): void {
    switch (this.state) {
      case State.Start:
        if (byte === OPEN_BRACE) this.state = State.TopKeyOrEnd;
        else if (STARTS_A_VALUE.has(byte)) {
          // Not an object (a bare list or value): captured as one value, and windowData refuses it at the end.
          this.state = State.WholeBody;
          this.beginValue(byte);
        } else throw unexpected(byte, '"{"');
        return;
      case State.TopKeyOrEnd:
      case State.TopKey:
        if (byte === CLOSE_BRACE && this.state === State.TopKeyOrEnd) this.state = State.Done;
        else if (byte === QUOTE) this.begin(Capture.Text);
        else throw unexpected(byte, 'a member name');
        return;
      case State.TopColon:
        if (byte !== COLON) throw unexpected(byte, '":"');
        this.state = State.TopValue;
        return;
      case State.TopValue:
        // A repeated "data" replaces the first, as JSON.parse has it.
        if (this.key === 'data') this.forgetData();
        if (this.key === 'data' && byte === OPEN_BRACE) {
          this.dataStreamed = true;
          this.state = State.Data;
          this.sawSeparator = false;
          this.nextRead = this.batchBytes;
          return;
        }
        this.beginValue(byte);
        return;
      case State.TopAfterValue:
        if (byte === COMMA) this.state = State.TopKey;
        else if (byte === CLOSE_BRACE) this.state = State.Done;
        else throw unexpected(byte, '"," or "}"');
        return;
      case State.Data:
      case State.Done:
      case State.WholeBody:
        throw unexpected(byte, 'the end of the body');
    }
  }

  /**
   * Takes bytes of the `data` map. They are held from the last entry boundary on, and read once there
   * are `batchBytes` of them: up to the last place that looks like the end of an entry (`],"` or `},"`),
   * parsed as one batch. JSON.parse accepts `{` + those bytes + `}` only if they are whole entries, so a
   * batch that parses was cut at a real boundary; when one does not (a string happened to hold `],"`, or
   * the body is broken), the held bytes are scanned exactly instead. Most bytes of a body are thus read by
   * JSON.parse alone, with no scan of their own.
   */
  private readData(bytes: Uint8Array): void {
    // Whitespace between entries means nothing: it is not held.
    const from = this.pendingBytes === 0 ? skipWhitespace(bytes, 0) : 0;
    if (from === bytes.length) return;
    this.pieces.push(from === 0 ? bytes : bytes.subarray(from));
    this.pendingBytes += bytes.length - from;
    if (this.pendingBytes < this.nextRead) return;
    this.readEntries(false);
    if (this.state !== State.Data) return;
    if (this.pendingBytes > MAX_ENTRY_BYTES) throw notJson(`a call entry of "data" is over ${MAX_ENTRY_BYTES} bytes`);
    this.nextRead = Math.max(this.batchBytes, 2 * this.pendingBytes);
  }

  /** Reads the held `data` bytes; `last` when the body has ended, so the map must close in them. */
  private readEntries(last: boolean): void {
    const bytes = this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces);
    this.pieces = [];
    this.pendingBytes = 0;
    if (!last) {
      const cut = lastEntryEnd(bytes);
      if (cut > 0 && this.batch(bytes.subarray(0, cut + 1))) {
        this.sawSeparator = true;
        this.hold(bytes.subarray(cut + 2));
        return;
      }
    }
    const end = this.scanEntries(bytes);
    if (end < 0) {
      if (last) throw notJson('the body ended before the JSON did');
      return;
    }
    this.state = State.TopAfterValue;
    this.read(bytes.subarray(end));
  }

  /**
   * The exact path: scans held `data` bytes, which start at an entry boundary, tracking strings and
   * brackets. Parses every entry before the last separator; returns the index just past the map's
   * closing brace, or -1 (holding what follows the last separator) when the map goes on.
   */
  private scanEntries(bytes: Uint8Array): number {
    const n = bytes.length;
    let depth = 0;
    let inString = false;
    let separator = -1;
    let i = 0;
    while (i < n) {
      if (inString) {
        // To the closing quote, stepping over escaped bytes.
        while (i < n) {
          const byte = bytes[i++]!;
          if (byte === QUOTE) {
            inString = false;
            break;
          }
          if (byte === BACKSLASH) i++;
        }
        continue;
      }
      const kind = BYTE_KIND[bytes[i]!]!;
      if (kind === ByteKind.Quote) inString = true;
      else if (kind === ByteKind.Open) depth++;
      else if (kind === ByteKind.Close) {
        if (depth === 0) {
          if (bytes[i] !== CLOSE_BRACE) throw unexpected(bytes[i]!, '"}"');
          let from = 0;
          if (separator >= 0) {
            this.entries(bytes.subarray(0, separator), false);
            from = separator + 1;
          }
          this.entries(bytes.subarray(from, i), true);
          return i + 1;
        }
        depth--;
      } else if (kind === ByteKind.Comma && depth === 0) {
        this.sawSeparator = true;
        separator = i;
      }
      i++;
    }
    if (separator < 0) {
      this.hold(bytes);
      return -1;
    }
    this.entries(bytes.subarray(0, separator), false);
    this.hold(bytes.subarray(separator + 1));
    return -1;
  }

  /** The body ended inside `data`: what is held must close the map (and the envelope after it, which may open `data` again). */
  private finishData(): void {
    try {
      while (this.state === State.Data) this.readEntries(true);
    } catch (error) {
      this.fault = error instanceof Error ? error : new Error(String(error));
    }
  }

  /** Keeps bytes that begin at an entry boundary, whitespace before the entry left out. */
  private hold(bytes: Uint8Array): void {
    const from = skipWhitespace(bytes, 0);
    this.pieces = from === bytes.length ? [] : [bytes.subarray(from)];
    this.pendingBytes = bytes.length - from;
  }

  /** Parses whole entries as one object and hands each call on; false (and nothing handed on) when they don't parse. */
  private batch(bytes: Uint8Array): boolean {
    let entries: Record<string, unknown>;
    try {
      entries = JSON.parse(`{${utf8(bytes)}}`) as Record<string, unknown>;
    } catch {
      return false;
    }
    this.handOn(entries);
    return true;
  }

  /** The exact path's batches: whole entries before a separator or the map's end, refused as JSON.parse refuses them. */
  private entries(bytes: Uint8Array, closing: boolean): void {
    const text = utf8(bytes);
    if (text.trim() === '') {
      // `{}` is an empty map; an empty entry after a separator (`{"a":[],}`, `,,`) is not JSON.
      if (closing && !this.sawSeparator) return;
      throw notJson('expected a callId');
    }
    let entries: Record<string, unknown>;
    try {
      entries = JSON.parse(`{${text}}`) as Record<string, unknown>;
    } catch {
      // Not JSON.parse's message: it quotes the body around the fault, and the body holds phone numbers.
      throw notJson('a call entry of "data" is not valid JSON');
    }
    this.handOn(entries);
  }

  private handOn(entries: Record<string, unknown>): void {
    for (const callId of Object.keys(entries)) this.call(callId, entries[callId]);
  }

  private forgetData(): void {
    this.dataStreamed = false;
    this.envelope.delete('data');
    this.sink.clear();
    this.issues = [];
    this.outsideWindow = 0;
  }

  private beginValue(byte: number): void {
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.begin(Capture.Container);
    else if (byte === QUOTE) this.begin(Capture.Text);
    else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET || byte === COMMA || byte === COLON) throw unexpected(byte, 'a value');
    else this.begin(Capture.Scalar);
  }

  private begin(kind: Capture): void {
    this.capture = kind;
    this.pendingBytes = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /** Scans for the end of the envelope value being captured: the index just past it, or -1 when it goes on. */
  private scan(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    if (this.capture === Capture.Scalar) {
      for (let i = from; i < n; i++) {
        const byte = chunk[i]!;
        if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) return i;
      }
      return -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    for (let i = from; i < n; i++) {
      const byte = chunk[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) {
          inString = false;
          if (depth === 0) return i + 1;
        }
      } else if (byte === QUOTE) {
        // A text capture starts on its opening quote, at depth 0.
        inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth++;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (--depth === 0) return i + 1;
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return -1;
  }

  private captured(): void {
    const pieces = this.pieces;
    this.capture = Capture.None;
    this.pieces = [];
    this.pendingBytes = 0;
    let value: unknown;
    try {
      value = JSON.parse(utf8(pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces)));
    } catch {
      // Not JSON.parse's message: it quotes the body around the fault, and the body holds phone numbers.
      throw notJson('a value is not valid JSON');
    }
    switch (this.state) {
      case State.TopKeyOrEnd:
      case State.TopKey:
        this.key = value as string;
        this.state = State.TopColon;
        return;
      case State.TopValue:
        this.envelope.set(this.key, value);
        this.state = State.TopAfterValue;
        return;
      case State.WholeBody:
        this.whole = value;
        this.state = State.Done;
        return;
      default:
        throw new Error(`captured a value in reader state ${this.state}`);
    }
  }

  private call(callId: string, value: unknown): void {
    const call = decodeCallInput(callId, value, this.request, this.issues);
    // The log shows the first few; a body of a million broken calls must not keep a million reasons.
    if (this.issues.length > MAX_ISSUES) this.issues.length = MAX_ISSUES;
    const outside = call !== null && (call.beginTime < this.request.startTime || call.beginTime >= this.request.endTime);
    if (outside) this.outsideWindow++;
    this.sink.call(callId, outside ? null : call);
  }
}

/**
 * Where the last entry of `data` in these bytes seems to end: the `]` or `}` of the last `],"` or
 * `},"`; -1 if none. Searched from the end (Buffer.lastIndexOf reads the whole buffer): it is near it.
 */
function lastEntryEnd(bytes: Uint8Array): number {
  for (let i = bytes.length - 2; i > 0; i--) {
    if (bytes[i] === COMMA && bytes[i + 1] === QUOTE && (bytes[i - 1] === CLOSE_BRACKET || bytes[i - 1] === CLOSE_BRACE)) return i - 1;
  }
  return -1;
}

function utf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}

/** The index of the first byte at or after `from` that is not whitespace (bytes.length if none). */
function skipWhitespace(bytes: Uint8Array, from: number): number {
  let i = from;
  while (i < bytes.length && isWhitespace(bytes[i]!)) i++;
  return i;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function notJson(reason: string): Error {
  return new BodyFault(BodyFault.UNREADABLE, `body is not JSON (${reason})`);
}

/** Names the byte by its code: not even one character the upstream sent goes into a detail. */
function unexpected(byte: number, wanted: string): Error {
  return notJson(`expected ${wanted}, found byte 0x${byte.toString(16).padStart(2, '0')}`);
}
