import { describe, expect, it } from 'vitest';
import { emptyStack, isStackName, readOutputsMap, readStackOutputs, safeUrl, splitStackName } from '../../src/report/contract.ts';
import { outputsFor } from '../integration/report-helpers.ts';

describe('readStackOutputs', () => {
  it('reads every contract field', () => {
    const info = readStackOutputs(
      'support-bot.prod',
      outputsFor('support-bot.prod', 'https://bot.example.com/', {
        healthUrl: 'https://bot.example.com/health',
        target: 'cloudrun',
        region: 'europe-west1',
        imageRef: 'europe-docker.pkg.dev/p/r/support-bot@sha256:' + 'd'.repeat(64),
        imageDigest: 'sha256:' + 'd'.repeat(64),
        uptimeCheckId: 'projects/p/uptimeCheckConfigs/support-bot-prod',
        consoleUrl: 'https://console.cloud.google.com/run/detail/europe-west1/support-bot?project=p',
        logsUrl: 'https://console.cloud.google.com/logs/query?project=p',
        publicRoutes: [
          { workflow: 'b', method: 'post', path: '/b' },
          { workflow: 'a', method: 'GET', path: '/a' },
          { workflow: 'a', method: 'DELETE', path: '/a' },
        ],
      }),
    );
    expect(info).toMatchObject({
      name: 'support-bot.prod',
      project: 'support-bot',
      env: 'prod',
      target: 'cloudrun',
      region: 'europe-west1',
      url: 'https://bot.example.com',
      healthUrl: 'https://bot.example.com/health',
      problem: null,
      version: { commit: 'a'.repeat(40), branch: 'main', dirty: false },
    });
    expect(info.publicRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /a', 'GET /a', 'POST /b']);
    expect(info.workflows.map((w) => w.name)).toEqual(['answer', 'summarize']);
    expect(info.consoleUrl).toContain('console.cloud.google.com');
  });

  it('reads a Railway stack like any other (target, region, console and logs URLs)', () => {
    const info = readStackOutputs(
      'billing.prod',
      outputsFor('billing.prod', 'https://billing-production-a1b2.up.railway.app', {
        target: 'railway',
        region: 'europe-west4-drams3a',
        imageRef: 'ghcr.io/acme/billing@sha256:' + 'e'.repeat(64),
        consoleUrl: 'https://railway.com/project/p1/service/s1?environmentId=e1',
        logsUrl: 'https://railway.com/project/p1/logs?environmentId=e1',
      }),
    );
    expect(info).toMatchObject({
      target: 'railway',
      region: 'europe-west4-drams3a',
      url: 'https://billing-production-a1b2.up.railway.app',
      problem: null,
      consoleUrl: 'https://railway.com/project/p1/service/s1?environmentId=e1',
      logsUrl: 'https://railway.com/project/p1/logs?environmentId=e1',
    });
  });

  it('ignores unknown fields and invalid values (the redaction rule)', () => {
    const info = readStackOutputs('x.dev', {
      url: 'http://admin:hunter2@127.0.0.1:8080/',
      dbPassword: 'hunter2',
      target: 'mainframe',
      region: 'eu west <script>',
      version: { commit: 'not a sha', branch: 'main; rm -rf', dirty: 'yes', token: 'hunter2' },
      consoleUrl: 'javascript:alert(1)',
      logsUrl: 'ftp://example.com',
      workflows: [{ name: 'ok', visibility: 'public' }, { name: 'bad name!', visibility: 'public' }, { name: 'x', visibility: 'secret' }, null],
      publicRoutes: [{ workflow: 'ok', method: 'TRACE', path: '/x' }, { workflow: 'ok', method: 'GET', path: 'no-slash' }, 'junk'],
      imageRef: 'x'.repeat(400),
      imageDigest: 'sha256:short',
      contentHash: 'XYZ',
    });
    expect(JSON.stringify(info)).not.toContain('hunter2');
    expect(info).toMatchObject({
      url: 'http://127.0.0.1:8080',
      target: null,
      region: null,
      consoleUrl: null,
      logsUrl: null,
      imageRef: null,
      imageDigest: null,
      contentHash: null,
      version: { commit: null, branch: null, dirty: null },
      workflows: [{ name: 'ok', visibility: 'public' }],
      publicRoutes: [],
    });
  });

  it('reports a problem when there is no usable url', () => {
    expect(readStackOutputs('x.dev', { url: 'not a url' }).problem).toMatch(/no valid `url`/);
    expect(readStackOutputs('x.dev', null).problem).toBe('stack outputs are not an object');
    expect(readStackOutputs('x.dev', []).problem).toBe('stack outputs are not an object');
    expect(emptyStack('a.b.c', 'why')).toMatchObject({ project: 'a.b', env: 'c', problem: 'why', url: null });
  });
});

describe('helpers', () => {
  it('safeUrl', () => {
    expect(safeUrl('https://u:p@h.example/x?y=1')).toBe('https://h.example/x?y=1');
    expect(safeUrl('data:text/html,hi')).toBeNull();
    expect(safeUrl(42)).toBeNull();
    expect(safeUrl(`https://h/${'x'.repeat(3000)}`)).toBeNull();
  });
  it('stack names', () => {
    expect(splitStackName('support-bot.prod')).toEqual({ project: 'support-bot', env: 'prod' });
    expect(splitStackName('nodot')).toEqual({ project: 'nodot', env: '' });
    expect(isStackName('a.prod')).toBe(true);
    expect(isStackName('../etc')).toBe(false);
  });
  it('readOutputsMap sorts stacks and rejects bad shapes', () => {
    expect(readOutputsMap({ 'b.prod': {}, 'a.prod': {} }).map((s) => s.name)).toEqual(['a.prod', 'b.prod']);
    expect(() => readOutputsMap([])).toThrow(/object mapping each stack name/);
    expect(() => readOutputsMap({ 'bad name': {} })).toThrow(/invalid stack name/);
  });
});
