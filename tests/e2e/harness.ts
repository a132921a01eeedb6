/**
 * Harness of the end-to-end tests with the real Pulumi engine (tests/e2e/*.test.ts).
 *
 * Each suite works in a temporary copy of the repository: projects/, stacks/, src/, templates/,
 * bin/, scripts/, tools/pulumi-build/, Pulumi.yaml, package.json, committed to a fresh git repository.
 * node_modules and .tools/pulumi (the engine) are symlinked, and so is .cache/venvs (the apps'
 * virtualenvs, so they are built once per machine). The copy has its own file backend
 * (<copy>/.pulumi-state), its own PULUMI_HOME and its own ports, set as `catalyst:port` in the stack
 * files. So the tests never touch the developer's .pulumi-state or running demo. Everything the
 * suite starts runs with its working directory or command line inside the copy, and cleanup()
 * stops exactly those processes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { findPython } from '../../src/codegen/python-env.ts';
import { pulumiEnv, realRunner, type RunResult } from '../../src/pulumi/pulumi.ts';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ENGINE_DIR = join(REPO, '.tools', 'pulumi', 'bin');

/** The engine must be built: a missing engine fails the suite (never skips it) with the command to run. */
export function requirePulumiEngine(): void {
  const missing = ['pulumi', 'pulumi-language-nodejs', 'pulumi-resource-pulumi-nodejs'].filter((b) => !existsSync(join(ENGINE_DIR, b)));
  if (missing.length) {
    throw new Error(
      `the Pulumi engine is missing (${missing.map((b) => `.tools/pulumi/bin/${b}`).join(', ')}): run \`bash scripts/setup-engine.sh\` in ${REPO} ` +
        '(builds it from Go modules; 5-20 min the first time, then cached; see docs/engine.md)',
    );
  }
  findPython(); // throws with the install hint when there is no Python >= 3.11
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (bound, read, closed). */
export function freePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolveP(port));
    });
  });
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveP) => {
    const sock = connect({ host, port });
    const done = (v: boolean) => {
      sock.destroy();
      resolveP(v);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** True when pid is a live process (zombies count as dead). */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
  } catch {
    return false;
  }
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export interface HttpAnswer {
  status: number;
  body: any;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal: AbortSignal.timeout(20_000) });
  const text = await r.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body: parsed };
}

/** A stand-in for the ticketing API that support-bot's /tickets calls: records every request. */
export class FakeTickets {
  readonly requests: { method: string; url: string; authorization: string | undefined; source: string | undefined; body: any }[] = [];
  private server: Server | undefined;
  port = 0;

  async start(port: number): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.setEncoding('utf8').on('data', (d: string) => (data += d));
      req.on('end', () => {
        let body: unknown = data;
        try {
          body = JSON.parse(data);
        } catch {
          /* keep text */
        }
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization, source: req.headers['x-source'] as string | undefined, body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `T-${this.requests.length}` }));
      });
    });
    await new Promise<void>((r, j) => {
      this.server!.once('error', j);
      this.server!.listen(port, '127.0.0.1', () => r());
    });
    this.port = port;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Copied into the temporary repository (everything the program, the CLI and scripts/up.sh need). */
const COPY = ['projects', 'stacks', 'src', 'templates', 'bin', 'scripts', 'tools/pulumi-build', 'Pulumi.yaml', 'package.json', '.gitignore'];

export class E2eRepo {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;
  /** Everything the CLI and scripts printed, for failure messages and the secret scan. */
  transcript = '';

