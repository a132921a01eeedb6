/**
 * Processes of the generated app on this machine: the files of its run directory, whether a pid is
 * still our app, and stopping its process group. Shared by the local target (which starts apps) and
 * the recovery of interrupted Pulumi runs (which stops apps a killed update left behind).
 */
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pid file and log file of an app's run directory. */
export function files(runDir: string): { pidFile: string; logFile: string } {
  return { pidFile: join(runDir, 'app.pid'), logFile: join(runDir, 'app.log') };
}

/** True when `pid` is a live (non-zombie) process that looks like our app. */
export function isAppProcess(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid) || pid <= 1) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but someone else's process, so not ours.
    return false;
  }
  const proc = `/proc/${pid}`;
  if (existsSync(proc)) {
    try {
      const stat = readFileSync(`${proc}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      if (state === 'Z' || state === 'X') return false;
      const cmdline = readFileSync(`${proc}/cmdline`, 'utf8').split('\0');
      return cmdline.includes('app') && cmdline.some((a) => /python/.test(a));
    } catch {
      return false;
    }
  }
  return true;
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (v: boolean) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

/** SIGTERM the app's process group, SIGKILL after `graceMs`; resolves once it is gone. */
export async function stopProcess(pid: number, graceMs = 8000): Promise<void> {
  if (!isAppProcess(pid)) return;
  signalGroup(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAppProcess(pid)) return;
    await sleep(100);
  }
  signalGroup(pid, 'SIGKILL');
  const hard = Date.now() + 5000;
  while (Date.now() < hard && isAppProcess(pid)) await sleep(50);
}
