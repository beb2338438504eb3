import { spawn } from "node:child_process";
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * LocalStack's ready hooks: executable scripts in the init folders run once, in name order, after the
 * server accepts requests, with AWS_ENDPOINT_URL pointing at us. A failing script is reported, not fatal.
 */
export async function runInitScripts(dirs: string[], endpoint: string): Promise<void> {
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      if (!isExecutableFile(path)) continue;
      const code = await run(path, endpoint);
      if (code !== 0) console.error(`[overcast] init script ${path} exited with ${code}`);
    }
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function run(path: string, endpoint: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(path, [], {
      stdio: "inherit",
      env: {
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_DEFAULT_REGION: "us-east-1",
        ...process.env,
        AWS_ENDPOINT_URL: endpoint,
      },
    });
    child.on("error", () => resolve(-1));
    child.on("exit", (code) => resolve(code));
  });
}
