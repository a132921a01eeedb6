/**
 * Environment names a project may not set (in project.yaml `env:`/`secrets:`) and a stack may not
 * override (`catalyst:env`): the platform's and the ones Catalyst sets itself.
 */
export function reservedEnvProblem(name: string): string | null {
  if (name === 'PORT') return 'PORT is set by the target (catalyst:port for local/docker)';
  if (name === 'CATALYST_HOST' || name === 'CATALYST_GIT_COMMIT' || name === 'CATALYST_GIT_DIRTY' || /^CATALYST_(PEER_|SCHEDULER|SCHEDULE_LEASE_DIR$)/.test(name)) {
    return `${name} is reserved: Catalyst sets it itself (listen address, git version, peer URLs and keys, the scheduler's mode, token and lease)`;
  }
  if (/^CATALYST_TEST_/.test(name)) return `${name} is reserved for Catalyst's own tests (the schedules' fast clock); a deployed app never takes it`;
  return null;
}
