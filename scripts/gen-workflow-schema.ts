// Regenerates media/workflow.schema.json from the zod schema of the workflow file, so the
// editor's schema and the validator cannot disagree. `--check` only reports drift (exit 1).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderWorkflowJsonSchema } from '../src/domain/workflow/definition';

const target = join(__dirname, '..', 'media', 'workflow.schema.json');
const text = renderWorkflowJsonSchema();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(target, 'utf8');
  } catch {
    // A missing file is drift like any other.
  }
  if (committed !== text) {
    console.error(`${target} is out of date: run node --import tsx scripts/gen-workflow-schema.ts`);
    process.exitCode = 1;
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
