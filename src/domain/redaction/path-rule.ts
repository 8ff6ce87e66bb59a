import { mapJsonStrings } from '../json-walk';
import { compileGlob, matchGlob, pathSegments } from './glob';
import type { Glob } from './glob';
import type { Trigger } from './types';

// `logbook.redaction.paths`: files whose contents are never stored. When an event names such a
// file in a path field (a Read, Write, Edit, MultiEdit or NotebookEdit of it, its tool response,
// a FileChanged event…), every string of the event is replaced except the path fields and the
// ids and names Claude Code itself puts in every event. That rule does not depend on knowing
// each tool's content fields (`content`, `old_string`, `edits`, `originalFile`,
// `structuredPatch`, `file.content`, `new_source`…), so a new tool or field is covered too.

/** The built-in list, used while `logbook.redaction.paths` is not set (package.json repeats it). */
export const DEFAULT_REDACTION_PATHS: readonly string[] = [
  '**/.env', '**/.env.*', '!**/.env.example', '!**/.env.sample', '!**/.env.template', '!**/.env.dist',
  '**/*.pem', '**/*.key', '**/*.p12', '**/*.pfx', '**/*.jks', '**/*.keystore',
  '**/id_rsa*', '**/id_dsa*', '**/id_ecdsa*', '**/id_ed25519*', '!**/*.pub',
  '**/.npmrc', '**/.pypirc', '**/.netrc', '**/.git-credentials', '**/.aws/credentials', '**/.docker/config.json', '**/.kube/config',
  '**/*.tfstate', '**/*.tfvars', '**/secrets/**',
];

export const MAX_PATH_GLOBS = 100;
const PATH_KEYS = new Set(['file_path', 'filePath', 'path', 'notebook_path', 'notebookPath']);
const KEPT_KEYS = new Set([
  ...PATH_KEYS, 'session_id', 'transcript_path', 'cwd', 'hook_event_name', 'tool_name', 'tool_use_id', 'prompt_id',
  'permission_mode', 'agent_id', 'agent_type', 'agent_transcript_path', 'turn_id', 'message_id', 'type', 'source', 'event',
  'level', 'model', 'old_cwd', 'new_cwd', 'memory_type', 'load_reason', 'matcher', 'trigger',
]);
const ID_KEY = /(?:_id|Id)$/;
const MAX_PATHS_LOOKED_AT = 100;
const MAX_PATH_LENGTH = 4096;

export interface PathRule {
  readonly globs: readonly Glob[];
  readonly triggers: readonly Trigger[] | 'always';
}

export function compilePathRule(paths: readonly string[] | undefined): { rule: PathRule; problems: string[] } {
  const problems: string[] = [];
  const globs: Glob[] = [];
  const all = paths ?? DEFAULT_REDACTION_PATHS;
  if (all.length > MAX_PATH_GLOBS) problems.push(`logbook.redaction.paths[${MAX_PATH_GLOBS}…${all.length - 1}]: left out, at most ${MAX_PATH_GLOBS} globs are used`);
  all.slice(0, MAX_PATH_GLOBS).forEach((source, index) => {
    const where = `logbook.redaction.paths[${index}]`;
    const glob = compileGlob(source);
    if (typeof glob === 'string') problems.push(`${where} (${JSON.stringify(source.slice(0, 80))}): ${glob}`);
    else globs.push(glob);
  });
  const positive = globs.filter((glob) => !glob.negated);
  // A path field holds the glob's literal piece: the trigger is that piece, case-insensitive.
  const triggers = positive.some((glob) => glob.literal === '') ? 'always' : positive.map((glob) => ({ text: glob.literal, ignoreCase: true }));
  return { rule: { globs, triggers }, problems };
}

/** The glob (source) of the first secret file `value` names in a path field, if any. */
export function sensitiveFile(rule: PathRule, value: unknown): string | undefined {
  if (!rule.globs.some((glob) => !glob.negated)) return undefined;
  const paths: string[] = [];
  mapJsonStrings(value, (text, _path, key) => {
    if (typeof key === 'string' && PATH_KEYS.has(key) && paths.length < MAX_PATHS_LOOKED_AT && text.length <= MAX_PATH_LENGTH) paths.push(text);
    return text;
  });
  for (const path of paths) {
    const glob = matchingGlob(rule, path);
    if (glob !== undefined) return glob;
  }
  return undefined;
}

export function matchingGlob(rule: PathRule, path: string): string | undefined {
  const segments = pathSegments(path);
  if (rule.globs.some((glob) => glob.negated && matchGlob(glob, segments))) return undefined;
  return rule.globs.find((glob) => !glob.negated && matchGlob(glob, segments))?.source;
}

/** In an event about a secret file, the strings kept as they are: path fields, ids, names. */
export function keptInSecretFileEvent(key: string | number | undefined): boolean {
  return typeof key === 'string' && (KEPT_KEYS.has(key) || ID_KEY.test(key));
}
