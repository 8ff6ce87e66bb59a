import { AWS_SECRET_RULE, keyValueScanner, PASSWORD_RULE } from './key-value';
import { jwtScanner, privateKeyScanner, urlCredentialsScanner } from './structured-detectors';
import { tokenScanners } from './token-detectors';
import type { Scanner } from './types';

// The built-in detectors: stable ids (settings name them in `logbook.redaction.disabled`, notes
// and placeholders carry them), in priority order: when two find the same text, the first names it.

export const BUILTIN_DETECTOR_IDS = [
  'private-key', 'jwt', 'anthropic-api-key', 'openai-api-key', 'aws-access-key-id', 'github-token', 'gitlab-token',
  'slack-token', 'slack-webhook', 'stripe-key', 'google-api-key', 'url-credentials', AWS_SECRET_RULE, PASSWORD_RULE,
] as const;

export type DetectorId = (typeof BUILTIN_DETECTOR_IDS)[number];

export function isDetectorId(id: string): id is DetectorId {
  return (BUILTIN_DETECTOR_IDS as readonly string[]).includes(id);
}

/** The scanners of the enabled detectors, in priority order. */
export function builtinScanners(enabled: ReadonlySet<DetectorId>): Scanner[] {
  const scanners: Scanner[] = [];
  if (enabled.has('private-key')) scanners.push(privateKeyScanner());
  if (enabled.has('jwt')) scanners.push(jwtScanner());
  for (const { id, scanner } of tokenScanners()) if (isDetectorId(id) && enabled.has(id)) scanners.push(scanner);
  if (enabled.has('url-credentials')) scanners.push(urlCredentialsScanner());
  const password = enabled.has(PASSWORD_RULE);
  const aws = enabled.has(AWS_SECRET_RULE);
  // One scanner reports both: an AWS secret key has no prefix, only its name tells it apart.
  if (password || aws) scanners.push(keyValueScanner({ password, aws }));
  return scanners;
}
