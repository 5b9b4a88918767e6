import type { CallInput } from '../model/call.js';
import { decodeCallInput, shapeError, windowData, type WindowRequest } from './decode.js';
import { UpstreamError } from './errors.js';

/** What a streamed body held: calls not yet built into models, and what decodeWindow would also report. */
export interface StreamedWindow {
  /** One per callId (a repeated key keeps its first place and its last value, as JSON.parse does). */
  readonly calls: CallInput[];
  readonly outsideWindow: number;
  readonly issues: string[];
}

const enum State {
  Start,
  TopKeyOrEnd,
  TopKey,
  TopColon,
  TopValue,
  TopAfterValue,
  DataKeyOrEnd,
  DataKey,
  DataColon,
  DataValue,
  DataAfterValue,
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

// What can begin a JSON value: a body starting otherwise is not JSON at all.
const STARTS_A_VALUE = new Set([...'[{"-0123456789tfn'].map((char) => char.charCodeAt(0)));

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads a getLiveDeflectData body as its bytes arrive, one call at a time, so a window's wire JSON is
 * never held whole: a busy day is ~16 MB of text that repeats every call field on every event, and
 * parsing it whole keeps the text, its parse tree and the models alive together.
 *
 * Only the envelope's two outer levels (`{ "success": ..., "data": { "<callId>": ... } }`) are read
 * here, byte by byte. Every value below them (a call's events, `success`, `message`) goes to
 * JSON.parse whole, which validates it, so a body this accepts is one JSON.parse accepts, read the
 * same way; decode.ts's rules then apply to the envelope and to each call.
 *
 * push() never throws: the first fault is kept and end() throws it, so a caller can feed chunks from
 * a stream without a try around each.
 */
export class WindowStreamReader {
  private state = State.Start;
  private fault: Error | null = null;
  private readonly envelope = new Map<string, unknown>();
  private readonly calls = new Map<string, CallInput>();
  private issues: string[] = [];
  private outsideWindow = 0;
  /** A body that is a JSON value but not an object: windowData refuses it at the end. */
  private whole: unknown = undefined;
  private key = '';
  private dataStreamed = false;
  // The value being captured: its kind, bracket depth and string state, and its bytes so far.
  private capture = Capture.None;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Uint8Array[] = [];

  constructor(private readonly request: WindowRequest) {}

  push(chunk: Uint8Array): void {
    if (this.fault) return;
    try {
      this.read(chunk);
    } catch (error) {
      this.fault = error instanceof Error ? error : new Error(String(error));
      this.pieces = [];
    }
  }

  end(): StreamedWindow {
    // A bare number or literal as the whole body ends with the body, not at a delimiter.
    if (this.state === State.WholeBody && this.capture === Capture.Scalar) this.push(new Uint8Array([0x20]));
    if (this.fault) throw this.fault;
    if (this.state !== State.Done) throw notJson('the body ended before the JSON did');
    if (this.whole !== undefined) windowData(this.whole);
    const envelope = Object.fromEntries(this.envelope);
    // The streamed map was read already; windowData only has to see that it was a map.
    if (this.dataStreamed) envelope.data = {};
    windowData(envelope);
    return { calls: [...this.calls.values()], outsideWindow: this.outsideWindow, issues: this.issues };
  }

  private read(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.capture !== Capture.None) {
        const end = this.scan(chunk, i);
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

  /** One structural byte outside any captured value. */
  private step(byte: number): void {
    switch (this.state) {
      case State.Start:
        if (byte === OPEN_BRACE) this.state = State.TopKeyOrEnd;
        else if (STARTS_A_VALUE.has(byte)) {
          // Not the envelope (an error page, a bare list): read whole and judged as decodeWindow would.
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
      case State.DataKeyOrEnd:
      case State.DataKey:
        if (byte === CLOSE_BRACE && this.state === State.DataKeyOrEnd) this.state = State.TopAfterValue;
        else if (byte === QUOTE) this.begin(Capture.Text);
        else throw unexpected(byte, 'a callId');
        return;
      case State.TopColon:
      case State.DataColon:
        if (byte !== COLON) throw unexpected(byte, '":"');
        this.state = this.state === State.TopColon ? State.TopValue : State.DataValue;
        return;
      case State.TopValue:
        // A repeated "data" replaces the first, as JSON.parse has it.
        if (this.key === 'data') this.forgetData();
        if (this.key === 'data' && byte === OPEN_BRACE) {
          this.dataStreamed = true;
          this.state = State.DataKeyOrEnd;
          return;
        }
        this.beginValue(byte);
        return;
      case State.DataValue:
        this.beginValue(byte);
        return;
      case State.TopAfterValue:
      case State.DataAfterValue: {
        const top = this.state === State.TopAfterValue;
        if (byte === COMMA) this.state = top ? State.TopKey : State.DataKey;
        else if (byte === CLOSE_BRACE) this.state = top ? State.Done : State.TopAfterValue;
        else throw unexpected(byte, '"," or "}"');
        return;
      }
      case State.Done:
      case State.WholeBody:
        throw unexpected(byte, 'the end of the body');
    }
  }

  private forgetData(): void {
    this.dataStreamed = false;
    this.envelope.delete('data');
    this.calls.clear();
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
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }

  /**
   * Scans for the end of the value being captured: the index just past it, or -1 when it goes on in
   * the next chunk. The hot loop of the reader: every byte of every call passes through it once.
   */
  private scan(chunk: Uint8Array, from: number): number {
    const n = chunk.length;
    let inString = this.inString;
    let escaped = this.escaped;
    if (this.capture === Capture.Scalar) {
      for (let i = from; i < n; i++) {
        const byte = chunk[i]!;
        if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isWhitespace(byte)) return i;
      }
      return -1;
    }
    let depth = this.depth;
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
    const kind = this.capture;
    const pieces = this.pieces;
    this.capture = Capture.None;
    this.pieces = [];
    const text = pieces.length === 1 ? decoder.decode(pieces[0]) : decoder.decode(Buffer.concat(pieces));
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw notJson((error as Error).message);
    }
    switch (this.state) {
      case State.TopKeyOrEnd:
      case State.TopKey:
      case State.DataKeyOrEnd:
      case State.DataKey:
        this.key = value as string;
        this.state = this.state === State.TopKeyOrEnd || this.state === State.TopKey ? State.TopColon : State.DataColon;
        return;
      case State.TopValue:
        this.envelope.set(this.key, value);
        this.state = State.TopAfterValue;
        return;
      case State.DataValue:
        this.call(this.key, value);
        this.state = State.DataAfterValue;
        return;
      case State.WholeBody:
        this.whole = value;
        this.state = State.Done;
        return;
      default:
        throw new Error(`captured a value (kind ${kind}) in reader state ${this.state}`);
    }
  }

  private call(callId: string, value: unknown): void {
    const call = decodeCallInput(callId, value, this.request, this.issues);
    if (call && (call.beginTime < this.request.startTime || call.beginTime >= this.request.endTime)) {
      this.outsideWindow++;
      this.calls.delete(callId);
    } else if (call) {
      this.calls.set(callId, call);
    } else {
      this.calls.delete(callId);
    }
  }
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The same error the client gives a body it parses whole and JSON.parse rejects. */
function notJson(reason: string): Error {
  return new UpstreamError('UPSTREAM_ERROR', 'LiveDeflect sent a response this gateway cannot read', {
    statusCode: 200,
    detail: `body is not JSON (${reason})`,
  });
}

function unexpected(byte: number, wanted: string): Error {
  return notJson(`expected ${wanted}, found ${JSON.stringify(String.fromCharCode(byte))}`);
}
