/**
 * A fake fleet for the `report` benchmark, in its own process (so its memory and CPU are not the
 * prober's): one HTTP server per endpoint on 127.0.0.1, answering /health, /version and /metrics
 * like a generated app, in four kinds:
 *   ok       answers at once
 *   slow     answers every request after `slowMs`
 *   hang     accepts the connection and never answers
 *   down     nothing listens (connection refused)
 *
 *   node bench/lib/fleet.ts <ok> <slow> <hang> <down> <slowMs>
 * Prints one line `FLEET {"targets":[{name,url,kind}…]}` when every server listens, then runs until
 * stdin closes or it gets SIGTERM.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const [ok, slow, hang, down, slowMs] = process.argv.slice(2).map(Number);

const health = JSON.stringify({ status: 'ok', project: 'fleet', checks: { secrets: { status: 'ok', detail: 'no secrets declared' } } });
const version = JSON.stringify({ project: 'fleet', contentHash: 'a'.repeat(64), commit: '0123456789abcdef0123456789abcdef01234567', dirty: false, catalyst: '0.1.0' });
// About the size of a small generated app's /metrics (4 workflows, a histogram each).
const metricLines = ['# HELP catalyst_requests_total HTTP requests to public workflows, by response status', '# TYPE catalyst_requests_total counter'];
for (const wf of ['charge', 'invoice', 'lookup', 'tax']) {
  metricLines.push(`catalyst_requests_total{status="200",workflow="${wf}"} 1234.0`, `catalyst_request_errors_total{workflow="${wf}"} 3.0`);
  for (const le of ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1.0', '2.5', '5.0', '10.0', '30.0', '60.0', '+Inf']) {
    metricLines.push(`catalyst_request_duration_seconds_bucket{le="${le}",workflow="${wf}"} 1234.0`);
  }
}
const metrics = `${metricLines.join('\n')}\n`;

function body(url: string | undefined): [number, string, string] {
  if (url === '/health') return [200, 'application/json', health];
  if (url === '/version') return [200, 'application/json', version];
  if (url === '/metrics') return [200, 'text/plain; version=0.0.4', metrics];
  return [404, 'application/json', '{"error":"not_found"}'];
}

const servers: Server[] = [];
const targets: { name: string; url: string; kind: string }[] = [];

function listen(kind: 'ok' | 'slow' | 'hang'): Promise<string> {
  const srv = createServer((req, res) => {
    if (kind === 'hang') return; // never answer
    const [status, type, text] = body(req.url);
    const send = () => res.writeHead(status, { 'content-type': type }).end(text);
    if (kind === 'slow') setTimeout(send, slowMs);
    else send();
  });
  srv.keepAliveTimeout = 1000;
  servers.push(srv);
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`)));
}

/** A port nothing listens on: bound and released (connections to it are refused). */
function closedPort(): Promise<string> {
  const srv = createServer();
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as AddressInfo;
    srv.close(() => resolve(`http://127.0.0.1:${port}`));
  }));
}

let i = 0;
const add = (kind: string, url: string) => targets.push({ name: `${kind}-${String(i++).padStart(3, '0')}.bench`, url, kind });
for (let k = 0; k < ok; k++) add('ok', await listen('ok'));
for (let k = 0; k < slow; k++) add('slow', await listen('slow'));
for (let k = 0; k < hang; k++) add('hang', await listen('hang'));
for (let k = 0; k < down; k++) add('down', await closedPort());
process.stdout.write(`FLEET ${JSON.stringify({ targets })}\n`);

const shutdown = () => {
  for (const s of servers) s.closeAllConnections();
  process.exit(0);
};
process.stdin.on('end', shutdown).resume();
process.on('SIGTERM', shutdown);
