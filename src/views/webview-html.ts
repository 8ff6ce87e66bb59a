import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { escapeHtml } from '../projections/report-html';

// Every webview page is built here: a strict CSP with a fresh nonce, scripts and styles only from
// the extension's dist/webview folder, nothing remote, no inline script without the nonce.

/** Where webview bundles, codicons and the shared stylesheet are built to. */
export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'webview');
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return { enableScripts: true, localResourceRoots: [webviewRoot(extensionUri)], enableFindWidget: true };
}

export interface WebviewPage {
  /** The bundle name: dist/webview/<view>.js. */
  readonly view: string;
  readonly title: string;
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const root = webviewRoot(extensionUri);
  const asset = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(root, name)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('codicon.css')}" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="${asset('webview.css')}">
<link rel="stylesheet" href="${asset(`${page.view}.css`)}">
<title>${escapeHtml(page.title)}</title>
</head>
<body data-view="${escapeHtml(page.view)}">
<div id="app"></div>
<script nonce="${nonce}">window.litNonce = ${JSON.stringify(nonce)};</script>
<script nonce="${nonce}" src="${asset(`${page.view}.js`)}"></script>
</body>
</html>`;
}
