/**
 * The one Options type. CLI flags and environment variables map onto it here and nowhere else;
 * LocalStack's variable names are accepted where they mean the same thing.
 */
export type LogLevel = "quiet" | "info" | "debug";

export interface Options {
  /** Interface to listen on. Env OVERCAST_HOST (LocalStack: GATEWAY_LISTEN's host). */
  host: string;
  /** Port; 0 picks a free one. Env OVERCAST_PORT (LocalStack: GATEWAY_LISTEN's port). */
  port: number;
  /** Persistent state directory; in-memory when unset. Env OVERCAST_DATA_DIR (LocalStack: PERSISTENCE=1 + DATA_DIR). */
  dataDir?: string;
  /** Services to serve; all when unset. Env OVERCAST_SERVICES / SERVICES, comma-separated. */
  services?: string[];
  /** `quiet` logs only start-up and errors; `info` logs one line per request. Env OVERCAST_LOG / LS_LOG. */
  logLevel: LogLevel;
  /** Region used when a request carries none (unsigned requests). Env OVERCAST_DEFAULT_REGION / DEFAULT_REGION. */
  defaultRegion: string;
  /** Verify SigV4 signatures against known keys. Env OVERCAST_ENFORCE_SIGNATURES=1. */
  enforceSignatures: boolean;
  /** Authorize every request with IAM policies; "log" only reports would-be denials. Env OVERCAST_ENFORCE_IAM=1|log (LocalStack: ENFORCE_IAM). */
  enforceIam: boolean | "log";
  /** Also serve HTTPS on this port with a generated local certificate. Env OVERCAST_HTTPS_PORT. */
  httpsPort?: number;
  /** Folders whose executable scripts run once the server is ready. Env OVERCAST_INIT_DIRS (comma-separated). */
  initDirs: string[];
  /** Host name used in URLs we hand out (queue URLs…). Env OVERCAST_HOSTNAME (LocalStack: LOCALSTACK_HOST). */
  hostname?: string;
  /** Length of a lifecycle "day" in ms, so tests can watch rules act. Env OVERCAST_S3_LIFECYCLE_DAY_MS. */
  s3LifecycleDayMs?: number;
  /** How often lifecycle rules are applied; default a tenth of a day, at most a minute. Env OVERCAST_S3_LIFECYCLE_SWEEP_MS. */
  s3LifecycleSweepMs?: number;
  /** How long an idle Lambda execution environment is kept warm (ms; default 10 min). Env OVERCAST_LAMBDA_IDLE_MS. */
  lambdaIdleMs?: number;
  /** Base delay between retries of failed Event invocations (Lambda: about a minute). Env OVERCAST_LAMBDA_ASYNC_RETRY_DELAY_MS. */
  lambdaAsyncRetryDelayMs?: number;
  /** Print every line functions write, prefixed with the function name. Env OVERCAST_LAMBDA_LOG_TAIL=1. */
  lambdaLogTail?: boolean;
  /** Provisioned DynamoDB tables throttle above their rate (300 s of burst). Env OVERCAST_DYNAMODB_THROTTLING=1. */
  dynamodbThrottling?: boolean;
}

export const DEFAULT_OPTIONS: Options = {
  host: "127.0.0.1",
  port: 4566,
  logLevel: "quiet",
  defaultRegion: "us-east-1",
  enforceSignatures: false,
  enforceIam: false,
  initDirs: ["/etc/localstack/init/ready.d", "/etc/overcast/init/ready.d"],
  s3LifecycleDayMs: 86_400_000,
};

type Env = Record<string, string | undefined>;

