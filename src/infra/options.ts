/**
 * zod building blocks for stack config options (`catalyst:<key>` values).
 *
 * Pulumi hands every config value to the program as a string (`catalyst:minInstances: 1` arrives as
 * "1"; objects arrive as JSON text, which the adapter parses). These helpers accept both the string
 * form and the typed form, so the same schema validates `pulumi config` values, hand-written stack
 * files and `catalyst stack init` flags.
 *
 * Keys set with `--secret` reach the schemas as opaque secret handles (a secret `pulumi.Output`, never
 * the plain value): declare such options with {@link secretOption}.
 */
import * as pulumi from '@pulumi/pulumi';
import { z } from 'zod';

/** An integer option in [min, max]; accepts "8080" and 8080. */
export function configInt(min: number, max: number) {
  return z.preprocess(
    (v) => (typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : v),
    z.number({ error: (iss) => (iss.input === undefined ? 'required' : `must be a whole number from ${min} to ${max}`) }).int(`must be a whole number from ${min} to ${max}`).min(min, `must be at least ${min}`).max(max, `must be at most ${max}`),
  );
}

/** A boolean option; accepts true/false and "true"/"false". */
export const configBool = z.preprocess(
  (v) => (v === 'true' ? true : v === 'false' ? false : v),
  z.boolean({ error: (iss) => (iss.input === undefined ? 'required' : 'must be true or false') }),
);

/** A plain string option matching `re` (the message says what is expected). */
export function configString(re: RegExp, expected: string) {
  return z.string({ error: (iss) => (iss.input === undefined ? 'required' : isSecretHandle(iss.input) ? 'is set as a secret, but it is a plain setting; set it without --secret' : `must be ${expected}`) }).regex(re, `must be ${expected}`);
}

/** True for the handles the adapter passes for keys set with `--secret` (secret Outputs). */
export function isSecretHandle(v: unknown): v is pulumi.Output<string> {
  return pulumi.Output.isInstance(v);
}

/** An option that must be set with `pulumi config set --secret` (e.g. an API token). */
export function secretOption(key: string) {
  return z.custom<pulumi.Output<string>>(isSecretHandle, {
    error: (iss) => (iss.input === undefined ? 'required' : `must be set as a secret (pulumi config set --secret catalyst:${key})`),
  });
}

/** An https URL option without a trailing slash. */
export const configHttpsUrl = z
  .string({ error: (iss) => (iss.input === undefined ? 'required' : 'must be an https URL') })
  .regex(/^https:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/, 'must be an https URL')
  .transform((u) => u.replace(/\/+$/, ''));

/** Parses one raw Pulumi config string: JSON objects/arrays become values, everything else stays a string. */
export function parseConfigText(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return text;
    }
  }
  return text;
}
