/**
 * A target credential as a secret Output: the stack's secret config `catalyst:<key>` when it holds
 * one, else the environment variable that feeds that key (src/contracts/credentials.ts: the GitHub
 * secret the pipeline passes), wrapped as a secret so it reaches no state or output in plain text.
 */
import * as pulumi from '@pulumi/pulumi';
import { credentialFromEnv } from '../contracts/credentials.ts';

export function credential(key: string, env: NodeJS.ProcessEnv = process.env): pulumi.Output<string> {
  const cfg = new pulumi.Config('catalyst');
  const fromStack = cfg.getSecret(key);
  if (fromStack !== undefined) return fromStack;
  const fromEnv = credentialFromEnv(key, env);
  return fromEnv !== undefined ? pulumi.secret(fromEnv) : cfg.requireSecret(key);
}
