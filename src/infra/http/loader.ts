/**
 * Loading a dynamic provider's implementation inside its methods.
 *
 * Pulumi serializes a dynamic provider (its methods and everything they capture) into the stack
 * state and runs it in a separate process. The loader returned here captures two strings only and
 * loads the implementation module natively when called:
 *
 * - `require()` of the ES module (Node ≥ 22.12 loads ESM synchronously; Node 24 strips the types):
 *   a literal `import()` would be rewritten by vite/vitest into their own loader, which captures
 *   their whole module graph and cannot be serialized;
 * - the absolute path of the checkout that wrote the state first; when that is gone (a state written
 *   from another checkout: CI clones elsewhere, or `catalyst rollback` ran the program from a
 *   temporary worktree since removed), the same project-relative file in the working directory or
 *   the nearest parent that has it. Pulumi runs providers in the directory of the program's `main`
 *   (`<root>/src` for us), not in the project root, hence the walk up.
 */
export function moduleLoader<T>(absolutePath: string, projectRelativePath: string): () => Promise<T> {
  return async () => {
    const { existsSync } = process.getBuiltinModule('node:fs');
    const { createRequire } = process.getBuiltinModule('node:module');
    const { dirname, resolve } = process.getBuiltinModule('node:path');
    let file = absolutePath;
    if (!existsSync(file)) {
      file = resolve(projectRelativePath);
      for (let dir = process.cwd(); ; dir = dirname(dir)) {
        const candidate = resolve(dir, projectRelativePath);
        if (existsSync(candidate)) {
          file = candidate;
          break;
        }
        if (dirname(dir) === dir) break;
      }
    }
    return createRequire(file)(file) as T;
  };
}