  private constructor(dir: string) {
    this.dir = dir;
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: process.env.LANG ?? 'C.UTF-8',
      ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
      ...(process.env.CATALYST_PYTHON ? { CATALYST_PYTHON: process.env.CATALYST_PYTHON } : {}),
      // Never the developer's backend, home or passphrase: the copy's own.
      PULUMI_BACKEND_URL: `file://${join(dir, '.pulumi-state')}`,
      PULUMI_HOME: join(dir, '.tools', 'pulumi-home'),
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    };
  }

  static create(): E2eRepo {
    const dir = mkdtempSync(join(tmpdir(), 'catalyst-e2e-'));
    const repo = new E2eRepo(dir);
    for (const p of COPY) cpSync(join(REPO, p), join(dir, p), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, '.tools', 'pulumi-home'), { recursive: true });
    symlinkSync(join(REPO, '.tools', 'pulumi'), join(dir, '.tools', 'pulumi'));
    mkdirSync(join(REPO, '.cache', 'venvs'), { recursive: true });
    mkdirSync(join(dir, '.cache'), { recursive: true });
    symlinkSync(join(REPO, '.cache', 'venvs'), join(dir, '.cache', 'venvs'));
    const git = (...args: string[]) => {
      const r = spawnSync('git', ['-c', 'user.name=catalyst-e2e', '-c', 'user.email=e2e@catalyst.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}: ${r.stderr}`);
    };
    git('init', '-q', '-b', 'main');
    writeFileSync(join(dir, '.git', 'info', 'exclude'), 'node_modules\n.tools\n.cache\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'e2e copy');
    return repo;
  }

  path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  /** `catalyst <argv>` in-process (coverage counts), bounded: on timeout our processes are stopped. */
  async cli(argv: string[], timeoutMs = 180_000): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const started = Date.now();
    this.transcript += `\n$ catalyst ${argv.join(' ')}\n`;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<number>((_, reject) => {
      timer = setTimeout(() => {
        this.killOurProcesses('SIGKILL');
        reject(new Error(`catalyst ${argv.join(' ')} did not finish within ${timeoutMs} ms; output:\n${(stdout + stderr).slice(-4000)}`));
      }, timeoutMs);
    });
    try {
      const code = await Promise.race([
        main(argv, {
          cwd: this.dir,
          env: this.env,
          isTTY: false,
          stdout: (t) => void (stdout += t),
          stderr: (t) => void (stderr += t),
        }),
        timeout,
      ]);
      return { code, stdout, stderr, ms: Date.now() - started };
    } finally {
      clearTimeout(timer);
      this.transcript += stdout + stderr;
    }
  }

  /** `catalyst <argv>` as a child process (`node bin/catalyst.js` of the copy). */
  spawnCli(argv: string[]): ChildProcess & { output: () => string } {
    const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), [join(this.dir, 'bin', 'catalyst.js'), ...argv], { cwd: this.dir, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('close', () => (this.transcript += `\n$ catalyst ${argv.join(' ')} (child)\n${out}`));
    return Object.assign(child, { output: () => out });
  }

  /** A shell script of the copy (scripts/up.sh …), bounded. */
  script(file: string, args: string[], timeoutMs: number): Promise<CliRun> {
    const started = Date.now();
    return new Promise((resolveP, reject) => {
      const child = spawn('bash', [join(this.dir, file), ...args], { cwd: this.dir, env: { ...this.env, PATH: `${join(REPO, 'node_modules', '.bin')}:${this.env.PATH}` }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        this.killOurProcesses('SIGKILL');
        reject(new Error(`${file} did not finish within ${timeoutMs} ms; output:\n${(stdout + stderr).slice(-4000)}`));
      }, timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        this.transcript += `\n$ ${file} ${args.join(' ')}\n${stdout}${stderr}`;
        resolveP({ code: code ?? 1, stdout, stderr, ms: Date.now() - started });
      });
    });
  }

  /** The pulumi CLI on one stack of the copy, with Catalyst's environment for it. */
  async pulumi(args: string[], stack: string, timeoutMs = 60_000): Promise<RunResult> {
    const run = realRunner(join(ENGINE_DIR, 'pulumi'));
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        run([...args, '--stack', stack, '--non-interactive'], { cwd: this.dir, env: pulumiEnv(this.dir, stack, this.env) }),
        new Promise<RunResult>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`pulumi ${args.join(' ')} --stack ${stack} did not finish within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async pulumiOk(args: string[], stack: string): Promise<string> {
    const r = await this.pulumi(args, stack);
    if (r.code !== 0) throw new Error(`pulumi ${args.join(' ')} --stack ${stack} failed (${r.code}): ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  /** The newest entry of `pulumi stack history`. */
  async lastUpdate(stack: string): Promise<{ kind: string; result: string; resourceChanges?: Record<string, number> }> {
    const list = JSON.parse(await this.pulumiOk(['stack', 'history', '--json', '--page-size', '1'], stack)) as { kind: string; result: string; resourceChanges?: Record<string, number> }[];
    return list[0];
  }

  /** The checkpoint of a stack in the copy's file backend. */
  checkpoint(stack: string): { resources?: { urn: string; type: string }[]; pending_operations?: { type: string; resource: { urn: string } }[] } {
    const f = this.path('.pulumi-state', '.pulumi', 'stacks', 'catalyst', `${stack}.json`);
    return (JSON.parse(readFileSync(f, 'utf8')) as { checkpoint: { latest: any } }).checkpoint.latest ?? {};
  }

  /** Lock files of a stack in the copy's file backend, with the pid that took each. */
  locks(stack: string): { file: string; pid: number }[] {
    const d = this.path('.pulumi-state', '.pulumi', 'locks', 'organization', 'catalyst', stack);
    if (!existsSync(d)) return [];
    return readdirSync(d)
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ file: join(d, f), pid: (JSON.parse(readFileSync(join(d, f), 'utf8')) as { pid: number }).pid }));
  }

  runDir(stack: string): string {
    return this.path('.catalyst', 'run', stack);
  }

  /** The app's pid from .catalyst/run/<stack>/app.pid. */
  pid(stack: string): number | undefined {
    try {
      const n = Number(readFileSync(join(this.runDir(stack), 'app.pid'), 'utf8').trim());
      return Number.isInteger(n) && n > 1 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** Set `catalyst:<key>` in stacks/Pulumi.<stack>.yaml, keeping comments and the encryption salt. */
  setStackConfig(stack: string, key: string, value: unknown): void {
    const file = this.path('stacks', `Pulumi.${stack}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.setIn(['config', `catalyst:${key}`], value);
    writeFileSync(file, doc.toString());
  }

  /** Replace text in a file of the copy (must match exactly once). */
  edit(rel: string, from: string, to: string): void {
    const file = this.path(rel);
    const text = readFileSync(file, 'utf8');
    if (text.split(from).length !== 2) throw new Error(`${rel}: expected exactly one "${from}"`);
    writeFileSync(file, text.replace(from, to));
  }

  /**
   * Processes that belong to this copy: working directory inside it (the apps, pulumi's plugins) or
   * the copy's path on the command line (the venv python, the language host).
   */
  ourProcesses(): { pid: number; cmd: string }[] {
    const found: { pid: number; cmd: string }[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const pid = Number(entry);
      if (pid === process.pid) continue;
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        let cwd = '';
        try {
          cwd = readlinkSync(`/proc/${pid}/cwd`);
        } catch {
          /* gone or not ours to read */
        }
        const inside = (p: string) => p === this.dir || p.startsWith(`${this.dir}/`);
        if ((inside(cwd) || cmd.includes(`${this.dir}/`)) && alive(pid)) found.push({ pid, cmd });
      } catch {
        /* exited meanwhile */
      }
    }
    return found;
  }

  killOurProcesses(sig: NodeJS.Signals = 'SIGKILL', filter: (cmd: string) => boolean = () => true): number[] {
    const killed: number[] = [];
    for (const p of this.ourProcesses().filter((x) => filter(x.cmd))) {
      try {
        process.kill(p.pid, sig);
        killed.push(p.pid);
      } catch {
        /* gone */
      }
    }
    return killed;
  }

  /** Files under the copy's own directories (symlinks, e.g. node_modules, are not followed). */
  files(rel: string): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      let entries: string[] = [];
      try {
        entries = readdirSync(d);
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(d, e);
        const st = lstatSync(p);
        if (st.isSymbolicLink()) continue;
        if (st.isDirectory()) walk(p);
        else if (st.isFile()) out.push(p);
      }
    };
    walk(this.path(rel));
    return out;
  }

  /** Stops everything of this copy (the engine first, if a suite left it running), then removes it. */
  async cleanup(): Promise<void> {
    for (let i = 0; i < 3 && this.ourProcesses().length; i++) {
      this.killOurProcesses('SIGKILL');
      await sleep(300);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A value that cannot appear by accident. */
export function plantedSecret(): string {
  return `e2e-planted-${randomBytes(12).toString('hex')}`;
}
