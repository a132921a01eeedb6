import type { Tree } from './views.ts';

/** Split a lodash-style path (`a.b[0].c`, `a["x y"]`) into keys, as n8n's dot notation does. */
export function lodashPath(name: string): (string | number)[] {
  const keys: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[(["'])(.*?)\3\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(name)) !== null) {
    if (m[1] !== undefined) keys.push(m[1]);
    else if (m[2] !== undefined) keys.push(Number(m[2]));
    else keys.push(m[4]);
  }
  return keys.length ? keys : [name];
}

/** Set `value` at `keys` inside `obj` (creating objects/arrays like lodash set); mirror it in `tree`. */
export function setAt(obj: Record<string, unknown>, tree: Tree, keys: (string | number)[], value: unknown): void {
  let cur: Record<string | number, unknown> = obj;
  let t = tree;
  keys.forEach((k, i) => {
    const last = i === keys.length - 1;
    if (last) {
      if (Array.isArray(cur) && typeof k === 'number') while (cur.length < k) cur.push(null);
      cur[k] = value;
      t.set(k, 'leaf');
      return;
    }
    const nextIsIndex = typeof keys[i + 1] === 'number';
    let child = cur[k];
    if (child === null || typeof child !== 'object') {
      child = nextIsIndex ? [] : {};
      if (Array.isArray(cur) && typeof k === 'number') while (cur.length < k) cur.push(null);
      cur[k] = child;
    }
    let sub = t.get(k);
    if (sub === undefined || sub === 'leaf') {
      sub = new Map();
      t.set(k, sub);
    }
    cur = child as Record<string | number, unknown>;
    t = sub;
  });
}

/** The words of `s` (accents dropped, camelCase split) joined by `sep`, without leading or trailing `sep`. */
function joinWords(s: string, sep: '_' | '-'): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, `$1${sep}$2`)
    .replace(/[^A-Za-z0-9]+/g, sep)
    .replace(sep === '_' ? /^_+|_+$/g : /^-+|-+$/g, '');
}

/** UPPER_SNAKE_CASE for secret and setting names (`OpenAi account` → `OPENAI_ACCOUNT`). */
export function upperSnake(s: string): string {
  const out = joinWords(s, '_').toUpperCase().replace(/^OPEN_AI/, 'OPENAI');
  const named = out && /^[A-Z]/.test(out) ? out : `N8N_${out || 'CREDENTIAL'}`;
  return named.slice(0, 120);
}

/** A node id: letters, digits and _, not starting with a digit (`Get URL (2)` → `get_url_2`). */
export function snakeId(s: string): string {
  const out = joinWords(s, '_').toLowerCase();
  const id = !out ? 'node' : /^[0-9]/.test(out) ? `n_${out}` : out;
  return id.slice(0, 48).replace(/_+$/, '');
}

/** A workflow name: lower-case letters, digits and -, starting with a letter. */
export function kebabName(s: string): string {
  const out = joinWords(s, '-').toLowerCase();
  const name = !out ? 'workflow' : /^[0-9]/.test(out) ? `wf-${out}` : out;
  return name.slice(0, 56).replace(/-+$/, '');
}

/** Allocates unique names deterministically: the first `x` is `x`, then `x_2`/`x-2`, … */
export class Names {
  private readonly used = new Set<string>();
  private readonly sep: string;
  private readonly max: number;
  constructor(sep: '_' | '-', max: number, reserved: string[] = []) {
    this.sep = sep;
    this.max = max;
    for (const r of reserved) this.used.add(r);
  }
  take(base: string): string {
    let name = base.slice(0, this.max);
    for (let n = 2; this.used.has(name); n++) {
      const suffix = `${this.sep}${n}`;
      name = `${base.slice(0, this.max - suffix.length)}${suffix}`;
    }
    this.used.add(name);
    return name;
  }
  has(name: string): boolean {
    return this.used.has(name);
  }
}
