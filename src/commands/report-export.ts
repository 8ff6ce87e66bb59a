import type { ExtensionContext } from './context';

/** Placeholder: exports a session's report as one self-contained HTML file (built by the report view work). */
export async function exportReportHtml(_ctx: ExtensionContext, _arg?: unknown): Promise<void> {
  throw new Error('exporting the report as HTML is not built yet');
}
