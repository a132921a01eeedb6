import { afterAll, describe, it } from 'vitest';
import { cleanupTemp } from '../helpers/cli-workspace.ts';
import { expectDiag, wfDiags } from '../helpers/definitions.ts';

afterAll(cleanupTemp);

/** Finding 6: header names are validated as HTTP tokens (respond headers, httpRequest headers, auth.header). */
describe('header names', () => {
  const bad = ['X Out', 'X-Out:', 'X\tTab', 'Ünïcode', '', 'a(b)', 'a/b', 'X-"q"', 'a\u0000b'];
  for (const name of bad) {
    it(`respond header ${JSON.stringify(name)} is refused, positioned`, () => {
      expectDiag(wfDiags(`nodes:\n  - id: r\n    type: respond\n    headers: { ${JSON.stringify(name)}: v }\n`), /a header name is an HTTP token/, { line: 6 });
    });
    it(`httpRequest header ${JSON.stringify(name)} is refused`, () => {
      expectDiag(wfDiags(`nodes:\n  - id: h\n    type: httpRequest\n    url: https://example.com/x\n    headers: { ${JSON.stringify(name)}: v }\n  - { id: r, type: respond }\n`), /a header name is an HTTP token/);
    });
  }
  it('auth.header must be a token too', () => {
    expectDiag(wfDiags('nodes:\n  - id: h\n    type: httpRequest\n    url: https://example.com/x\n    auth: { secret: API_KEY, scheme: header, header: "X Api Key" }\n  - { id: r, type: respond }\n'), /a header name is an HTTP token/);
  });
  it("tokens with !#$%&'*+.^_`|~- pass", () => {
    const ds = wfDiags("nodes:\n  - id: r\n    type: respond\n    headers: { \"X-Ok_1.a!#$%&'*+^`|~\": v, Content-Type: text/plain }\n");
    if (ds.length) throw new Error(ds.map((d) => d.message).join('\n'));
  });
});
