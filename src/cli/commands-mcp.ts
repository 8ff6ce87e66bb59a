import { resolve } from 'node:path';
import { defineCommand } from './options';

/**
 * `logbook mcp [--workspace DIR]`: the MCP server on stdin/stdout until the client closes stdin.
 * Without --workspace, Claude Code's CLAUDE_PROJECT_DIR (set for project MCP servers since
 * 2.1.141), the directory the hooks record into; else the working directory.
 */
export const mcpCommand = defineCommand({}, async (ctx) => {
  const fromClaude = process.env['CLAUDE_PROJECT_DIR'];
  const workspace = !ctx.args.flags.has('workspace') && fromClaude !== undefined && fromClaude !== '' ? resolve(fromClaude) : ctx.workspace;
  // Loaded here, not at the top: the other commands do not pay for the MCP SDK.
  const { serveStdio } = await import('../mcp/server');
  // stderr only: stdout belongs to the protocol (Claude Code keeps stderr in its MCP log).
  ctx.io.err(`logbook mcp: serving ${workspace}`);
  await serveStdio(workspace);
  return 0;
});
