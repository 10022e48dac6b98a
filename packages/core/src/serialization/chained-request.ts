/**
 * A model request stored as the request before it in the same conversation plus the messages it
 * appended: an agent re-sends its whole history on every call, so storing each request whole — or
 * even as a list of every message's hash — grows with the square of the conversation. A chain grows
 * with the conversation: each link holds only what is new.
 *
 * The codec writes and reads the link's hashes; `PayloadReader` follows `previous` to the first link
 * and rebuilds the whole request. Blobs hold it as `{"$keel":"ChainedRequest","value":{…}}`.
 */
export class ChainedRequest {
  /** The hash of the link of the request this one extends; absent on the first request of a chain. */
  readonly previous: string | undefined;
  /** The hashes of the messages this request appended to the previous one's, in order. */
  readonly appended: readonly string[];
  /**
   * The hash of the request without its conversation (model, tools, settings…, the conversation
   * field an empty list). Absent when it is the same as the previous link's: the nearest link that
   * has one says it.
   */
  readonly envelope: string | undefined;
  /** Which field of the envelope holds the conversation (`messages`, `prompt`, `input`); given with `envelope`. */
  readonly field: string | undefined;

  constructor(link: { previous?: string | undefined; appended: readonly string[]; envelope?: string | undefined; field?: string | undefined }) {
    this.previous = link.previous;
    this.appended = link.appended;
    this.envelope = link.envelope;
    this.field = link.field;
  }
}
