import { join, resolve } from 'node:path';
import { logbookPaths } from '../capture/paths';
import { LogbookError } from '../domain/errors';
import type { GroupSummary } from '../domain/groups/model';
import { duration } from '../projections/insights';
import { groupLines, groupPrompt } from '../projections/groups/group-text';
import { findGroup, readGroupDetail, readGroups } from '../read/groups';
import { writeFileDurably } from '../store/durable-file';
import { UsageError } from './args';
import { printLines } from './context';
import type { CliContext } from './context';
import { defineCommand, described } from './options';
import { flagRule, optional, positional, textRule, writableFileRule } from './option-rules';
import { openSnapshot } from './store-snapshot';
import { workspacePrices } from './session-filters';

// `logbook groups`, `logbook group G` and `logbook timeline G --html FILE` (issue 16): sessions that
// work together, from the links the writer keeps (src/projections/groups/).

const json = described(flagRule, 'print as JSON');
const groupArg = described(positional(0, '<group>', textRule(300), 'name the group (see "logbook groups")'), 'the group: its id (run:NAME, team:NAME, tree:SESSION), a run name, or a member session\'s id or its start');

export const groupsCommand = defineCommand({ json }, async (ctx, options) => {
  const groups = await withGroups(ctx, (g) => g);
  if (options.json) {
    ctx.io.out(JSON.stringify(groups.map(({ links, ...rest }) => ({ ...rest, links: links.length })), null, 2));
    return 0;
  }
  if (groups.length === 0) {
    ctx.io.out('no groups yet: sessions form one when a session starts another (claude -p from its Bash tool), when they share a LOGBOOK_RUN name, or in an agent team');
    return 0;
  }
  await printLines(ctx.io, [
    'group                                     kind  members  span      active    cost      tokens    failures  label',
    ...groups.map((g) => `${g.id.padEnd(41)} ${g.kind.padEnd(5)} ${String(g.members.length).padStart(7)}  ${duration(g.spanMs).padEnd(9)} ${duration(g.activeMs).padEnd(9)} $${g.costUsd.toFixed(2).padEnd(8)} ${String(g.tokens).padEnd(9)} ${String(g.failures).padEnd(9)} ${JSON.stringify(g.label.slice(0, 60))}`),
  ]);
  return 0;
});

export const groupCommand = defineCommand({
  group: groupArg,
  json,
  prompt: described(flagRule, 'print a prompt for Claude instead: the group, its analysis and the logbook commands to dig further (e.g. | claude)'),
}, async (ctx, options) => {
  const prices = workspacePrices(ctx.workspace);
  const result = await withStore(ctx, (database) => {
    const group = named(readGroups(database.raw, database.store, Date.now(), prices), options.group);
    return { group, detail: readGroupDetail(database.store, group, prices) };
  });
  const { detail } = result;
  const { group } = detail;
  if (options.json) ctx.io.out(JSON.stringify({ group, analysis: detail.analysis, members: detail.facts.members.map((m) => ({ sessionId: m.sessionId, failures: m.failures, usage: m.usage })) }, null, 2));
  else if (options.prompt) ctx.io.out(groupPrompt(group, detail.analysis));
  else await printLines(ctx.io, groupLines(group, detail.analysis));
  return 0;
}, ({ json: j, prompt }) => (j && prompt ? 'choose one of --json and --prompt' : undefined));

export const timelineCommand = defineCommand({
  group: groupArg,
  html: described(optional(writableFileRule), 'write the unified timeline as one self-contained HTML page', 'FILE'),
}, async (ctx, options) => {
  if (options.html === undefined) throw new UsageError('choose --html FILE: the unified timeline is a page');
  const out = resolve(options.html);
  const prices = workspacePrices(ctx.workspace);
  // Read as the panel reads (src/read/member-folds.ts): the members' interleaved events in one pass over the store.
  const { MemberFolds, timelineSnapshot } = await import('../read/member-folds');
  const model = await withStore(ctx, (database) => {
    const group = named(readGroups(database.raw, database.store, Date.now(), prices), options.group);
    return timelineSnapshot({ group, store: database.store, folds: new MemberFolds() }, Infinity).model;
  });
  const { findGroupTimelineWebviewDir, groupTimelineHtml, readGroupTimelineAssets } = await import('../projections/groups/timeline/timeline-html');
  const assets = readGroupTimelineAssets(findGroupTimelineWebviewDir([join(__dirname, 'webview'), join(__dirname, '..', '..', 'dist', 'webview')]));
  const html = groupTimelineHtml(model, { assets });
  writeFileDurably(out, html, 0o600);
  ctx.io.out(`wrote the unified timeline of ${model.groupId} (${model.lanes.filter((l) => l.depth === 0).length} sessions) to ${out}`);
  return 0;
});

async function withGroups<T>(ctx: CliContext, use: (groups: GroupSummary[]) => T): Promise<T> {
  const prices = workspacePrices(ctx.workspace);
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  if (database === undefined) return use([]);
  try {
    return use(readGroups(database.raw, database.store, Date.now(), prices));
  } finally {
    database.close();
  }
}

async function withStore<T>(ctx: CliContext, use: (database: NonNullable<Awaited<ReturnType<typeof openSnapshot>>>) => T): Promise<T> {
  const database = await openSnapshot(ctx, logbookPaths(ctx.workspace));
  if (database === undefined) throw new LogbookError('GROUP_UNKNOWN', 'no store yet: nothing recorded, so no groups');
  try {
    return use(database);
  } finally {
    database.close();
  }
}

function named(groups: readonly GroupSummary[], given: string): GroupSummary {
  const found = findGroup(groups, given);
  if (!found.ok) throw new LogbookError('GROUP_UNKNOWN', found.problem);
  return found.group;
}
