import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../src/protocol/channel';
import { MAX_LOG_WINDOW, MAX_QUERY_POSITIONS } from '../../src/protocol/event-log';
import { reportWebviewMessage } from '../../src/protocol/report';
import { emptyQuery } from '../../src/projections/event-log';

// The report webview's messages are untrusted (the page renders event text): the host accepts
// exactly the documented shapes and says which field is wrong otherwise.

const parse = (raw: unknown): ReturnType<typeof parseWebviewMessage> => parseWebviewMessage(reportWebviewMessage, raw, 'report');
const query = { ...emptyQuery, text: 'bash', type: ['PreToolUse'], outcome: ['failed', 'denied'] };

test('report messages: every documented message is accepted as sent', () => {
  const good: unknown[] = [
    { type: 'log/query', query, offset: 0, limit: 200 },
    { type: 'log/query', query: { ...emptyQuery, positions: [1, 2, 3] }, offset: 120, limit: MAX_LOG_WINDOW },
    { type: 'log/window', offset: 99_000, limit: 1 },
    { type: 'log/select', position: 42 },
    { type: 'log/select', position: null },
    { type: 'discuss/copy' },
    { type: 'discuss/terminal' },
    { type: 'export/html' },
  ];
  for (const message of good) {
    const parsed = parse(message);
    assert.ok(parsed.ok, `${JSON.stringify(message)}: ${parsed.ok ? '' : parsed.problem}`);
    assert.deepEqual(parsed.message, message);
  }
});

test('report messages: a bad message is refused with a problem naming the view, the type and the field', () => {
  const bad: [unknown, RegExp][] = [
    [{ type: 'log/query', offset: 0, limit: 10 }, /^report view sent an invalid message "log\/query": message\.query: /],
    [{ type: 'log/query', query: { ...query, text: 7 }, offset: 0, limit: 10 }, /message\.query\.text: /],
    [{ type: 'log/query', query: { ...query, text: 'x'.repeat(501) }, offset: 0, limit: 10 }, /message\.query\.text: /],
    [{ type: 'log/query', query: { ...query, tool: 'Bash' }, offset: 0, limit: 10 }, /message\.query\.tool: /],
    [{ type: 'log/query', query: { ...query, type: Array.from({ length: 201 }, (_, i) => `T${i}`) }, offset: 0, limit: 10 }, /message\.query\.type: /],
    [{ type: 'log/query', query: { ...query, positions: [1, -2] }, offset: 0, limit: 10 }, /message\.query\.positions\.1: /],
    [{ type: 'log/query', query: { ...query, positions: Array.from({ length: MAX_QUERY_POSITIONS + 1 }, (_, i) => i + 1) }, offset: 0, limit: 10 }, /message\.query\.positions: /],
    [{ type: 'log/query', query: { ...query, extra: true }, offset: 0, limit: 10 }, /message\.query: .*extra/],
    [{ type: 'log/query', query, offset: -1, limit: 10 }, /message\.offset: /],
    [{ type: 'log/window', offset: 0, limit: 0 }, /"log\/window": message\.limit: /],
    [{ type: 'log/window', offset: 0, limit: MAX_LOG_WINDOW + 1 }, /message\.limit: /],
    [{ type: 'log/window', offset: 1.5, limit: 10 }, /message\.offset: /],
    [{ type: 'log/select', position: '3' }, /message\.position: /],
    [{ type: 'log/select' }, /message\.position: /],
    [{ type: 'discuss/copy', prompt: 'text from the page' }, /"discuss\/copy": message: .*prompt/],
    [{ type: 'openReport', sessionId: 'x' }, /"openReport": message\.type: /],
    [{ offset: 1 }, /without a type: message\.type: /],
    ['log/select', /without a type: message: /],
  ];
  for (const [message, problem] of bad) {
    const parsed = parse(message);
    assert.equal(parsed.ok, false, JSON.stringify(message).slice(0, 200));
    if (!parsed.ok) assert.match(parsed.problem, problem, JSON.stringify(message).slice(0, 200));
  }
});
