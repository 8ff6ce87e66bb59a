import { LogbookError } from '../domain/errors';
import type { JournalFileRef } from '../domain/workflow/types';
import type { WorkflowEventTypeName } from '../domain/workflow/events';
import { WorkflowEventType } from '../domain/workflow/events';
import type { RecordedEvent } from './event-store';

// Stored events are never rewritten (STYLE.md): when an event's shape changes, its schema
// version goes up and an upcaster turns the old shape into the new one as it is read, so
// every reader sees only the current shape of each type.

/** Turns the data of one event type from `fromVersion` into `toVersion` (always fromVersion + 1). */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  upcast(data: unknown, metadata: Readonly<Record<string, unknown>>): unknown;
}

/** Upcasters checked and indexed: per type, the step out of each version, and the latest version. */
export interface UpcasterRegistry {
  readonly steps: ReadonlyMap<string, ReadonlyMap<number, Upcaster>>;
  readonly current: ReadonlyMap<string, number>;
}

/** Either a list of upcasters (checked on first use, then cached) or a registry already built. */
export type UpcasterSource = readonly Upcaster[] | UpcasterRegistry;

/** Every type starts at version 1; a type without upcasters stays there. */
const FIRST_VERSION = 1;

/**
 * Checks and indexes upcasters. A chain must run without gaps from version 1, else events
 * stored at the missing version could never be read as current: that is a programming error,
 * so it fails here, at load, rather than on some later read.
 */
export function buildUpcasterRegistry(list: readonly Upcaster[]): UpcasterRegistry {
  const steps = new Map<string, Map<number, Upcaster>>();
  for (const upcaster of list) {
    const { type, fromVersion, toVersion } = upcaster;
    if (!Number.isInteger(fromVersion) || fromVersion < FIRST_VERSION || toVersion !== fromVersion + 1) {
      throw new LogbookError('UPCASTER_INVALID_STEP', `upcaster for ${type} goes from version ${fromVersion} to ${toVersion}: it must go from an integer version >= ${FIRST_VERSION} to the next one`);
    }
    const chain = steps.get(type) ?? new Map<number, Upcaster>();
    if (chain.has(fromVersion)) throw new LogbookError('UPCASTER_DUPLICATE', `two upcasters for ${type} from version ${fromVersion}`);
    chain.set(fromVersion, upcaster);
    steps.set(type, chain);
  }
  const current = new Map<string, number>();
  for (const [type, chain] of steps) {
    const latest = Math.max(...chain.keys()) + 1;
    for (let version = FIRST_VERSION; version < latest; version += 1) {
      if (!chain.has(version)) {
        throw new LogbookError('UPCASTER_CHAIN_GAP', `upcasters for ${type} have a gap: none from version ${version} to ${version + 1} (the chain reaches version ${latest})`);
      }
    }
    current.set(type, latest);
  }
  return { steps, current };
}

const built = new WeakMap<readonly Upcaster[], UpcasterRegistry>();

function registryOf(source: UpcasterSource): UpcasterRegistry {
  if (!Array.isArray(source)) return source as UpcasterRegistry;
  const list = source as readonly Upcaster[];
  let registry = built.get(list);
  if (registry === undefined) {
    registry = buildUpcasterRegistry(list);
    built.set(list, registry);
  }
  return registry;
}

/** The version writers stamp on a new event of `type`, and the one every read returns. */
export function currentSchemaVersion(type: string, registry: UpcasterSource = UPCASTERS): number {
  return registryOf(registry).current.get(type) ?? FIRST_VERSION;
}

/**
 * The event as its type's current version. Returns the same object when nothing applies: a
 * type without upcasters, an event already current, or one from a newer writer (which cannot
 * be taken back down; readers validate what they use).
 */
export function upcast(event: RecordedEvent, registry: UpcasterSource = UPCASTERS): RecordedEvent {
  const { steps, current } = registryOf(registry);
  const chain = steps.get(event.type);
  const latest = current.get(event.type);
  if (chain === undefined || latest === undefined || event.schemaVersion >= latest) return event;
  let data = event.data;
  for (let version = event.schemaVersion; version < latest; version += 1) {
    const step = chain.get(version);
    // Only a version below 1 (or not an integer) has no step, as chains are gapless from 1.
    if (step === undefined) return event;
    data = step.upcast(data, event.metadata);
  }
  return { ...event, data, schemaVersion: latest };
}

// --- JournalEntryWritten v1 → v2 ---------------------------------------------------------
// Early writers stored `files` as strings ("src/a.ts" or "src/a.ts:12") and sometimes no
// `tags`; v2 guarantees `files: {path, line?}[]` and `tags: string[]`.

type Fields = Readonly<Record<string, unknown>>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A 1-based line from a number or a digit string; anything else is no line. */
function lineOf(value: unknown): number | undefined {
  const line = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof line === 'number' && Number.isSafeInteger(line) && line >= 1 ? line : undefined;
}

function fileRef(path: string, line: number | undefined): JournalFileRef {
  return line === undefined ? { path } : { path, line };
}

/** One v1 `files` entry as a v2 reference; entries naming no path are dropped (nothing to point at). */
function journalFileRef(entry: unknown): JournalFileRef[] {
  if (typeof entry === 'string') {
    // Only a trailing ":<digits>" is a line, so "C:\\src\\a.ts" keeps its drive letter.
    const match = /^(.+):(\d+)$/.exec(entry);
    const line = match === null ? undefined : lineOf(match[2]);
    if (match !== null && line !== undefined) return [fileRef(match[1] ?? entry, line)];
    return entry === '' ? [] : [fileRef(entry, undefined)];
  }
  if (isFields(entry) && typeof entry['path'] === 'string' && entry['path'] !== '') {
    return [fileRef(entry['path'], lineOf(entry['line']))];
  }
  return [];
}

function journalTags(tags: unknown): string[] {
  if (typeof tags === 'string') return tags === '' ? [] : [tags];
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** JournalEntryWritten v1 → v2: `files` as {path, line?} objects, `tags` always an array. */
export const journalEntryWrittenV1ToV2: Upcaster = {
  type: WorkflowEventType.JournalEntryWritten,
  fromVersion: 1,
  toVersion: 2,
  upcast(data: unknown): unknown {
    // Not an object: nothing to normalise; readers validate it like any bad row.
    if (!isFields(data)) return data;
    const files = Array.isArray(data['files']) ? data['files'].flatMap(journalFileRef) : journalFileRef(data['files']);
    return { ...data, tags: journalTags(data['tags']), files };
  },
};

/** The upcasters of production events, in no particular order. */
export const UPCASTERS: readonly Upcaster[] = Object.freeze([journalEntryWrittenV1ToV2]);

// Built at load so a broken chain fails as soon as the store module is imported.
registryOf(UPCASTERS);

/** The schema version writers stamp on each workflow event (types not listed here: 1, see currentSchemaVersion). */
export const CURRENT_EVENT_VERSIONS: Readonly<Record<WorkflowEventTypeName, number>> = Object.freeze(
  Object.fromEntries(Object.values(WorkflowEventType).map((type) => [type, currentSchemaVersion(type)])) as Record<WorkflowEventTypeName, number>,
);
