// Decoders for the argument encodings of pickle opcodes, written to match what CPython's unpickler
// accepts: a decoder that rejects something CPython accepts would let a pickle hide code behind it.

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 (GLOBAL/INST lines), undefined when CPython would raise. */
export function utf8OrUndefined(b: Uint8Array): string | undefined {
  // Names and keys are short ASCII: skip the decoder call, the walker's hottest path.
  if (b.length <= 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) {
      const c = b[i]!;
      if (c >= 0x80) return decodeStrict(b);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeStrict(b);
}

function decodeStrict(b: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}

export function latin1(b: Uint8Array): string {
  // Protocol-0 lines (INT, GET, PUT, STRING) are short: a plain loop, as spreading a subarray into
  // fromCharCode costs more than the decoding itself there.
  if (b.length <= 64) {
    let s = '';
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return s;
  }
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Protocol-0 STRING argument: a quoted Python bytes repr, undefined when not quoted. */
export function decodeQuotedString(line: Uint8Array): string | undefined {
  const n = line.length;
  if (n < 2 || (line[0] !== 0x27 && line[0] !== 0x22) || line[n - 1] !== line[0]) return undefined;
  const body = latin1(line.subarray(1, n - 1));
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i + 1 >= body.length) {
      out.push(c.charCodeAt(0));
      continue;
    }
    const e = body[++i]!;
    if (e in SIMPLE_ESCAPES) out.push(SIMPLE_ESCAPES[e]!);
    else if (e === '\n') continue;
    else if (e === 'x' && /^[0-9a-fA-F]{2}$/u.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/u.test(e)) {
      const m = /^[0-7]{1,3}/u.exec(body.slice(i))![0];
      out.push(parseInt(m, 8) & 0xff);
      i += m.length - 1;
    } else out.push(92, e.charCodeAt(0));
  }
  return String.fromCharCode(...out);
}

/** Protocol-0 UNICODE argument: raw-unicode-escape (\uXXXX, \UXXXXXXXX, else latin-1). */
export function decodeRawUnicodeEscape(line: Uint8Array): string {
  const s = latin1(line);
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/gu, (_m, u4: string | undefined, u8: string | undefined) => {
    const cp = parseInt((u4 ?? u8)!, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : _m;
  });
}

/** Little-endian two's-complement integer (LONG1/LONG4). */
export function decodeLong(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b.length > 0 && b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

/** Protocol-0 INT/LONG/PUT/GET decimal line, lenient like int(); undefined if not an integer. */
/**
 * Whether CPython's int() could accept the line as a number (sign, digits, underscores, spaces):
 * when it cannot, GET and PUT raise and the load stops. Looser than int() on purpose, so a key
 * only too long for decodeDecimal is never taken for a stop.
 */
export function looksDecimal(line: Uint8Array): boolean {
  return /^\s*[+-]?\d[\d_]*L?\s*$/u.test(latin1(line));
}

export function decodeDecimal(line: Uint8Array): bigint | undefined {
  // The common line, an optional sign and up to 15 digits, read directly: exact in a double, and
  // the same value the general path below gives it.
  const n = line.length;
  const signed = n > 0 && (line[0] === 0x2d || line[0] === 0x2b);
  if (n - (signed ? 1 : 0) >= 1 && n - (signed ? 1 : 0) <= 15) {
    let v = 0;
    let i = signed ? 1 : 0;
    for (; i < n; i++) {
      const d = line[i]! - 0x30;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return BigInt(line[0] === 0x2d ? -v : v);
  }
  let s = latin1(line).trim();
  if (s.endsWith('L')) s = s.slice(0, -1);
  if (!/^[+-]?\d[\d_]*$/u.test(s) || s.length > 40) return undefined;
  return BigInt(s.replace(/_/gu, ''));
}
