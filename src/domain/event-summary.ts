// One line that says what an event was about, for CLI listings and, later, the views.
// Payloads are untrusted: the result is plain text, bounded, with control characters removed.

const MAX = 120;

export function summarizeEvent(type: string, data: unknown): string {
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const str = (key: string): string | undefined => (typeof d[key] === 'string' ? (d[key] as string) : undefined);
  const input = (typeof d['tool_input'] === 'object' && d['tool_input'] !== null ? d['tool_input'] : {}) as Record<string, unknown>;
  const inputText = ['command', 'file_path', 'notebook_path', 'pattern', 'url', 'description', 'prompt']
    .map((k) => input[k]).find((v): v is string => typeof v === 'string');
  const agent = str('agent_type') ? ` [${str('agent_type')}]` : '';
  switch (type) {
    case 'PreToolUse':
    case 'PostToolUse':
    case 'PermissionRequest':
    case 'PermissionDenied':
      return clean(`${str('tool_name') ?? '?'}${inputText ? ` ${inputText}` : ''}${agent}`);
    case 'PostToolUseFailure':
      return clean(`${str('tool_name') ?? '?'} failed: ${errorText(d['error'])}${agent}`);
    case 'PostToolBatch':
      return clean(`${Array.isArray(d['tool_calls']) ? d['tool_calls'].length : 0} tool call(s)${agent}`);
    case 'UserPromptSubmit':
      return clean(str('prompt') ?? '');
    case 'SessionStart':
      return clean(`source=${str('source') ?? '?'}`);
    case 'SessionEnd':
      return clean(`reason=${str('reason') ?? '?'}`);
    case 'SubagentStart':
    case 'SubagentStop':
      return clean(`${str('agent_type') || '(compaction)'} ${str('agent_id') ?? ''}`);
    case 'PreCompact':
    case 'PostCompact':
      return clean(`trigger=${str('trigger') ?? '?'}`);
    case 'MessageDisplay':
      return clean(str('delta') ?? '');
    case 'Stop':
      return clean(str('last_assistant_message') ?? '');
    case 'InvalidHookInput':
    case 'InvalidInboxEntry':
      return clean(str('reason') ?? '');
    default:
      return clean(str('message') ?? str('reason') ?? str('task_subject') ?? str('file_path') ?? '');
  }
}

// JSON.stringify recurses: an error nested thousands deep would throw out of every view's fold.
function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error ?? '') ?? '';
  } catch {
    return '(an error value nested too deep to show)';
  }
}

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length > MAX ? `${flat.slice(0, MAX - 1)}…` : flat;
}
