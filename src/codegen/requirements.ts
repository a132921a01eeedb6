/**
 * Pinned Python dependencies of every generated app (checked with `pip index versions` when bumped).
 * The direct ones are fastapi, uvicorn (plain: no [standard] extras, which add uvloop/httptools/watchfiles
 * and slow cold starts for no gain at our request rates), httpx and pydantic v2; the rest are their
 * dependencies, pinned too so an image build is reproducible. /metrics is written by the runtime itself
 * (catalyst_runtime/metrics.py: the Prometheus text format, byte for byte what prometheus-client wrote).
 */
export const APP_REQUIREMENTS: readonly (readonly [string, string])[] = [
  ['annotated-doc', '0.0.7'],
  ['annotated-types', '0.8.0'],
  ['anyio', '4.16.0'],
  ['certifi', '2026.10.19.post1'],
  ['click', '8.5.1'],
  ['fastapi', '0.165.0'],
  ['h11', '0.16.0'],
  ['httpcore', '1.0.9'],
  ['httpx', '0.28.1'],
  ['idna', '3.20'],
  ['opentelemetry-api', '1.45.2'],
  ['pydantic', '2.14.4'],
  ['pydantic-core', '2.50.5'],
  ['starlette', '1.10.0'],
  ['typing-extensions', '4.16.0'],
  ['typing-inspection', '0.4.5'],
  ['uvicorn', '0.54.0'],
];

/** Added for apps with JavaScript nodes: V8 embedded (see catalyst_runtime/js.py and docs/BENCHMARKS.md). */
export const JS_REQUIREMENTS: readonly (readonly [string, string])[] = [['mini-racer', '0.12.4']];

/** The pins of one app, sorted by name. */
export function appRequirements(usesJs: boolean): readonly (readonly [string, string])[] {
  if (!usesJs) return APP_REQUIREMENTS;
  return [...APP_REQUIREMENTS, ...JS_REQUIREMENTS].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Tools for testing generated apps (never in the app's requirements): test venv = app pins + these. */
export const TEST_TOOLS: readonly (readonly [string, string])[] = [
  ['pytest', '9.2.0'],
  ['ruff', '0.17.6'],
  ['schemathesis', '4.32.5'],
];

export function requirementsText(pins: readonly (readonly [string, string])[]): string {
  return pins.map(([n, v]) => `${n}==${v}\n`).join('');
}
