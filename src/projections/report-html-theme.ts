// An exported report is opened in a plain browser, where VS Code's theme variables do not exist.
// The page's styles use those variables only, so the export defines them: VS Code's Light Modern
// and Dark Modern colours, following the reader's colour scheme.

const LIGHT = `
  --vscode-font-family: system-ui, -apple-system, "Segoe UI", Ubuntu, sans-serif; --vscode-font-size: 13px; --vscode-font-weight: normal;
  --vscode-editor-font-family: ui-monospace, Menlo, Consolas, "DejaVu Sans Mono", monospace; --vscode-editor-font-size: 12px;
  --vscode-foreground: #3b3b3b; --vscode-descriptionForeground: #717171; --vscode-errorForeground: #d32f2f;
  --vscode-editor-background: #ffffff; --vscode-panel-background: #f8f8f8; --vscode-sideBar-background: #f8f8f8;
  --vscode-focusBorder: #005fb8; --vscode-contrastBorder: transparent; --vscode-widget-border: #e5e5e5; --vscode-panel-border: #e5e5e5;
  --vscode-textLink-foreground: #005fb8; --vscode-textCodeBlock-background: #f3f3f3;
  --vscode-button-background: #005fb8; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #0258a8; --vscode-button-border: transparent;
  --vscode-button-secondaryBackground: #e5e5e5; --vscode-button-secondaryForeground: #3b3b3b; --vscode-button-secondaryHoverBackground: #cccccc; --vscode-button-separator: rgba(255,255,255,.4);
  --vscode-input-background: #ffffff; --vscode-input-foreground: #3b3b3b; --vscode-input-border: #cecece; --vscode-input-placeholderForeground: #767676;
  --vscode-settings-textInputBackground: #ffffff; --vscode-settings-textInputForeground: #3b3b3b; --vscode-settings-textInputBorder: #cecece;
  --vscode-settings-checkboxBackground: #f8f8f8; --vscode-settings-checkboxForeground: #3b3b3b; --vscode-settings-checkboxBorder: #cecece; --vscode-settings-headerBorder: #e5e5e5;
  --vscode-inputValidation-errorBackground: #f2dede; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-badge-background: #cccccc; --vscode-badge-foreground: #3b3b3b; --vscode-activityBarBadge-background: #005fb8; --vscode-activityBarBadge-foreground: #ffffff;
  --vscode-panelTitle-activeBorder: #005fb8; --vscode-panelTitle-activeForeground: #3b3b3b; --vscode-panelTitle-inactiveForeground: #3b3b3b;
  --vscode-progressBar-background: #005fb8;
  --vscode-list-activeSelectionBackground: #e8e8e8; --vscode-list-activeSelectionForeground: #000000; --vscode-list-hoverBackground: #f2f2f2;
  --vscode-editorWarning-foreground: #bf8803; --vscode-editorInfo-foreground: #1a85ff; --vscode-testing-iconPassed: #388a34;
  --vscode-charts-foreground: #616161; --vscode-charts-lines: rgba(97,97,97,.5); --vscode-charts-red: #e51400; --vscode-charts-blue: #1a85ff;
  --vscode-charts-yellow: #bf8803; --vscode-charts-orange: #d18616; --vscode-charts-green: #388a34; --vscode-charts-purple: #652d90;`;

const DARK = `
  --vscode-foreground: #cccccc; --vscode-descriptionForeground: #9d9d9d; --vscode-errorForeground: #f85149;
  --vscode-editor-background: #1f1f1f; --vscode-panel-background: #181818; --vscode-sideBar-background: #181818;
  --vscode-focusBorder: #0078d4; --vscode-widget-border: #313131; --vscode-panel-border: #2b2b2b;
  --vscode-textLink-foreground: #4daafc; --vscode-textCodeBlock-background: #2b2b2b;
  --vscode-button-background: #0078d4; --vscode-button-foreground: #ffffff; --vscode-button-hoverBackground: #026ec1;
  --vscode-button-secondaryBackground: #313131; --vscode-button-secondaryForeground: #cccccc; --vscode-button-secondaryHoverBackground: #3c3c3c;
  --vscode-input-background: #313131; --vscode-input-foreground: #cccccc; --vscode-input-border: #3c3c3c; --vscode-input-placeholderForeground: #989898;
  --vscode-settings-textInputBackground: #313131; --vscode-settings-textInputForeground: #cccccc; --vscode-settings-textInputBorder: #3c3c3c;
  --vscode-settings-checkboxBackground: #313131; --vscode-settings-checkboxForeground: #cccccc; --vscode-settings-checkboxBorder: #3c3c3c; --vscode-settings-headerBorder: #2b2b2b;
  --vscode-inputValidation-errorBackground: #5a1d1d; --vscode-inputValidation-errorBorder: #be1100;
  --vscode-badge-background: #616161; --vscode-badge-foreground: #f8f8f8;
  --vscode-panelTitle-activeBorder: #0078d4; --vscode-panelTitle-activeForeground: #cccccc; --vscode-panelTitle-inactiveForeground: #9d9d9d;
  --vscode-list-activeSelectionBackground: #04395e; --vscode-list-activeSelectionForeground: #ffffff; --vscode-list-hoverBackground: #2a2d2e;
  --vscode-editorWarning-foreground: #cca700; --vscode-editorInfo-foreground: #3794ff; --vscode-testing-iconPassed: #73c991;
  --vscode-charts-foreground: #cccccc; --vscode-charts-lines: rgba(204,204,204,.5); --vscode-charts-red: #f14c4c; --vscode-charts-blue: #3794ff;
  --vscode-charts-yellow: #cca700; --vscode-charts-orange: #d18616; --vscode-charts-green: #89d185; --vscode-charts-purple: #b180d7;`;

/** The theme variables of an exported report. */
export const STATIC_THEME_CSS = `:root {${LIGHT}\n}\n@media (prefers-color-scheme: dark) {\n:root {${DARK}\n}\n}\n`;
