/**
 * What an import found: every problem, with the n8n node, parameter and expression it is about.
 * `error`s are behaviour we cannot reproduce (the import fails, or with --allow-partial the node becomes a
 * stub that fails at run time with the reason); `warning`s are small, documented differences; `note`s are
 * information (e.g. dropped sticky notes).
 */
export type Severity = 'error' | 'warning' | 'note';

export interface ImportIssue {
  severity: Severity;
  /** A short, stable category for counting (e.g. `javascript-code`, `expression`, `node-type`). */
  code: string;
  /** Source file (as given on the command line, or its base name). */
  file: string;
  /** Catalyst workflow the issue is in, when known. */
  workflow?: string;
  /** n8n node name. */
  node?: string;
  nodeType?: string;
  /** Parameter path inside the node, e.g. `jsonBody` or `assignments.assignments[0].value`. */
  parameter?: string;
  /** The n8n expression text, for expression problems. */
  expression?: string;
  reason: string;
  /** True when --allow-partial replaced the node with a failing stub. */
  stubbed?: boolean;
}

/** Thrown inside converters: one thing that cannot be imported. Caught at the node boundary. */
export class Unsupported extends Error {
  readonly code: string;
  parameter?: string;
  expression?: string;
  constructor(code: string, reason: string, detail: { parameter?: string; expression?: string } = {}) {
    super(reason);
    this.name = 'Unsupported';
    this.code = code;
    this.parameter = detail.parameter;
    this.expression = detail.expression;
  }
}

/** Thrown for problems with the whole workflow (loops, no trigger): the file is refused even with --allow-partial. */
export class Refused extends Error {
  readonly code: string;
  readonly node?: string;
  constructor(code: string, reason: string, node?: string) {
    super(reason);
    this.name = 'Refused';
    this.code = code;
    this.node = node;
  }
}

export function unsupported(code: string, reason: string, detail: { parameter?: string; expression?: string } = {}): never {
  throw new Unsupported(code, reason, detail);
}
