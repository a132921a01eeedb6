// Smoke-test program for the project's Pulumi engine (tools/pulumi-build/smoke/run.sh).
// TypeScript ESM, run by Node 24's built-in type stripping (Pulumi.yaml: typescript: false),
// so only erasable TypeScript syntax may be used here.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";

interface FileInputs {
  path: string;
  content: string;
}

// A dynamic provider's methods are serialized into the state as JavaScript source and run
// later by pulumi-resource-pulumi-nodejs, so they must not capture ESM namespace imports
// (`import * as fs` above cannot be serialized); they import what they need themselves.
const fileProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: FileInputs) {
    const fs = await import("node:fs");
    fs.writeFileSync(inputs.path, inputs.content);
    return { id: inputs.path, outs: { ...inputs, size: inputs.content.length } };
  },
  async diff(_id: string, olds: FileInputs, news: FileInputs) {
    const replaces = olds.path !== news.path ? ["path"] : [];
    return { changes: olds.content !== news.content || replaces.length > 0, replaces };
  },
  async update(_id: string, _olds: FileInputs, news: FileInputs) {
    const fs = await import("node:fs");
    fs.writeFileSync(news.path, news.content);
    return { outs: { ...news, size: news.content.length } };
  },
  async delete(id: string) {
    const fs = await import("node:fs");
    fs.rmSync(id, { force: true });
  },
};

class SmokeFile extends pulumi.dynamic.Resource {
  declare readonly size: pulumi.Output<number>;
  constructor(
    name: string,
    args: { path: pulumi.Input<string>; content: pulumi.Input<string> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(fileProvider, name, { ...args, size: undefined }, opts);
  }
}

const config = new pulumi.Config();
const target = path.join(process.cwd(), "out", "hello.txt");
fs.mkdirSync(path.dirname(target), { recursive: true });

const file = new SmokeFile("hello", { path: target, content: `hello from ${pulumi.getStack()}\n` });

export const filePath = file.id;
export const fileSize = file.size;
export const nodeVersion = process.version;
export const secretSet = config.getSecret("x") !== undefined;

// Only when the `command` resource plugin is installed (see docs/engine.md).
let commandStdout: pulumi.Input<string> = "skipped: no command plugin";
if (config.getBoolean("withCommand")) {
  const command = await import("@pulumi/command");
  commandStdout = new command.local.Command("echo", { create: "echo hello-from-command" }).stdout;
}
export const echoStdout = commandStdout;
