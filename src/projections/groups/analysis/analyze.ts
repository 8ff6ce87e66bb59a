import type { GroupAnalysis, GroupFacts } from '../../../domain/groups/facts';
import { costAttribution } from './attribution';
import { bottlenecks } from './bottlenecks';
import { criticalPath } from './critical-path';
import { errorChains } from './error-chains';

// The analysis of a group of sessions that work together: what set its end time, whom the others
// waited on, how failures travelled between members, and who spent what. Pure: each part reads only
// the group's facts, so the CLI, the views and the tests share it.

/** Every part of a group's analysis. */
export function analyzeGroup(facts: GroupFacts): GroupAnalysis {
  return {
    criticalPath: criticalPath(facts),
    bottlenecks: bottlenecks(facts),
    errorChains: errorChains(facts),
    attribution: costAttribution(facts),
  };
}
