import type { NodeEnv, ProjectAcc } from './context.ts';
import { unsupported } from './issues.ts';
import { upperSnake } from './paths.ts';

/**
 * n8n credentials become declared project secrets (names only; values go into Pulumi config secrets).
 * The secret is named after the credential (`Fastmail` → FASTMAIL), or OPENAI_API_KEY for OpenAI.
 */
export function credentialSecret(env: NodeEnv, credType: string, description: string): string {
  const ref = env.n8n.credentials?.[credType];
  const name = typeof ref === 'string' ? ref : ref && typeof ref === 'object' ? String((ref as { name?: unknown }).name ?? '') : '';
  const id = ref && typeof ref === 'object' ? String((ref as { id?: unknown }).id ?? '') : '';
  return declareSecret(env.project, credType === 'openAiApi' ? credType : `${credType}\u0000${id || name}`, credType === 'openAiApi' ? 'OPENAI_API_KEY' : upperSnake(name || credType), `${description} (n8n credential "${name || credType}", type ${credType})`);
}

export function declareSecret(acc: ProjectAcc, key: string, base: string, description: string): string {
  const known = acc.credentials.get(key);
  if (known) return known;
  let name = base;
  for (let n = 2; acc.secrets.has(name) || acc.env.has(name); n++) name = `${base}_${n}`;
  acc.credentials.set(key, name);
  acc.secrets.set(name, description);
  return name;
}

export interface HttpAuth {
  secret: string;
  scheme: 'bearer' | 'header';
  header?: string;
}

/** Predefined credential types that are a bearer token or a single header. */
const PREDEFINED: Record<string, { scheme: 'bearer' | 'header'; header?: string; what: string }> = {
  openAiApi: { scheme: 'bearer', what: 'OpenAI API key' },
  cloudflareApi: { scheme: 'bearer', what: 'Cloudflare API token' },
  qdrantApi: { scheme: 'header', header: 'api-key', what: 'Qdrant API key' },
  anthropicApi: { scheme: 'header', header: 'x-api-key', what: 'Anthropic API key' },
  mistralCloudApi: { scheme: 'bearer', what: 'Mistral API key' },
  groqApi: { scheme: 'bearer', what: 'Groq API key' },
  perplexityApi: { scheme: 'bearer', what: 'Perplexity API key' },
  openRouterApi: { scheme: 'bearer', what: 'OpenRouter API key' },
  deepSeekApi: { scheme: 'bearer', what: 'DeepSeek API key' },
  xAiApi: { scheme: 'bearer', what: 'xAI API key' },
  githubApi: { scheme: 'bearer', what: 'GitHub token' },
  notionApi: { scheme: 'bearer', what: 'Notion integration token' },
  airtableTokenApi: { scheme: 'bearer', what: 'Airtable token' },
  slackApi: { scheme: 'bearer', what: 'Slack token' },
  wordpressApi: { scheme: 'header', header: 'Authorization', what: 'the whole Authorization header value: "Basic " + base64(user:application password)' },
  linearApi: { scheme: 'header', header: 'Authorization', what: 'Linear personal API key (sent as the Authorization header, without "Bearer")' },
};

/**
 * OAuth2 credential types of services that also issue long-lived tokens for the same requests. n8n runs the
 * OAuth2 flow and refreshes the token; a Catalyst app sends a fixed secret instead, so these import with a
 * warning naming the token to use. Other OAuth2 types (Google's expire within the hour) stay refused.
 */
const OAUTH2_TOKEN: Record<string, { scheme: 'bearer' | 'header'; header?: string; what: string; use: string }> = {
  linearOAuth2Api: {
    scheme: 'header',
    header: 'Authorization',
    what: 'the whole Authorization header value for Linear: a personal API key (lin_api_…), or "Bearer " + an OAuth access token',
    use: 'a Linear personal API key as it is, or "Bearer " + an OAuth access token',
  },
  githubOAuth2Api: { scheme: 'bearer', what: 'GitHub token', use: 'a GitHub personal access token or app installation token' },
  notionOAuth2Api: { scheme: 'bearer', what: 'Notion integration token', use: 'a Notion internal integration token' },
  slackOAuth2Api: { scheme: 'bearer', what: 'Slack token', use: 'a Slack bot or user token (xoxb-/xoxp-) without token rotation' },
  airtableOAuth2Api: { scheme: 'bearer', what: 'Airtable token', use: 'an Airtable personal access token' },
};

