import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { dirname } from 'node:path';
import { Script } from 'node:vm';

// Loads dist/cli.js as `require` would, but with V8's code cache that the build wrote beside it
// (dist/cli.js.v8cache): compiling the bundle is a fixed cost of every command otherwise. The
// cache holds the SHA-256 of the source it was made from; V8 itself only checks the source's
// length, so a cache that does not belong to this very file is never handed to it. A cache from
// another Node (or other V8 flags) is rejected by V8 and the bundle compiles as usual.

/** The bytes before the V8 data: the SHA-256 of the bundle the cache was made from. */
export const CODE_CACHE_HASH_BYTES = 32;

export interface LoadedScript<T> {
  readonly exports: T;
  readonly script: Script;
  /** Whether V8 used the cache (false: none, stale, or rejected). */
  readonly cacheUsed: boolean;
}

export function codeCachePath(file: string): string {
  return `${file}.v8cache`;
}

export function sourceHash(source: Buffer): Buffer {
  return createHash('sha256').update(source).digest();
}

/** Runs a CommonJS bundle through vm.Script, with its code cache when one matches. */
export function loadWithCodeCache<T>(file: string): LoadedScript<T> {
  const bytes = readFileSync(file);
  const cachedData = matchingCache(file, bytes);
  // esbuild writes ASCII (it escapes the rest): read as Latin-1, a copy, not a UTF-8 decode.
  const script = new Script(wrap(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')), { filename: file, cachedData });
  const module = { exports: {} as T };
  const run = script.runInThisContext() as (exports: T, require: NodeJS.Require, module: { exports: T }, filename: string, dirname: string) => void;
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, script, cacheUsed: cachedData !== undefined && script.cachedDataRejected !== true };
}

function matchingCache(file: string, source: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = readFileSync(codeCachePath(file));
  } catch {
    return undefined;
  }
  if (cache.length <= CODE_CACHE_HASH_BYTES || !cache.subarray(0, CODE_CACHE_HASH_BYTES).equals(sourceHash(source))) return undefined;
  return cache.subarray(CODE_CACHE_HASH_BYTES);
}
