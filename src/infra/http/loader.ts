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
 * - the absolute path of this checkout first, else the same file relative to the working
 *   directory (Pulumi runs providers in the project root): a stack state written from another
 *   checkout (CI clones elsewhere) still finds the code when it deletes old resources.
 */
export function moduleLoader<T>(absolutePath: string, projectRelativePath: string): () => Promise<T> {
  return async () => {
    const { existsSync } = process.getBuiltinModule('node:fs');
    const { createRequire } = process.getBuiltinModule('node:module');
    const { resolve } = process.getBuiltinModule('node:path');
    const file = existsSync(absolutePath) ? absolutePath : resolve(projectRelativePath);
    return createRequire(file)(file) as T;
  };
}
