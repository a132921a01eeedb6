// n8n's extension methods (`"text".toSentenceCase()` and the like) for the n8n expressions that run as
// JavaScript. The importer rewrites each call `value.name(args)` to `__catalyst.ext(value, "name", [args])`,
// the way n8n rewrites its own expressions before running them; this script evaluates to the function
// that answers such a call. Written by Catalyst from n8n's documented behaviour and checked against n8n
// itself (tests/integration/n8n-oracle-extensions.test.ts).
(function () {
  "use strict";

  // ---- text patterns (what n8n recognises as a URL, a domain and an e-mail address)
  const HOST = String.raw`(?:(?:[-\w]+\.)+(?:[a-zA-Z]{2,}|xn--[a-zA-Z0-9]+)|localhost|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})`;
  const PORT = String.raw`(?::\d+)?`;
  const URL_BODY = String.raw`(?:(?:https?|ftp):\/\/)(?:www\.)?(${HOST})${PORT}(?:\/[^\s?#]*)?(?:\?[^\s#]*)?(?=([^\s]+#.*)?)#?[^\s]*`;
  const URL_IN_TEXT = new RegExp(URL_BODY, "i");
  const URL_WHOLE = new RegExp(`^${URL_BODY}$`, "i");
  const TAIL = String.raw`${PORT}(?:\/[^\s?]*)?(?:\?[^\s#]*)?(?:#[^\s]*)?$`;
  const DOMAIN_WHOLE = new RegExp(String.raw`^(?:www\.)?(${HOST})${TAIL}`, "i");
  const DOMAIN_IN_ADDRESS = new RegExp(String.raw`^(?:(?:https?|ftp):\/\/)?(?:mailto:)?(?:\/\/)?((?:www\.)?${HOST})${TAIL}`, "i");
  const LOCAL_PART = String.raw`(?:[^<>()\[\]\\.,;:\s@"]+(?:\.[^<>()\[\]\\.,;:\s@"]+)*|".+")`;
  const EMAIL = new RegExp(String.raw`${LOCAL_PART}@(?<domain>\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}]|(?:[a-zA-Z\-0-9]+\.)+[a-zA-Z]{2,})`);

  // ---- letter case
  const LETTER = /\p{L}/u;
  const SENTENCE_END = /[!?.]/;
  // A sentence starts at its first letter (upper-cased); the rest of the text is lower-cased. The next
  // sentence starts after the first "!", "?" or "." (which may come before that letter).
  function sentenceCase(text) {
    let done = "";
    let rest = text;
    for (let at = rest.search(LETTER); at !== -1; at = rest.search(LETTER)) {
      rest = rest.slice(0, at) + rest[at].toLocaleUpperCase() + rest.slice(at + 1).toLocaleLowerCase();
      const end = rest.search(SENTENCE_END);
      if (end === -1) return done + rest;
      done += rest.slice(0, end + 1);
      rest = rest.slice(end + 1);
    }
    return done + rest;
  }

  // Title case as n8n makes it: words are runs of characters other than white space, ":", "-", "–" and
  // "—" (each of those is a word of its own). A word's first letter or digit (A-Z, 0-9, U+00C0-U+00FF) is
  // upper-cased, except in words written with a capital or a dot inside (iPhone, example.com), small words
  // (a, and, of, the, …) other than the first and the last, and a word followed by ":" and no space.
  const WORDS = /[^\s:\u2013\u2014-]+|./g;
  const SMALL = /\b(?:an?d?|a[st]|because|but|by|en|for|i[fn]|neither|nor|o[fnr]|only|over|per|so|some|tha[tn]|the|to|up|upon|vs?\.?|versus|via|when|with|without|yet)\b/i;
  const KEEPS_CASE = /.(?:[A-Z]|\..)/;
  const FIRST_CAPITALISABLE = /[A-Za-z0-9\u00C0-\u00FF]/;
  function titleCase(text) {
    let out = "";
    for (const m of text.matchAll(WORDS)) {
      const word = m[0];
      const after = m.index + word.length;
      const edge = m.index === 0 || after === text.length;
      const colonAfter = text.charAt(after) === ":" && !/\s/.test(text.charAt(after + 1));
      const keep = KEEPS_CASE.test(word) || (SMALL.test(word) && !edge) || colonAfter;
      out += keep ? word : word.replace(FIRST_CAPITALISABLE, (c) => c.toUpperCase());
    }
    return out;
  }

  // Lower case; spaces and hyphens become "_"; ASCII punctuation other than "_" and the general and
  // supplemental punctuation blocks (U+2000-U+206F, U+2E00-U+2E7F) are dropped.
  function snakeCase(text) {
    return text
      .toLocaleLowerCase()
      .replace(/[ -]/g, "_")
      .replace(/[\u2000-\u206F\u2E00-\u2E7F\\'!"#$%&()*+,./:;<=>?@[\]^`{|}~]/g, "");
  }

  // ---- UTF-8 and base64 as n8n does them: a lone surrogate is written as U+FFFD; decoding reads "-" and
  // "_" as "+" and "/", drops every other character outside the alphabet ("=" included), ignores a last
  // lone digit, and reads bad UTF-8 as U+FFFD
  function utf8Bytes(text) {
    const out = [];
    for (const ch of text) {
      let c = ch.codePointAt(0);
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return out;
  }
  // Decoding with the replacement rules of the WHATWG encoding standard (one U+FFFD per broken sequence).
  function utf8Text(bytes) {
    let out = "";
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i++];
      if (b < 0x80) { out += String.fromCharCode(b); continue; }
      let need = 0, code = 0, lo = 0x80, hi = 0xbf;
      if (b >= 0xc2 && b <= 0xdf) { need = 1; code = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) { need = 2; code = b & 0x0f; if (b === 0xe0) lo = 0xa0; if (b === 0xed) hi = 0x9f; }
      else if (b >= 0xf0 && b <= 0xf4) { need = 3; code = b & 0x07; if (b === 0xf0) lo = 0x90; if (b === 0xf4) hi = 0x8f; }
      else { out += "\ufffd"; continue; }
      let ok = true;
      for (let k = 0; k < need; k++) {
        const c = bytes[i];
        if (c === undefined || c < lo || c > hi) { ok = false; break; }
        code = (code << 6) | (c & 0x3f);
        lo = 0x80; hi = 0xbf;
        i++;
      }
      out += ok ? String.fromCodePoint(code) : "\ufffd";
    }
    return out;
  }
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  function base64Encode(text) {
    const bytes = utf8Bytes(text);
    let out = "";
    for (let i = 0; i < bytes.length; i += 3) {
      const n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=") + (i + 2 < bytes.length ? B64[n & 63] : "=");
    }
    return out;
  }
  function base64Decode(text) {
    const digits = [];
    for (const ch of text) {
      const d = B64.indexOf(ch === "-" ? "+" : ch === "_" ? "/" : ch);
      if (d !== -1) digits.push(d);
    }
    const bytes = [];
    for (let i = 0; i + 1 < digits.length; i += 4) {
      const n = (digits[i] << 18) | (digits[i + 1] << 12) | ((digits[i + 2] || 0) << 6) | (digits[i + 3] || 0);
      bytes.push((n >> 16) & 255);
      if (i + 2 < digits.length) bytes.push((n >> 8) & 255);
      if (i + 3 < digits.length) bytes.push(n & 255);
    }
    return utf8Text(bytes);
  }

  // application/x-www-form-urlencoded, as URLSearchParams writes an object's entries
  function formEncode(text) {
    let out = "";
    for (const b of utf8Bytes(text)) {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9*\-._]/.test(c)) out += c;
      else if (c === " ") out += "+";
      else out += "%" + (b < 16 ? "0" : "") + b.toString(16).toUpperCase();
    }
    return out;
  }

  function fail(message) {
    const e = new Error(message);
    e.name = "ExpressionExtensionError";
    return e;
  }

  // Methods of text, by name: (text, args) → value
  const TEXT = {
    toSentenceCase: (s) => sentenceCase(s),
    toTitleCase: (s) => titleCase(s),
    toSnakeCase: (s) => snakeCase(s),
    urlEncode: (s, [whole = false]) => (whole ? encodeURI(String(s)) : encodeURIComponent(String(s))),
    urlDecode: (s, [whole = false]) => (whole ? decodeURI(String(s)) : decodeURIComponent(String(s))),
    base64Encode: (s) => base64Encode(s),
    base64Decode: (s) => base64Decode(s),
    isEmail: (s) => EMAIL.test(s) && !s.includes(" "),
    isUrl: (s) => URL_WHOLE.test(s),
    isDomain: (s) => DOMAIN_WHOLE.test(s),
    isNumeric: (s) => !s.includes(" ") && !isNaN(s) && !isNaN(parseFloat(s)),
    extractEmail: (s) => { const m = EMAIL.exec(s); return m ? m[0] : undefined; },
    extractUrl: (s) => { const m = URL_IN_TEXT.exec(s); return m ? m[0] : undefined; },
    extractDomain: (s) => {
      if (TEXT.isEmail(s)) return EMAIL.exec(s).groups.domain;
      const m = DOMAIN_IN_ADDRESS.exec(s);
      return m ? m[1] : undefined;
    },
    removeTags: (s) => s.replace(/<[^>]*>?/gm, ""),
    // The quote character is escaped with a backslash (n8n builds a pattern of "\" and the character).
    quote: (s, [q = '"']) => q + s.replace(/\\/g, "\\\\").replace(new RegExp("\\" + q, "g"), "\\" + q) + q,
    parseJson: (s) => {
      try {
        return JSON.parse(s);
      } catch (_) {
        throw fail(s.includes("'") ? "Parsing failed. Check you're using double quotes" : "Parsing failed");
      }
    },
  };
  // Methods of objects (not lists), by name
  const OBJECT = {
    urlEncode: (o) => Object.keys(o).map((k) => formEncode(k) + "=" + formEncode(String(o[k]))).join("&"),
    isEmpty: (o) => Object.keys(o).length === 0,
    isNotEmpty: (o) => Object.keys(o).length !== 0,
    keys: (o) => Object.keys(o),
    values: (o) => Object.values(o),
    hasField: (o, [field]) => field in o,
    toJsonString: (o) => JSON.stringify(o),
  };
  TEXT.isEmpty = (s) => s === "";
  TEXT.isNotEmpty = (s) => s !== "";
  TEXT.toJsonString = (s) => JSON.stringify(s);

  // Methods of lists
  function numbers(list, name) {
    if (list.some((x) => typeof x !== "number")) throw fail(name + "(): all array elements must be numbers");
    return list;
  }
  const total = (list) => list.reduce((a, b) => a + b, 0);
  const ARRAY = {
    isEmpty: (l) => l.length === 0,
    isNotEmpty: (l) => l.length > 0,
    first: (l) => l[0],
    last: (l) => l[l.length - 1],
    reverse: (l) => l.slice().reverse(),
    toJsonString: (l) => JSON.stringify(l),
    sum: (l) => total(numbers(l, "sum")),
    min: (l) => Math.min(...numbers(l, "min")),
    max: (l) => Math.max(...numbers(l, "max")),
    average: (l) => (numbers(l, "average").length === 0 ? 0 : total(l) / l.length),
    // The values of the named fields of each object (one value alone, several as a list), in the
    // object's key order; objects that have none of them are left out.
    pluck: (l, fields) => {
      if (fields.length === 0) return l;
      const out = [];
      for (const item of l) {
        if (!item || typeof item !== "object") continue;
        const got = [];
        for (const k of Object.keys(item)) for (const f of fields) if (f === k) got.push(item[k]);
        if (got.length) out.push(got.length === 1 ? got[0] : got);
      }
      return out;
    },
    chunk: (l, [size]) => {
      if (typeof size !== "number" || size === 0) throw fail("chunk(): expected non-zero numeric arg, e.g. .chunk(5)");
      const out = [];
      for (let i = 0; i < l.length; i += size) out.push(l.slice(i, i + size));
      return out;
    },
  };

  // Methods of numbers
  function integer(n, name) {
    if (!Number.isInteger(n)) throw fail(name + "() is only callable on integers");
    return n;
  }
  const NUMBER = {
    round: (n, [places = 0]) => Number(n.toFixed(places)),
    floor: (n) => Math.floor(n),
    ceil: (n) => Math.ceil(n),
    abs: (n) => Math.abs(n),
    isInteger: (n) => Number.isInteger(n),
    isEven: (n) => integer(n, "isEven") % 2 === 0,
    isOdd: (n) => Math.abs(integer(n, "isOdd")) % 2 === 1,
  };

  // Methods of dates (a Date, a Luxon DateTime, or text that is exactly an ISO timestamp)
  const DATE = { isEmpty: () => false, isNotEmpty: () => true };
  // For any other value: empty is falsy
  const ANY = { isEmpty: (v) => !v, isNotEmpty: (v) => !!v };

  // The types that have each method, for the error message (in n8n's order)
  const TYPES = [["Array", ARRAY], ["Date", DATE], ["Number", NUMBER], ["Object", OBJECT], ["String", TEXT]];
  function notCallable(name) {
    const names = TYPES.filter(([, t]) => Object.hasOwn(t, name)).map(([n]) => '"' + n + '"');
    if (names.length === 1) return fail(name + "() is only callable on type " + names[0]);
    return fail(name + "() is only callable on types " + names.slice(0, -1).join(", ") + ", and " + names[names.length - 1]);
  }

  // n8n treats text that is exactly an ISO timestamp ("2024-05-01T10:00:00.000Z") as a date.
  function isTimestamp(s) {
    if (!/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{3}Z/.test(s)) return false;
    const d = new Date(s);
    return !isNaN(d.valueOf()) && d.toISOString() === s;
  }

  // The method for a value: its type's, else the value's own JavaScript method (`$input.first()`,
  // `Math.max(…)`), else the one for any value.
  return function ext(value, name, args, optional) {
    if (optional && (value === undefined || value === null)) return undefined;
    let table;
    if (Array.isArray(value)) table = ARRAY;
    else if (typeof value === "string" && value !== "" && isTimestamp(value)) { table = DATE; value = new Date(value); }
    else if (typeof value === "string") table = TEXT;
    else if (typeof value === "number") table = NUMBER;
    else if (value && (value instanceof Date || value.isLuxonDateTime === true)) table = DATE;
    else if (value !== null && typeof value === "object") table = OBJECT;
    if (table !== undefined && Object.hasOwn(table, name)) return table[name](value, args);
    if (value && typeof value[name] === "function") return value[name](...args);
    if (Object.hasOwn(ANY, name)) return ANY[name](value);
    if (value === undefined || value === null) throw fail(name + " can't be used on " + String(value) + " value");
    throw notCallable(name);
  };
})
