/**
 * A small REST client for Catalyst's dynamic providers (Fly Machines API, Render API).
 *
 * It is loaded with `await import(...)` inside provider methods (never captured by the serialized
 * provider closure), uses the global `fetch`, and holds no module-level state.
 *
 * Policy:
 * - retries (bounded, exponential backoff with jitter, `Retry-After` honoured up to the cap) on
 *   network errors, timeouts, 408, 429 and every 5xx;
 * - any other non-2xx status fails at once with an {@link ApiError} naming the API call and the
 *   message from the response body (never the request body, never the token);
 * - callers make non-idempotent calls (creates) safe to retry by looking the object up first or
 *   by adopting on a "name taken" conflict (see the targets' docs).
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiConnection {
  /** Base URL, e.g. `https://api.machines.dev` or `https://api.render.com/v1` (no trailing slash needed). */
  baseUrl: string;
  /** Bearer token (a secret: only ever sent in the Authorization header). */
  token: string;
  /** Per-attempt timeout (default 30 s). */
  timeoutMs?: number;
  /** Attempts in total, first one included (default 5). */
  maxAttempts?: number;
  /** First backoff delay (default 500 ms); doubles each retry. */
  baseDelayMs?: number;
  /** Backoff cap, also the cap of `Retry-After` (default 10 s). */
  maxDelayMs?: number;
  /**
   * Time budget for all attempts of one call, from its first attempt (default: none, only
   * `maxAttempts` bounds it). No retry starts whose backoff would end after the deadline.
   */
  deadlineMs?: number;
}

export interface ApiCall {
  /** Human name of the API call for error messages, e.g. `Fly Apps_create`. */
  operation: string;
  method: HttpMethod;
  /** Path below the base URL, already encoded (use {@link encodePath}). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Statuses handed back to the caller instead of thrown (e.g. 404 on delete). */
  passStatuses?: number[];
  /** Overrides the connection's per-attempt timeout (long-poll endpoints). */
  timeoutMs?: number;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
}

export class ApiError extends Error {
  readonly operation: string;
  /** HTTP status of the last attempt, `null` when it never got a response. */
  readonly status: number | null;
  /** Message from the response body (`error` / `message` field), or the network error. */
  readonly apiMessage: string;
  /** Machine-readable code from the body when present (Fly: `status`, e.g. `name_taken`). */
  readonly code: string | null;
  readonly attempts: number;
  /** The wait the last answer asked for (`Retry-After`), in ms, or null. */
  readonly retryAfterMs: number | null;

  constructor(init: { operation: string; method: string; path: string; status: number | null; apiMessage: string; code: string | null; attempts: number; retryAfterMs?: number | null }) {
    const what = init.status === null ? 'no response' : `HTTP ${init.status}`;
    const tries = init.attempts > 1 ? ` after ${init.attempts} attempts` : '';
    super(`${init.operation} (${init.method} ${stripQuery(init.path)}) failed${tries}: ${what}: ${init.apiMessage}`);
    this.name = 'ApiError';
    this.operation = init.operation;
    this.status = init.status;
    this.apiMessage = init.apiMessage;
    this.code = init.code;
    this.attempts = init.attempts;
    this.retryAfterMs = init.retryAfterMs ?? null;
  }
}

/** Encodes each dynamic path segment: `encodePath('/v1/apps/', app, '/machines')`. */
export function encodePath(...parts: string[]): string {
  return parts.map((p, i) => (i % 2 === 1 ? encodeURIComponent(p) : p)).join('');
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Delay before retry number `retry` (1-based): full jitter over an exponential window, capped. */
export function backoffDelay(retry: number, baseDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  const window = Math.min(maxDelayMs, baseDelayMs * 2 ** (retry - 1));
  return Math.round(window / 2 + (random() * window) / 2);
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds, or null. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** The message and code an API put in an error body (Fly: {error, status}; Render: {id, message}). */
export function errorDetails(body: unknown, fallback: string): { message: string; code: string | null } {
  let message = fallback;
  let code: string | null = null;
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const m = [b.error, b.message].find((v) => typeof v === 'string' && v.trim() !== '');
    if (typeof m === 'string') message = m;
    if (typeof b.status === 'string') code = b.status;
  } else if (typeof body === 'string' && body.trim() !== '') {
    message = body.trim();
  }
  return { message: message.length > 500 ? `${message.slice(0, 500)}…` : message, code };
}

function stripQuery(path: string): string {
  const i = path.indexOf('?');
  return i < 0 ? path : path.slice(0, i);
}

function buildUrl(baseUrl: string, path: string, query: ApiCall['query']): string {
  const base = baseUrl.replace(/\/+$/, '');
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.append(k, String(v));
  const qs = params.toString();
  return `${base}${path}${qs ? `?${qs}` : ''}`;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One API call with the retry policy above. Resolves on 2xx or a `passStatuses` status. */
export async function apiRequest<T = unknown>(conn: ApiConnection, call: ApiCall): Promise<ApiResponse<T>> {
  const maxAttempts = Math.max(1, conn.maxAttempts ?? 5);
  const baseDelayMs = conn.baseDelayMs ?? 500;
  const maxDelayMs = conn.maxDelayMs ?? 10_000;
  const timeoutMs = call.timeoutMs ?? conn.timeoutMs ?? 30_000;
  const deadline = conn.deadlineMs === undefined ? Infinity : Date.now() + conn.deadlineMs;
  const url = buildUrl(conn.baseUrl, call.path, call.query);
  const headers: Record<string, string> = { authorization: `Bearer ${conn.token}`, accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const fail = (status: number | null, apiMessage: string, code: string | null, attempts: number): ApiError =>
    new ApiError({ operation: call.operation, method: call.method, path: call.path, status, apiMessage, code, attempts });

  for (let attempt = 1; ; attempt++) {
    let retryAfter: number | null = null;
    let lastError: ApiError;
    try {
      const res = await fetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = await readBody(res);
      if ((res.status >= 200 && res.status < 300) || call.passStatuses?.includes(res.status)) {
        return { status: res.status, body: body as T };
      }
      const details = errorDetails(body, res.statusText || 'request failed');
      retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      lastError = new ApiError({ operation: call.operation, method: call.method, path: call.path, status: res.status, apiMessage: details.message, code: details.code, attempts: attempt, retryAfterMs: retryAfter });
      if (!isRetryableStatus(res.status)) throw lastError;
    } catch (err) {
      if (err instanceof ApiError && err.status !== null && !isRetryableStatus(err.status)) throw err;
      if (err instanceof ApiError) lastError = err;
      else {
        const e = err as Error;
        const timedOut = e.name === 'TimeoutError' || e.name === 'AbortError';
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        lastError = fail(null, timedOut ? `timed out after ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? e.message), null, attempt);
      }
    }
    if (attempt >= maxAttempts) throw lastError;
    const delay = Math.min(maxDelayMs, retryAfter ?? backoffDelay(attempt, baseDelayMs, maxDelayMs));
    if (Date.now() + delay > deadline) {
      throw new ApiError({ operation: call.operation, method: call.method, path: call.path, status: lastError.status, apiMessage: `${lastError.apiMessage} (retry deadline of ${conn.deadlineMs} ms reached)`, code: lastError.code, attempts: attempt });
    }
    await sleep(delay);
  }
}
