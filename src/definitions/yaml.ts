import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { formatPath } from './diagnostics.ts';
import { FileReadError, readRegularFile } from '../shared/files.ts';

/** Definition files larger than this are refused before parsing. */
export const MAX_FILE_BYTES = 1024 * 1024;
/** Deepest nesting of mappings and lists in a definition file (generated Python must stay compilable). */
export const MAX_YAML_DEPTH = 64;

export interface YamlFile {
  file: string;
  text: string;
  data: unknown;
  doc: Document.Parsed;
  lines: LineCounter;
}

/** Position of the value (or, with `key`, the key) at a path; falls back to the deepest existing parent. */
export function locate(y: YamlFile, path: readonly (string | number)[], key = false): { line: number; col: number } {
  let node: unknown = y.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      const last = i === path.length - 1;
      const target = last && key ? pair.key : (pair.value ?? pair.key);
      node = target;
      offset = (target as Node | null)?.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!item) break;
      node = item;
      offset = (item as Node).range?.[0] ?? offset;
    } else break;
  }
  const pos = y.lines.linePos(offset);
  return { line: pos.line, col: pos.col };
}

/**
 * Position of a character inside a string scalar at `path` (for expression errors). Exact for plain
 * and quoted one-line scalars; the scalar's start otherwise.
 */
export function locateInString(y: YamlFile, path: readonly (string | number)[], offset: number): { line: number; col: number } {
  const start = locate(y, path);
  const node = y.doc.getIn(path as (string | number)[], true);
  if (isScalar(node) && typeof node.value === 'string' && node.source !== undefined && !node.value.includes('\n')) {
    if (node.type === Scalar.PLAIN) return { line: start.line, col: start.col + offset };
    if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
      const raw = y.text.slice(node.range![0], node.range![1]);
      if (!raw.includes('\\') && !raw.includes("''")) return { line: start.line, col: start.col + 1 + offset };
    }
  }
  return start;
}

export function diagAt(y: YamlFile, path: readonly (string | number)[], message: string, fix?: string, key = false): Diagnostic {
  const { line, col } = locate(y, path, key);
  return { file: y.file, line, col, path: formatPath(path), message, ...(fix ? { fix } : {}) };
}

/** Read and parse one YAML file; every problem becomes a Diagnostic, nothing throws. */
export function readYaml(file: string, displayName = file): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const whole = (message: string, fix?: string): { diagnostics: Diagnostic[] } => ({
    diagnostics: [{ file: displayName, line: 0, col: 0, path: '', message, ...(fix ? { fix } : {}) }],
  });
  let buf: Buffer;
  try {
    buf = readRegularFile(file, MAX_FILE_BYTES);
  } catch (err) {
    if (!(err instanceof FileReadError)) throw err;
    const big = /bytes; the limit is|grew past/.test(err.message);
    return whole(big ? `${err.message.replace('the limit is', 'definition files are limited to')}` : err.message, big ? 'split the workflow, or move large data out of the definition' : undefined);
  }
  if (buf.includes(0)) return whole('file is binary (contains NUL bytes), not YAML');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return whole('file is not valid UTF-8', 'save it as UTF-8 text');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '' || /^(\s*#.*\n?)*\s*$/.test(text)) return whole('file is empty', 'a definition starts with `catalyst: 1`');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true, merge: false });
  const diagnostics: Diagnostic[] = [];
  for (const e of [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')]) {
    const pos = lines.linePos(e.pos[0]);
    let message = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    let fix: string | undefined;
    if (e.code === 'DUPLICATE_KEY') {
      message = 'duplicate key: a key may appear only once in a mapping';
      fix = 'remove or rename one of the duplicates';
    }
    diagnostics.push({ file: displayName, line: pos.line, col: pos.col, path: '', message: `YAML: ${message}`, ...(fix ? { fix } : {}) });
  }
  // Data must mean what it looks like: no tags (they turn values into dicts of bytes, dates or empty
  // objects), string keys only, integers exact, numbers finite (JSON has no NaN or Infinity).
  const at = (n: Node | null | undefined, message: string, fix: string, tag = false) => {
    let offset = n?.range?.[0] ?? 0;
    // A tag sits before its value on the same line: point at the tag.
    const m = tag ? /!\S*[ \t]*$/.exec(text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset)) : null;
    if (m) offset = text.lastIndexOf('\n', offset - 1) + 1 + m.index;
    const pos = lines.linePos(offset);
    diagnostics.push({ file: displayName, line: pos.line, col: pos.col, path: '', message, fix });
  };
  const visitNode = (n: Node) => {
    if (n.tag && n.tag !== 'tag:yaml.org,2002:str') {
      at(n, `YAML: the tag ${n.tag.replace(/^tag:yaml\.org,2002:/, '!!')} is not supported (tags change data silently)`, 'remove the tag; write a plain value (quote it to keep it a string)', true);
    }
    if (isScalar(n) && typeof n.value === 'number') {
      if (!Number.isFinite(n.value)) at(n, `YAML: ${n.source ?? String(n.value)} is not a finite number (JSON has no NaN or Infinity)`, 'write a finite number, or quote it to make it a string');
      else if (!Number.isSafeInteger(n.value) && /^[-+]?(?:0x[0-9a-f]+|0o[0-7]+|[0-9]+)$/i.test(String(n.source ?? ''))) {
        at(n, `YAML: the integer ${n.source} is beyond ±2^53 and would lose precision`, `quote it to keep it exact as a string: "${n.source}"`);
      }
    }
  };
  const tooDeep = (n: Node, path: readonly unknown[]) => {
    const depth = path.filter((p) => isMap(p) || isSeq(p)).length + 1;
    if (depth <= MAX_YAML_DEPTH) return undefined;
    at(n, `YAML: mappings and lists nest ${depth} levels deep here; the limit is ${MAX_YAML_DEPTH}`, 'flatten the data, or load it at run time (an httpRequest node)');
    return visit.BREAK;
  };
  visit(doc, {
    Scalar(_, n) {
      visitNode(n);
    },
    Map(_, n, path) {
      visitNode(n);
      return tooDeep(n, path);
    },
    Seq(_, n, path) {
      visitNode(n);
      return tooDeep(n, path);
    },
    Pair(_, pair) {
      const k = pair.key as Node | null;
      if (!isScalar(k)) {
        at(k, 'YAML: a mapping key must be a string, not a list or mapping', 'use a plain string key');
        return;
      }
      if (typeof k.value !== 'string') {
        at(k, `YAML: the key ${k.source ?? String(k.value)} is a ${k.value === null ? 'null' : typeof k.value}, not a string`, `quote it: "${k.source ?? String(k.value)}":`);
      }
      // Keys that JavaScript objects treat specially would vanish silently on the way to a model.
      if (k.value === '__proto__') at(k, 'the key "__proto__" is reserved', 'rename it');
    },
  });
  if (diagnostics.length > 0) return { diagnostics };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    return whole(`YAML: ${(err as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return whole('the file must be a YAML mapping (key: value pairs)', 'start with `catalyst: 1`');
  }
  return { yaml: { file: displayName, text, data, doc, lines }, diagnostics };
}