const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);
const list = (v: string | undefined) =>
  v
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export function optionsFromEnv(env: Env): Partial<Options> {
  const out: Partial<Options> = {};
  const listen = env.GATEWAY_LISTEN?.split(",")[0];
  if (listen) {
    const [h, p] = listen.includes(":") ? listen.split(":") : [undefined, listen];
    if (h) out.host = h;
    if (p) out.port = Number(p);
  }
  if (env.OVERCAST_HOST) out.host = env.OVERCAST_HOST;
  if (env.OVERCAST_PORT) out.port = Number(env.OVERCAST_PORT);
  if (truthy(env.PERSISTENCE)) out.dataDir = env.DATA_DIR ?? "/var/lib/localstack/state";
  if (env.OVERCAST_DATA_DIR) out.dataDir = env.OVERCAST_DATA_DIR;
  const services = list(env.OVERCAST_SERVICES ?? env.SERVICES);
  if (services?.length) out.services = services;
  const log = env.OVERCAST_LOG ?? env.LS_LOG;
  if (log) out.logLevel = log === "debug" || log === "trace" ? "debug" : log === "info" ? "info" : "quiet";
  const region = env.OVERCAST_DEFAULT_REGION ?? env.DEFAULT_REGION;
  if (region) out.defaultRegion = region;
  if (env.OVERCAST_ENFORCE_SIGNATURES) out.enforceSignatures = truthy(env.OVERCAST_ENFORCE_SIGNATURES);
  const iam = env.OVERCAST_ENFORCE_IAM ?? env.ENFORCE_IAM;
  if (iam) out.enforceIam = iam.toLowerCase() === "log" ? "log" : truthy(iam);
  if (env.OVERCAST_HTTPS_PORT) out.httpsPort = Number(env.OVERCAST_HTTPS_PORT);
  const initDirs = list(env.OVERCAST_INIT_DIRS);
  if (initDirs) out.initDirs = initDirs;
  const hostname = env.OVERCAST_HOSTNAME ?? env.LOCALSTACK_HOST?.split(":")[0];
  if (hostname) out.hostname = hostname;
  if (env.OVERCAST_S3_LIFECYCLE_DAY_MS) out.s3LifecycleDayMs = Number(env.OVERCAST_S3_LIFECYCLE_DAY_MS);
  if (env.OVERCAST_S3_LIFECYCLE_SWEEP_MS) out.s3LifecycleSweepMs = Number(env.OVERCAST_S3_LIFECYCLE_SWEEP_MS);
  if (env.OVERCAST_LAMBDA_IDLE_MS) out.lambdaIdleMs = Number(env.OVERCAST_LAMBDA_IDLE_MS);
  if (env.OVERCAST_LAMBDA_ASYNC_RETRY_DELAY_MS) out.lambdaAsyncRetryDelayMs = Number(env.OVERCAST_LAMBDA_ASYNC_RETRY_DELAY_MS);
  if (env.OVERCAST_LAMBDA_LOG_TAIL) out.lambdaLogTail = truthy(env.OVERCAST_LAMBDA_LOG_TAIL);
  if (env.OVERCAST_DYNAMODB_THROTTLING) out.dynamodbThrottling = truthy(env.OVERCAST_DYNAMODB_THROTTLING);
  return out;
}

export const CLI_HELP = `Usage: overcast [options]            start the server
       overcast coverage [--markdown]   print implemented operations per service

Options (each also settable by the environment variable shown):
  --host <addr>            listen address (OVERCAST_HOST; default 127.0.0.1)
  --port <n>               listen port, 0 for any free one (OVERCAST_PORT; default 4566)
  --data-dir <dir>         keep state in <dir> across restarts (OVERCAST_DATA_DIR; default: in memory)
  --services <a,b,...>     serve only these services (OVERCAST_SERVICES / SERVICES)
  --log <quiet|info|debug> request logging (OVERCAST_LOG / LS_LOG; default quiet)
  --region <name>          default region (OVERCAST_DEFAULT_REGION; default us-east-1)
  --enforce-signatures     verify SigV4 signatures (OVERCAST_ENFORCE_SIGNATURES=1)
  --enforce-iam            authorize requests with IAM policies (OVERCAST_ENFORCE_IAM=1)
  --enforce-iam=log        allow every request, log those IAM would deny (OVERCAST_ENFORCE_IAM=log)
  --https-port <n>         also serve HTTPS with a generated certificate (OVERCAST_HTTPS_PORT)
  --init-dir <dir>         run executable scripts in <dir> once ready; repeatable (OVERCAST_INIT_DIRS)
  --hostname <name>        host name in URLs handed out, e.g. queue URLs (OVERCAST_HOSTNAME)
  --lambda-idle-ms <n>     keep idle Lambda environments warm this long (OVERCAST_LAMBDA_IDLE_MS; default 600000)
  --lambda-log-tail        print functions' log lines, prefixed with the function name (OVERCAST_LAMBDA_LOG_TAIL=1)
  --dynamodb-throttling    provisioned tables throttle above their capacity (OVERCAST_DYNAMODB_THROTTLING=1)
  -h, --help               this text`;

export function optionsFromArgv(argv: string[]): Partial<Options> {
  const out: Partial<Options> = {};
  const initDirs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case "--host":
        out.host = value();
        break;
      case "--port":
        out.port = Number(value());
        break;
      case "--data-dir":
        out.dataDir = value();
        break;
      case "--services":
        out.services = list(value());
        break;
      case "--log":
        out.logLevel = value() as LogLevel;
        break;
      case "--region":
        out.defaultRegion = value();
        break;
      case "--enforce-signatures":
        out.enforceSignatures = true;
        break;
      case "--enforce-iam":
        out.enforceIam = true;
        break;
      case "--enforce-iam=log":
        out.enforceIam = "log";
        break;
      case "--https-port":
        out.httpsPort = Number(value());
        break;
      case "--init-dir":
        initDirs.push(value());
        break;
      case "--hostname":
        out.hostname = value();
        break;
      case "--lambda-idle-ms":
        out.lambdaIdleMs = Number(value());
        break;
      case "--lambda-log-tail":
        out.lambdaLogTail = true;
        break;
      case "--dynamodb-throttling":
        out.dynamodbThrottling = true;
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (initDirs.length) out.initDirs = initDirs;
  return out;
}

export function resolveOptions(...layers: Partial<Options>[]): Options {
  const options = Object.assign({}, DEFAULT_OPTIONS, ...layers) as Options;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`invalid port ${options.port}`);
  if (!["quiet", "info", "debug"].includes(options.logLevel)) throw new Error(`invalid log level ${options.logLevel}`);
  return options;
}
