import '../shared/elements';
import './style.css';
import { startReport } from './app';
import { embeddedData, livePort, staticPort } from './hosts';

// The session report: in a VS Code webview it talks to the extension host; in an exported HTML file
// (a data block is embedded) the same renderer runs on its own over the embedded data.
const root = document.getElementById('app') as HTMLElement;
const data = embeddedData();
startReport(root, (handlers) => (data === undefined ? livePort(handlers) : staticPort(data, handlers)));
