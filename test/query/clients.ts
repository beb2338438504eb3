import { execFile } from "node:child_process";

/**
 * Runs a real AWS client (boto3 through a Python interpreter, or an AWS CLI) against the test server.
 * A missing client rejects, so such tests fail rather than skip: CI installs Debian's awscli and python3-boto3.
 */
export interface ClientRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** pyenv's python3 (boto3 1.43) and AWS CLI v1; Debian's /usr/bin ones are boto3 1.26 and CLI v2.9, which speak query to SQS. */
export const CLIENTS = {
  python: "python3",
  awsV1: "aws",
  debianPython: "/usr/bin/python3",
  debianAws: "/usr/bin/aws",
} as const;

export function runClient(command: string, args: string[], endpoint: string, env: Record<string, string> = {}): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: {
          ...process.env,
          AWS_ACCESS_KEY_ID: "test",
          AWS_SECRET_ACCESS_KEY: "test",
          AWS_DEFAULT_REGION: "us-east-1",
          AWS_ENDPOINT_URL: endpoint,
          AWS_PAGER: "",
          AWS_CONFIG_FILE: "/dev/null",
          AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          ...env,
        },
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== "number") return reject(new Error(`${command} could not run: ${err.message}`));
        resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** Runs a Python snippet that prints one JSON document; returns it parsed. */
export async function runPython<T = unknown>(
  python: string,
  script: string,
  endpoint: string,
  env: Record<string, string> = {},
): Promise<T> {
  const run = await runClient(python, ["-c", script], endpoint, env);
  if (run.code !== 0) throw new Error(`${python} exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

/** Runs an AWS CLI command with JSON output against the endpoint. */
export function runAws(cli: string, args: string[], endpoint: string, env: Record<string, string> = {}): Promise<ClientRun> {
  return runClient(cli, ["--endpoint-url", endpoint, "--output", "json", ...args], endpoint, env);
}
