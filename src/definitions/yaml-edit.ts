import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, parseDocument, type Document, type YAMLMap } from 'yaml';

/**
 * YAML edits that keep a file's comments and formatting: the edit goes through the `yaml` Document
 * API, and only the lines it changes are taken from the re-rendered document (see editYaml).
 */

// ---------------------------------------------------------------- YAML editing that keeps formatting

const RENDER = { lineWidth: 0 } as const;

/**
 * Apply `edit` to the parsed document and return the new text. The yaml library re-renders the whole
 * document, which keeps comments but normalizes some spacing (e.g. `{ a: 1 }` vs `{a: 1}`); so the
 * edit is computed as a line diff between the re-rendered original and the re-rendered result, and
 * only the changed lines are taken from the rendering: every other line stays byte-identical.
 * When the original does not line up with its rendering (e.g. it had folded lines), the rendering is
 * returned as is (comments kept, spacing normalized).
 */
export function editYaml(text: string, edit: (doc: Document.Parsed) => void): string {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) throw new Error(`cannot edit a file with YAML errors: ${doc.errors[0].message.split('\n')[0]}`);
  const before = doc.toString(RENDER);
  edit(doc);
  const after = doc.toString(RENDER);
  const merged = mergeRendering(text, before, after);
  if (merged === after) return after;
  // Belt and braces: the merged text must mean exactly what the edited document means.
  const check = parseDocument(merged);
  return check.errors.length === 0 && isDeepStrictEqual(check.toJS(), doc.toJS()) ? merged : after;
}

/** Three-way line merge: `original` with the changes that turn `before` into `after`. */
export function mergeRendering(original: string, before: string, after: string): string {
  if (before === after) return original;
  if (original.includes('\r\n')) return mergeRendering(original.replace(/\r\n/g, '\n'), before, after).replace(/\n/g, '\r\n');
  const t = original.split('\n');
  const r0 = before.split('\n');
  const r1 = after.split('\n');
  // Lines match when they differ only in spacing inside the line; indentation must be the same.
  const squash = (s: string) => {
    const indent = /^[ \t]*/.exec(s)![0];
    return indent + s.slice(indent.length).replace(/\s+/g, '');
  };
  const aligned = t.length === r0.length && t.every((line, i) => squash(line) === squash(r0[i]));
  if (aligned) {
    const ops = diffLines(r0, r1);
    if (!ops) return after;
    const out: string[] = [];
    for (const op of ops) {
      if (op.kind === 'keep') out.push(t[op.a]);
      else if (op.kind === 'insert') out.push(r1[op.b]);
    }
    return out.join('\n');
  }
  return mergeUnaligned(t, r0, r1, squash) ?? after;
}

/**
 * The merge when the original does not line up with its rendering line for line (the renderer moved a
 * comment after `key:` onto a line of its own, or joined folded lines): the original's lines are matched
 * to the rendering's by a line diff, and the edit is applied where every line it deletes, and the line
 * each insertion follows, has its match in the original; lines the renderer changed but the edit did not
 * touch stay as written. Undefined when the edit touches a line without a match.
 */
function mergeUnaligned(t: string[], r0: string[], r1: string[], squash: (s: string) => string): string | undefined {
  const align = diffLines(t.map(squash), r0.map(squash));
  const ops = diffLines(r0, r1);
  if (!align || !ops) return undefined;
  // within each run of changes, the deletions first: an insertion then follows the line it replaces
  const edit: LineOp[] = [];
  for (let k = 0; k < ops.length; ) {
    if (ops[k].kind === 'keep') edit.push(ops[k++]);
    else {
      let e = k;
      while (e < ops.length && ops[e].kind !== 'keep') e++;
      const run = ops.slice(k, e);
      edit.push(...run.filter((o) => o.kind === 'delete'), ...run.filter((o) => o.kind === 'insert'));
      k = e;
    }
  }
  const toOriginal = new Map<number, number>();
  for (const op of align) if (op.kind === 'keep') toOriginal.set(op.b, op.a);
  const deleted = new Set<number>();
  const insertsAfter = new Map<number, string[]>(); // original line index (-1: the start) → inserted lines
  let anchor: number | undefined = -1; // undefined: after a rendered line the original has no match for
  for (const op of edit) {
    if (op.kind === 'insert') {
      if (anchor === undefined) return undefined;
      insertsAfter.set(anchor, [...(insertsAfter.get(anchor) ?? []), r1[op.b]]);
      continue;
    }
    anchor = toOriginal.get(op.a);
    if (op.kind === 'delete') {
      if (anchor === undefined) return undefined;
      deleted.add(anchor);
    }
  }
  const out = [...(insertsAfter.get(-1) ?? [])];
  t.forEach((line, i) => {
    if (!deleted.has(i)) out.push(line);
    out.push(...(insertsAfter.get(i) ?? []));
  });
  return out.join('\n');
}

type LineOp = { kind: 'keep'; a: number; b: number } | { kind: 'delete'; a: number } | { kind: 'insert'; b: number };

/** Line diff (LCS on the middle after trimming the common prefix and suffix); undefined if too large. */
export function diffLines(a: readonly string[], b: readonly string[]): LineOp[] | undefined {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  if (n * m > 4_000_000) return undefined;
  // lcs[i][j] = LCS length of a[pre+i..] and b[pre+j..] within the middle.
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[pre + i] === b[pre + j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: LineOp[] = [];
  for (let k = 0; k < pre; k++) ops.push({ kind: 'keep', a: k, b: k });
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[pre + i] === b[pre + j]) {
      ops.push({ kind: 'keep', a: pre + i, b: pre + j });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) {
      ops.push({ kind: 'insert', b: pre + j });
      j++;
    } else {
      ops.push({ kind: 'delete', a: pre + i });
      i++;
    }
  }
  for (let k = 0; k < suf; k++) ops.push({ kind: 'keep', a: a.length - suf + k, b: b.length - suf + k });
  return ops;
}

/**
 * Set a top-level key of a YAML mapping document. An existing key keeps its place (and a scalar its
 * quoting and comments); a new key goes right after the first of `after` that exists (else at the end).
 */
export function setTopLevel(doc: Document, key: string, value: unknown, after: readonly string[] = []): void {
  const map = doc.contents;
  if (!isMap(map)) throw new Error('the document is not a mapping');
  if (map.has(key)) {
    doc.set(key, value);
    return;
  }
  const pair = doc.createPair(key, value);
  const keys = (map as YAMLMap).items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)));
  for (const a of after) {
    const i = keys.indexOf(a);
    if (i >= 0) {
      map.items.splice(i + 1, 0, pair);
      return;
    }
  }
  map.items.push(pair);
}
