// Untrusted text (titles, commands, paths, messages from events) shown on one line: control,
// C1 and bidi characters out (a terminal or a tree row would act on them), whitespace runs made
// one space, cut with an ellipsis at `max` characters (code points, so no half of a pair).

export function oneLine(text: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  const chars = [...flat];
  return chars.length <= max ? flat : `${chars.slice(0, max - 1).join('')}…`;
}