/** A table's entry for a name from the export (its own entries only: not `constructor`, `toString`, …). */
const own = <T>(table: Record<string, T>, name: string): T | undefined => (Object.hasOwn(table, name) ? table[name] : undefined);

/** The httpRequest `auth` for an HTTP Request node's authentication settings (undefined: none). */
export function httpAuth(env: NodeEnv, authentication: string, genericType: string | undefined, predefinedType: string | undefined): HttpAuth | undefined {
  const v1Map: Record<string, string> = { basicAuth: 'httpBasicAuth', headerAuth: 'httpHeaderAuth', digestAuth: 'httpDigestAuth', queryAuth: 'httpQueryAuth', oAuth1: 'oAuth1Api', oAuth2: 'oAuth2Api' };
  let type: string | undefined;
  if (authentication === 'none' || !authentication) return undefined;
  if (authentication === 'genericCredentialType') type = genericType;
  else if (authentication === 'predefinedCredentialType') {
    const p = predefinedType ?? '';
    const oauth = own(OAUTH2_TOKEN, p);
    const known = oauth ?? own(PREDEFINED, p);
    if (!known && /OAuth2Api$/.test(p)) {
      unsupported('credential-type', `credential type "${p}" is an OAuth2 login whose tokens n8n refreshes; a Catalyst app sends a fixed secret and this service's tokens expire (OAuth2 types with long-lived tokens: ${Object.keys(OAUTH2_TOKEN).join(', ')})`, { parameter: 'nodeCredentialType' });
    }
    if (!known) unsupported('credential-type', `credential type "${p}" is not supported (supported: ${Object.keys(PREDEFINED).join(', ')}, ${Object.keys(OAUTH2_TOKEN).join(', ')}, and generic header/bearer/basic auth)`, { parameter: 'nodeCredentialType' });
    const secret = credentialSecret(env, p, known.what);
    if (oauth) {
      env.issue('warning', 'oauth2-token', `${p}: n8n obtains and refreshes this OAuth2 token itself; Catalyst sends the secret ${secret} as it is: set it to ${oauth.use} (it is never refreshed)`, {
        parameter: 'nodeCredentialType',
      });
    }
    return known.scheme === 'bearer' ? { secret, scheme: 'bearer' } : { secret, scheme: 'header', header: known.header };
  } else type = own(v1Map, authentication) ?? authentication;
  switch (type) {
    case 'httpHeaderAuth': {
      const secret = credentialSecret(env, 'httpHeaderAuth', 'value of the HTTP header');
      env.issue('warning', 'header-auth-name', `header auth: the header name is stored in the n8n credential, not in the export; the import sends the secret ${secret} as the Authorization header; change auth.header if the API expects another header`, {
        parameter: 'authentication',
      });
      return { secret, scheme: 'header', header: 'Authorization' };
    }
    case 'httpBearerAuth':
      return { secret: credentialSecret(env, 'httpBearerAuth', 'bearer token'), scheme: 'bearer' };
    case 'httpBasicAuth': {
      const secret = credentialSecret(env, 'httpBasicAuth', 'the whole Authorization header value: "Basic " + base64(user:password)');
      env.issue('warning', 'basic-auth', `basic auth: the secret ${secret} must hold the whole Authorization header value ("Basic " + base64 of user:password)`, { parameter: 'authentication' });
      return { secret, scheme: 'header', header: 'Authorization' };
    }
    default:
      return unsupported('credential-type', `authentication "${type ?? authentication}" is not supported (supported: header, bearer and basic auth, and API-key credentials)`, { parameter: 'authentication' });
  }
}
