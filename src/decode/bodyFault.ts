/**
 * A 200 body this gateway cannot read, or one in which LiveDeflect itself reported a failure. The decoder
 * throws it; the upstream client turns it into the window's UPSTREAM_ERROR. Decoding knows nothing of HTTP,
 * so it has an error of its own rather than the client's typed errors.
 */
export class BodyFault extends Error {
  override readonly name = 'BodyFault';
  /** The message a client sees for a body that is not the documented envelope. */
  static readonly UNREADABLE = 'LiveDeflect sent a response this gateway cannot read';

  constructor(
    /** Written for the client: never the body's text. */
    message: string,
    /** What was wrong, for the log. */
    readonly detail: string,
  ) {
    super(message);
  }
}
