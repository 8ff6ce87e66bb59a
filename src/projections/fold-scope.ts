// Copy-on-write for the session summary's growing collections (files, subagents, tool tables,
// the workflow's records, the journal): mutable inside a fold, immutable outside it.
//
// The summary is a plain immutable value (snapshotted as JSON, shared by the views, compared by
// identity in file-journal.ts), so an event that adds one file used to copy the whole record of
// files: n files cost O(n²). Inside `withinFold`, a collection is copied the first time an event
// changes it and changed in place after that, since nothing outside the fold has seen the copy.
// A fold run therefore costs O(events + size of the collections it started from), and a whole
// stream folded in one run is linear. Outside any fold every change copies, as before.
//
// The rule that makes it safe: states handed out of a run are never changed again. A run ends
// with `withinFold`; a caller that keeps intermediate states (snapshots) calls `handOut` first.
// The contents are the same either way: a key set in place keeps its place, as a spread would.

/** Objects created during the current run: the only ones a change may reuse in place. */
let owned: WeakSet<object> | undefined;
let copied = 0;

/** Runs `work` as one fold run (nested runs join the outer one); states it returns are final. */
export function withinFold<T>(work: () => T): T {
  if (owned !== undefined) return work();
  owned = new WeakSet();
  try {
    return work();
  } finally {
    owned = undefined;
  }
}

/** Everything built so far in this run is handed out (a snapshot): later changes copy it again. */
export function handOut(): void {
  if (owned !== undefined) owned = new WeakSet();
}

/**
 * Entries (keys or items) copied by collection changes since the process started: the linear-time
 * proxy the fuzz suite counts, since timing a fold in a test would be flaky.
 */
export function entriesCopied(): number {
  return copied;
}

/** `record` with `key` set to `value`. */
export function setKey<T>(record: Readonly<Record<string, T>>, key: string, value: T): Readonly<Record<string, T>> {
  if (owned?.has(record) === true) {
    // Payload-named keys: `__proto__` must become an own property, not the prototype.
    if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
    else (record as Record<string, T>)[key] = value;
    return record;
  }
  return own({ ...record, [key]: value }, Object.keys(record).length);
}

/** `record` without `key` (the same record when it has no such key). */
export function deleteKey<T>(record: Readonly<Record<string, T>>, key: string): Readonly<Record<string, T>> {
  if (!Object.hasOwn(record, key)) return record;
  if (owned?.has(record) === true) {
    delete (record as Record<string, T>)[key];
    return record;
  }
  const { [key]: _dropped, ...rest } = record;
  return own(rest, Object.keys(rest).length);
}

/** `list` with `item` appended. */
export function append<T>(list: readonly T[], item: T): readonly T[] {
  if (owned?.has(list) === true) {
    (list as T[]).push(item);
    return list;
  }
  return own([...list, item], list.length);
}

function own<C extends object>(collection: C, size: number): C {
  copied += size;
  owned?.add(collection);
  return collection;
}
