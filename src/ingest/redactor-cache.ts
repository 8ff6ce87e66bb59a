import type { RedactionSettings, Redactor } from '../domain/redaction/types';
import { ingestRedactor } from './redact-entry';

/**
 * The ingest's redactor for settings that can change while a window is open: compiled again only
 * when the settings change, its problems (a refused pattern, an unknown detector) told once each time.
 */
export class RedactorCache {
  private key = '';
  private compiled: Redactor | undefined;

  constructor(private readonly settings: () => RedactionSettings, private readonly tell: (problems: readonly string[]) => void) {}

  get redactor(): Redactor {
    const settings = this.settings();
    const key = JSON.stringify(settings);
    if (this.compiled === undefined || key !== this.key) {
      const { redactor, problems } = ingestRedactor(settings);
      if (problems.length > 0) this.tell(problems);
      this.compiled = redactor;
      this.key = key;
    }
    return this.compiled;
  }
}
