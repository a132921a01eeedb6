/**
 * The dashboard's `docker` log reader against a real Docker engine: a container labelled with the
 * stack name (as the docker target labels its container) prints lines, one with a credential; the
 * reader finds the container by its label, sends the recent lines, then the new ones, redacted.
 * Needs Docker and the stand-in image from scripts/setup-docker.sh (fails, never skips, without them).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DOCKER_STACK_LABEL } from '../../src/contracts/logs.ts';
import { dockerLogStream, type LogLine } from '../../src/report/dashboard/logs.ts';
import { docker, dockerOk, requireDocker, STANDIN_IMAGE } from '../helpers/docker.ts';

const STACK = `dashlogs-${process.pid}.test`;
const NAME = `catalyst-dashlogs-${process.pid}`;

afterAll(async () => {
  await docker(['rm', '-f', NAME], { timeoutMs: 60_000 });
});

describe('dashboard logs from a docker container', () => {
  it('finds the container by its stack label and streams its lines, redacted', async () => {
    requireDocker();
    const script = 'print("booted", flush=True)\nprint("calling with Authorization: Bearer sk-live-0123456789abcdef", flush=True)\nimport time\nfor i in range(60):\n    time.sleep(0.5)\n    print(f"tick {i}", flush=True)\n';
    await dockerOk(['run', '-d', '--network', 'host', '--name', NAME, '--label', `${DOCKER_STACK_LABEL}=${STACK}`, STANDIN_IMAGE, 'python3', '-c', script], { timeoutMs: 120_000 });
    const got: LogLine[] = [];
    const errors: string[] = [];
    const stop = dockerLogStream(STACK).start((l) => got.push(...l), (e) => errors.push(e));
    try {
      await expect.poll(() => got.map((l) => l.text).includes('tick 2'), { timeout: 30_000, interval: 200 }).toBe(true);
      const texts = got.map((l) => l.text);
      expect(texts[0]).toBe('booted');
      expect(texts[1]).toBe('calling with Authorization: [redacted]');
      expect(texts.join('\n')).not.toContain('sk-live-0123456789abcdef');
      expect(errors).toEqual([]);
    } finally {
      stop();
    }
    const none: string[] = [];
    const stop2 = dockerLogStream('no-such-stack.test').start(() => {}, (e) => none.push(e));
    await expect.poll(() => none[0], { timeout: 20_000 }).toBe(`no running container labelled ${DOCKER_STACK_LABEL}=no-such-stack.test`);
    stop2();
  }, 180_000);
});
