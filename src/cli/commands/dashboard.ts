import { join } from 'node:path';
import { projectDependencies } from '../../pulumi/stacks.ts';
import { loadWorkspaceOrThrow } from '../../definitions/load.ts';
import { DashboardHub } from '../../report/dashboard/hub.ts';
import { logSourceFor } from '../../report/dashboard/logs.ts';
import { isLoopback, startDashboardServer } from '../../report/dashboard/server.ts';
import { runRound } from '../../report/report.ts';
import { flagString } from '../args.ts';
import { COMMON_USAGE, intervalFlag, loadHistory, parseCommon, RoundInputs, waitForStop } from '../report-shared.ts';
import { CliError, type Command } from '../types.ts';

export const DEFAULT_PORT = 4680;
export const DEFAULT_INTERVAL_MS = 60_000;
/** Stack outputs and deployment histories are re-read every this many rounds. */
const REFRESH_EVERY = 10;

export const command: Command = {
  name: 'dashboard',
  summary: 'a live dashboard of every project: status, metrics and logs, updated on every probe round',
  usage: `Usage: catalyst dashboard [options]

Serves a read-only web page on this machine that shows every project with its environments, grouped
by project: health (pushed to the page after every probe round, no reload), request rate, error rate
and p50/p95 latency per workflow, deployments, drift against HEAD, callee problems, and live logs.
The probes, thresholds and history are those of \`catalyst report\` (see docs/report.md): one probe
round per interval however many pages are open. Stops on Ctrl-C (SIGINT) or SIGTERM.

  --port <n>               port (default ${DEFAULT_PORT}; 0 = any free port)
  --host <addr>            address to listen on (default 127.0.0.1); any non-loopback address
                           requires CATALYST_DASHBOARD_TOKEN, checked on every request
  --interval <dur>         time between probe rounds (default 60s; bare number = seconds)

${COMMON_USAGE}
Exit codes: 0 stopped, 2 usage or input error.
`,
  async run(argv, ctx) {
    const { args, options } = parseCommon(argv, ctx, { values: ['port', 'host', 'interval'] });
    const intervalMs = intervalFlag(args, DEFAULT_INTERVAL_MS);
    const portText = flagString(args, 'port');
    const port = portText === undefined ? DEFAULT_PORT : Number(portText);
    if (!/^\d+$/.test(portText ?? '0') || port > 65535) throw new CliError(`--port must be a port number from 0 to 65535 (got "${portText}")`);
    const host = flagString(args, 'host') ?? '127.0.0.1';
    const token = ctx.env.CATALYST_DASHBOARD_TOKEN || undefined;
    if (!isLoopback(host) && !token) throw new CliError(`--host ${host} is reachable from other machines: set CATALYST_DASHBOARD_TOKEN (a long random string) first; the page then asks for it`);
    if (token && token.length < 16) throw new CliError('CATALYST_DASHBOARD_TOKEN is too short: use at least 16 random characters');

    const inputs = await RoundInputs.open(options, ctx, REFRESH_EVERY);
    const history = loadHistory(options, ctx);
    let deps: ReadonlyMap<string, readonly string[]> = new Map();
    const readDeps = () => {
      try {
        deps = projectDependencies(loadWorkspaceOrThrow(join(ctx.cwd, 'projects'), { base: ctx.cwd }));
      } catch {
        ctx.stderr('warning: the definitions under projects/ do not load; callee problems are shown from the apps\' own failed calls only\n');
      }
    };
    readDeps();
    const hub = new DashboardHub({
      intervalMs,
      dependencies: () => deps,
      logSource: (s) => logSourceFor(s, { root: ctx.cwd, env: ctx.env }),
      onError: (err) => ctx.stderr(`warning: probe round failed: ${(err as Error).message}\n`),
      round: async (onProbes, signal) => {
        await inputs.next(readDeps);
        return runRound({ stacks: inputs.stacks, deploys: inputs.deploys, history, drift: inputs.drift, settings: options.settings, signal, onProbes });
      },
    });
    let server;
    try {
      server = await startDashboardServer({ hub, host, port, token });
    } catch (err) {
      await hub.close();
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EADDRINUSE') throw new CliError(`port ${port} is in use: pick another with --port <n> (0 = any free port)`);
      if (e.code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${host}: not an address of this machine`);
      throw err;
    }
    ctx.stdout(`catalyst dashboard: ${server.url}  (${inputs.stacks.length} stacks, probed every ${intervalMs / 1000} s; Ctrl-C to stop)\n`);
    hub.start();
    await waitForStop(ctx);
    await server.close();
    await hub.close();
    ctx.stdout('catalyst dashboard: stopped\n');
    return 0;
  },
};
