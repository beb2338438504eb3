#!/usr/bin/env node
import { CLI_HELP, optionsFromArgv, optionsFromEnv, resolveOptions } from "./config.js";
import { coverageMarkdown, coverageReport } from "./gateway/coverage.js";
import { startOvercast } from "./index.js";

async function main(argv: string[]): Promise<void> {
  if (argv.includes("-h") || argv.includes("--help")) {
    console.log(CLI_HELP);
    return;
  }
  if (argv[0] === "coverage") {
    const options = resolveOptions(optionsFromEnv(process.env));
    const { SERVICES } = await import("./services/registry.js");
    const ids = options.services ?? SERVICES.map((s) => s.id);
    const report = await coverageReport(ids);
    if (argv.includes("--markdown")) process.stdout.write(coverageMarkdown(report));
    else for (const s of report) console.log(`${s.service.padEnd(16)} ${String(s.implemented.length).padStart(4)} / ${s.total}`);
    return;
  }
  const started = performance.now();
  const cloud = await startOvercast({ ...optionsFromEnv(process.env), ...optionsFromArgv(argv) });
  const { SERVICES } = await import("./services/registry.js");
  const enabled = SERVICES.map((s) => s.id).filter((id) => !cloud.options.services || cloud.options.services.includes(id));
  const unknown = (cloud.options.services ?? []).filter((id) => !SERVICES.some((s) => s.id === id));
  // LocalStack configurations name services we do not have; say so rather than fail.
  if (unknown.length) console.warn(`overcast: not available, ignored: ${unknown.join(", ")}`);
  const lines = [
    `services: ${enabled.join(", ")}`,
    `state: ${cloud.options.dataDir ? `persistent in ${cloud.options.dataDir}` : "in memory"}`,
    ...(cloud.httpsEndpoint ? [`https: ${cloud.httpsEndpoint}`] : []),
    // Last, so that whoever waits for this line has the others too.
    `Overcast ready on ${cloud.endpoint} in ${Math.round(performance.now() - started)} ms`,
  ];
  console.log(lines.join("\n"));
  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping`);
    cloud.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`overcast: ${err.message}`);
  process.exit(1);
});
