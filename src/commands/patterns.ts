import { openPatternsArgument } from '../protocol/patterns-view';
import { askCohort } from '../views/patterns/asks';
import type { ExtensionContext } from './context';

/**
 * Patterns across sessions: a cohort contrasted with the rest. With an argument `{ cohort }` (the
 * dashboard passes the rows it shows) the panel runs that cohort; without, the panel's own choice.
 */
export async function openPatterns(ctx: ExtensionContext, arg?: unknown): Promise<void> {
  if (arg !== undefined) {
    const parsed = openPatternsArgument.safeParse(arg);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`logbook.openPatterns was given an argument it cannot read: ${issue === undefined ? 'invalid' : `${issue.path.map(String).join('.') || 'argument'}: ${issue.message}`}`);
    }
    askCohort(parsed.data.cohort);
  }
  ctx.showPanel('patterns', 'all');
}
