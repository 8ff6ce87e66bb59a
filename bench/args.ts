import { parseArgs } from 'node:util';

/** The measured sections; `--only` picks a subset while working on one of them. */
export type Section = 'hook' | 'ingest' | 'flush' | 'view' | 'redaction';
const SECTIONS: readonly Section[] = ['hook', 'ingest', 'flush', 'view', 'redaction'];

export interface BenchOptions {
  readonly quick: boolean;
  /** Measured runs of each hook variant (after the warm-up rounds). */
  readonly hookRuns: number;
  readonly hookWarmup: number;
  readonly ingestEvents: number;
  readonly ingestReps: number;
  readonly flushSizes: readonly number[];
  readonly sections: ReadonlySet<Section>;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick                 smaller counts, no 1M flush (a few minutes at most)
  --hook-runs N           measured spawns per hook variant (default 200, quick 40)
  --hook-warmup N         warm-up rounds before measuring (default 10, quick 5)
  --ingest-events N       inbox entries ingested (default 20000, quick 5000)
  --ingest-reps N         repetitions of the ingest comparison, medians reported (default 5, quick 1)
  --flush-sizes A,B,...   store sizes whose flush is timed (default 10000,100000,1000000; quick 10000,100000)
  --only hook,ingest,flush,view,redaction  run only these sections (view: hook fired → visible in the views, 100 runs, quick 30;
                          redaction: the secret check per event against JSON.parse)`;

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      'hook-runs': { type: 'string' },
      'hook-warmup': { type: 'string' },
      'ingest-events': { type: 'string' },
      'ingest-reps': { type: 'string' },
      'flush-sizes': { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help === true) return 'help';
  const quick = values.quick === true;
  const sections = values.only === undefined ? new Set(SECTIONS) : new Set(values.only.split(',').map(section));
  return {
    quick,
    hookRuns: positiveInt('--hook-runs', values['hook-runs'], quick ? 40 : 200),
    hookWarmup: positiveInt('--hook-warmup', values['hook-warmup'], quick ? 5 : 10, true),
    ingestEvents: positiveInt('--ingest-events', values['ingest-events'], quick ? 5000 : 20_000),
    ingestReps: positiveInt('--ingest-reps', values['ingest-reps'], quick ? 1 : 5),
    flushSizes: values['flush-sizes'] === undefined
      ? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000])
      : values['flush-sizes'].split(',').map((s) => positiveInt('--flush-sizes', s.trim(), 0)),
    sections,
  };
}

function section(name: string): Section {
  const found = SECTIONS.find((s) => s === name.trim());
  if (found === undefined) throw new Error(`--only: unknown section ${JSON.stringify(name)} (expected ${SECTIONS.join(', ')})`);
  return found;
}

function positiveInt(flag: string, text: string | undefined, fallback: number, zeroOk = false): number {
  if (text === undefined) return fallback;
  // Accept 1_000_000 and 1e6 style counts: people paste both.
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < (zeroOk ? 0 : 1)) throw new Error(`${flag}: expected a ${zeroOk ? 'non-negative' : 'positive'} integer, got ${JSON.stringify(text)}`);
  return value;
}
