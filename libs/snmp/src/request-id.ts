/**
 * Reads the id that matches an SNMP response to its request, without decoding the message:
 * the request-id of a v1/v2c PDU, or the msgID of a v3 message (sent in the clear, before any
 * encrypted part). Returns undefined for anything that is not a well-formed start of an SNMP
 * message, so a datagram of garbage is told apart from a response nobody waits for.
 *
 *   v1/v2c: SEQUENCE { INTEGER version, OCTET STRING community, PDU [0xA0..0xA8] { INTEGER request-id, … } }
 *   v3:     SEQUENCE { INTEGER version(3), SEQUENCE msgGlobalData { INTEGER msgID, … }, … }
 */
/** One cursor for every call: the parse is synchronous, and a datagram per call would allocate. */
const cursor = { at: 0 };

export function peekRequestId(buf: Uint8Array): number | undefined {
  cursor.at = 0;
  if (!enter(buf, cursor, 0x30)) return undefined;
  const version = readInteger(buf, cursor);
  if (version === undefined) return undefined;
  if (version === 3) {
    if (!enter(buf, cursor, 0x30)) return undefined;
    return readInteger(buf, cursor);
  }
  if (version !== 0 && version !== 1) return undefined;
  if (!skip(buf, cursor, 0x04)) return undefined;
  const tag = buf[cursor.at];
  if (tag === undefined || tag < 0xa0 || tag > 0xa8) return undefined;
  if (!enter(buf, cursor, tag)) return undefined;
  return readInteger(buf, cursor);
}

interface Cursor {
  at: number;
}

/** Reads a tag and a length; leaves the cursor at the start of the contents. Returns the length. */
function header(buf: Uint8Array, c: Cursor, tag: number): number | undefined {
  if (buf[c.at] !== tag) return undefined;
  let at = c.at + 1;
  const first = buf[at++];
  if (first === undefined) return undefined;
  let length = first;
  if (first & 0x80) {
    const bytes = first & 0x7f;
    if (bytes === 0 || bytes > 4) return undefined;
    length = 0;
    for (let i = 0; i < bytes; i++) {
      const b = buf[at++];
      if (b === undefined) return undefined;
      length = length * 256 + b;
    }
  }
  if (at + length > buf.length && tag !== 0x30 && (tag < 0xa0 || tag > 0xa8)) return undefined;
  c.at = at;
  return length;
}

function enter(buf: Uint8Array, c: Cursor, tag: number): boolean {
  return header(buf, c, tag) !== undefined;
}

function skip(buf: Uint8Array, c: Cursor, tag: number): boolean {
  const length = header(buf, c, tag);
  if (length === undefined) return false;
  c.at += length;
  return c.at <= buf.length;
}

function readInteger(buf: Uint8Array, c: Cursor): number | undefined {
  const length = header(buf, c, 0x02);
  if (length === undefined || length === 0 || length > 5) return undefined;
  let value = buf[c.at] & 0x80 ? -1 : 0;
  for (let i = 0; i < length; i++) value = value * 256 + buf[c.at + i];
  c.at += length;
  return value;
}
