/**
 * The Railway public GraphQL API v2 client (https://backboard.railway.com/graphql/v2): one POST
 * per operation of ./operations.ts, over the shared REST client (../../http/client.ts), which
 * retries network errors, timeouts, 429 (honouring `Retry-After`) and 5xx with backoff, within
 * the connection's deadline.
 *
 * GraphQL reports failures with HTTP 200 and an `errors` array (and 400 for a request the schema
 * rejects): both become a {@link RailwayError} naming the operation and Railway's messages; such
 * answers are not retried. Non-idempotent creates go through {@link findOrCreate}: one attempt
 * per create, and before every attempt a lookup, so a create whose response was lost is found
 * instead of made twice.
 *
 * Loaded only inside dynamic provider methods (see ./providers.ts); holds no state.
 */
import { ApiError, apiRequest, backoffDelay, isRetryableStatus, type ApiConnection } from '../../http/client.ts';
import { OPERATIONS, type OperationName } from './operations.ts';

export const RAILWAY_API_DEFAULT = 'https://backboard.railway.com/graphql/v2';

export interface RailwayApiSettings {
  baseUrl: string;
  timeoutMs?: number;
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Budget for all retries of one call (default 120 s). */
  deadlineMs?: number;
}

export function connection(api: RailwayApiSettings, token: string): ApiConnection {
  return { maxAttempts: 8, deadlineMs: 120_000, ...api, token };
}

/** Why Railway may refuse the token; appended to "Not Authorized" answers. */
export const TOKEN_HINT =
  'catalyst:railwayToken must be an account or workspace token (sent as "Authorization: Bearer"); ' +
  'project tokens (header "Project-Access-Token") are limited to one environment of an existing project and cannot create projects, services or domains, ' +
  'so Catalyst does not accept them. Create a token at https://railway.com/account/tokens and set it with `pulumi config set --secret catalyst:railwayToken <token>`';

export class RailwayError extends Error {
  readonly operation: OperationName;
  readonly messages: string[];
  readonly status: number;
  constructor(operation: OperationName, messages: string[], status: number) {
    const text = messages.join('; ');
    const hint = /not authori[sz]ed|unauthori[sz]ed|invalid token/i.test(text) ? ` — ${TOKEN_HINT}` : '';
    super(`Railway ${operation} failed${status === 200 ? '' : ` (HTTP ${status})`}: ${text}${hint}`);
    this.name = 'RailwayError';
    this.operation = operation;
    this.messages = messages;
    this.status = status;
  }

  /** True when Railway says the object does not exist (a delete of something already gone). */
  get notFound(): boolean {
    return this.messages.some((m) => /not found|does not exist|no .* with id/i.test(m));
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message?: string }[];
}

const messagesOf = (errors: { message?: string }[]): string[] =>
  errors.map((e) => (typeof e?.message === 'string' && e.message.trim() !== '' ? e.message.trim().slice(0, 500) : 'unknown GraphQL error'));

/** Replaces every occurrence of these values (secrets a server may echo back) in a message. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('[secret]');
  return out;
}

/**
 * Runs one operation; resolves with its `data`, rejects with RailwayError or ApiError. `secrets`
 * are values the variables carry: a server may echo them in an error (graphql-js quotes the
 * invalid value), so they are removed from every message.
 */
export async function gql<T>(conn: ApiConnection, operation: OperationName, variables: Record<string, unknown>, secrets: readonly string[] = []): Promise<T> {
  try {
    return await gqlOnce<T>(conn, operation, variables);
  } catch (err) {
    if (secrets.length === 0) throw err;
    if (err instanceof RailwayError) throw new RailwayError(operation, err.messages.map((m) => redact(m, secrets)), err.status);
    if (err instanceof Error) err.message = redact(err.message, secrets);
    throw err;
  }
}

async function gqlOnce<T>(conn: ApiConnection, operation: OperationName, variables: Record<string, unknown>): Promise<T> {
  const res = await apiRequest<GraphQLBody<T> | string | null>(conn, {
    operation: `Railway ${operation}`,
    method: 'POST',
    path: '',
    body: { query: OPERATIONS[operation], variables, operationName: operation },
    passStatuses: [400],
  });
  const body = res.body;
  if (body === null || typeof body !== 'object') {
    throw new RailwayError(operation, [`the answer is not a GraphQL JSON response: ${String(body).slice(0, 200)}`], res.status);
  }
  if (Array.isArray(body.errors) && body.errors.length > 0) throw new RailwayError(operation, messagesOf(body.errors), res.status);
  if (res.status !== 200 || body.data === null || body.data === undefined) throw new RailwayError(operation, ['the answer has no data'], res.status);
  return body.data;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface FoundOrCreated<T> {
  value: T;
  /** True when this call's create made it (in this attempt or in one whose answer was lost). */
  created: boolean;
  /** True when the object existed before this call tried anything. */
  preexisting: boolean;
}

/**
 * Idempotent create: look up, create once if absent; when the create fails in a way that may have
 * happened anyway (timeout, 429, 5xx), look up again before trying again, within the deadline.
 */
export async function findOrCreate<T>(
  conn: ApiConnection,
  find: () => Promise<T | null>,
  create: (single: ApiConnection) => Promise<T>,
): Promise<FoundOrCreated<T>> {
  const single: ApiConnection = { ...conn, maxAttempts: 1 };
  const deadline = Date.now() + (conn.deadlineMs ?? 120_000);
  for (let attempt = 0; ; attempt++) {
    const found = await find();
    if (found !== null) return { value: found, created: attempt > 0, preexisting: attempt === 0 };
    try {
      return { value: await create(single), created: true, preexisting: false };
    } catch (err) {
      const retryable = err instanceof ApiError && (err.status === null || isRetryableStatus(err.status));
      if (!retryable) throw err;
      const cap = conn.maxDelayMs ?? 10_000;
      const wait = Math.min(cap, (err as ApiError).retryAfterMs ?? backoffDelay(attempt + 1, conn.baseDelayMs ?? 500, cap));
      if (Date.now() + wait > deadline) throw err;
      await sleep(wait);
    }
  }
}
