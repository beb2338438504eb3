/**
 * The runtime clients Overcast starts for managed runtimes. Each is a plain script run by the local
 * interpreter; like AWS's runtime interface clients it loads the handler from LAMBDA_TASK_ROOT and loops
 * on the Runtime API named by AWS_LAMBDA_RUNTIME_API, so it also documents the contract custom runtimes use.
 */

/**
 * CommonJS on purpose: an ES module entry point costs Node ~50 ms more to start (the ESM loader), which
 * is most of a cold start. ES module handlers are still loaded with import().
 */
export const NODE_BOOTSTRAP = String.raw`
"use strict";
const http = require("node:http");
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { format } = require("node:util");

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const root = process.env.LAMBDA_TASK_ROOT;
const agent = new http.Agent({ keepAlive: true });
let currentRequestId = undefined;

function call(method, route, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: "/2018-06-01/runtime" + route, agent, headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

for (const [level, method] of [["INFO", "log"], ["INFO", "info"], ["WARN", "warn"], ["ERROR", "error"], ["DEBUG", "debug"], ["TRACE", "trace"]]) {
  console[method] = (...args) => {
    const line = new Date().toISOString() + "\t" + (currentRequestId ?? "undefined") + "\t" + level + "\t" + format(...args);
    process.stdout.write(line.replace(/\n/g, "\r") + "\n");
  };
}

function errorPayload(err, fallbackType) {
  if (!(err instanceof Error)) return { errorType: fallbackType ?? "string", errorMessage: String(err), trace: [] };
  return { errorType: fallbackType ?? err.name, errorMessage: err.message, trace: (err.stack ?? "").split("\n") };
}

function postError(route, payload) {
  const body = JSON.stringify(payload);
  return call("POST", route, body, { "Lambda-Runtime-Function-Error-Type": payload.errorType, "content-type": "application/json" });
}

function isEsm(file) {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try { return JSON.parse(readFileSync(manifest, "utf8")).type === "module"; } catch { return false; }
    }
    if (dir === root || dir === path.dirname(dir)) return false;
  }
}

class ImportModuleError extends Error { name = "Runtime.ImportModuleError"; }
class HandlerNotFound extends Error { name = "Runtime.HandlerNotFound"; }
class MalformedHandlerName extends Error { name = "Runtime.MalformedHandlerName"; }

async function loadHandler() {
  const spec = process.env._HANDLER ?? "";
  const dot = spec.lastIndexOf(".");
  if (dot <= 0) throw new MalformedHandlerName("Bad handler");
  const modulePath = spec.slice(0, dot);
  const property = spec.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  const file = [".js", ".mjs", ".cjs"].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) {
    throw new ImportModuleError("Error: Cannot find module '" + path.basename(modulePath) + "'\nRequire stack:\n- " + root + "/index.mjs");
  }
  const esm = isEsm(file);
  let mod;
  try {
    mod = esm ? await import(pathToFileURL(file).href) : require(file);
  } catch (err) {
    if (err instanceof SyntaxError) { err.name = "Runtime.UserCodeSyntaxError"; throw err; }
    throw err;
  }
  const resolved = mod[property] ?? mod.default?.[property];
  if (typeof resolved !== "function") throw new HandlerNotFound(modulePath + "." + property + " is undefined or not exported");
  return { handler: resolved, esm };
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    context.done = done;
    context.succeed = (result) => done(null, result);
    context.fail = (err) => done(err ?? "handled");
    try {
      const returned = handler(event, context, done);
      if (returned && typeof returned.then === "function") returned.then((r) => done(null, r), (e) => done(e ?? new Error("rejected")));
      else if (handler.length < 3) done(null, returned);
    } catch (err) {
      done(err);
    }
  });
}

async function main() {
  let loaded;
  try {
    loaded = await loadHandler();
  } catch (err) {
    console.error(JSON.stringify(errorPayload(err)));
    await postError("/init/error", errorPayload(err));
    process.exit(1);
  }

  for (;;) {
    const next = await call("GET", "/invocation/next");
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    const deadline = Number(next.headers["lambda-runtime-deadline-ms"]);
    currentRequestId = requestId;
    const context = {
      awsRequestId: requestId,
      invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    let outcome;
    try {
      const event = JSON.parse(next.body);
      const result = await runHandler(loaded.handler, event, context);
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (err) {
        throw Object.assign(new Error("Unable to stringify response body"), { name: "Runtime.MarshalError" });
      }
      outcome = call("POST", "/invocation/" + requestId + "/response", body, { "content-type": "application/json" });
    } catch (err) {
      const payload = errorPayload(err);
      console.error("Invoke Error \t" + JSON.stringify(payload));
      outcome = postError("/invocation/" + requestId + "/error", payload);
    }
    await outcome;
  }
}

main();
`;

export const PYTHON_BOOTSTRAP = `
import importlib, json, os, socket, sys, time

HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
PREFIX = "/2018-06-01/runtime"
sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])

class RuntimeApi:
    """HTTP/1.1 on one kept-alive socket. Importing http.client alone would add ~50 ms to every cold start."""

    def __init__(self):
        self.sock = None
        self.buffer = b""

    def call(self, method, route, body=b"", headers=None):
        if self.sock is None:
            self.sock = socket.create_connection((HOST, int(PORT)))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        lines = ["%s %s%s HTTP/1.1" % (method, PREFIX, route), "Host: %s:%s" % (HOST, PORT), "Content-Length: %d" % len(body)]
        lines += ["%s: %s" % item for item in (headers or {}).items()]
        self.sock.sendall(("\\r\\n".join(lines) + "\\r\\n\\r\\n").encode("latin-1") + body)
        head = self.read_until(b"\\r\\n\\r\\n").decode("latin-1").split("\\r\\n")
        response = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            response[name.strip().lower()] = value.strip()
        if "content-length" in response:
            data = self.read_exactly(int(response["content-length"]))
        elif response.get("transfer-encoding", "").lower() == "chunked":
            data = self.read_chunked()
        else:
            data = b""
        if response.get("connection", "").lower() == "close":
            self.sock.close()
            self.sock = None
        return response, data

    def fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the Runtime API closed the connection")
        self.buffer += chunk

    def read_until(self, marker):
        while marker not in self.buffer:
            self.fill()
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def read_exactly(self, size):
        while len(self.buffer) < size:
            self.fill()
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    def read_chunked(self):
        parts = []
        while True:
            size = int(self.read_until(b"\\r\\n").split(b";")[0], 16)
            if size == 0:
                self.read_until(b"\\r\\n")
                return b"".join(parts)
            parts.append(self.read_exactly(size))
            self.read_exactly(2)

api = RuntimeApi()

def call(method, route, body=b"", headers=None):
    return api.call(method, route, body, headers)

def error_payload(exc, error_type=None, request_id=None):
    import traceback  # only failing invocations pay for it
    payload = {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
    }
    if request_id:
        payload["requestId"] = request_id
    return payload

def post_error(route, payload):
    call("POST", route, json.dumps(payload).encode(), {"Lambda-Runtime-Function-Error-Type": payload["errorType"], "Content-Type": "application/json"})

class Context:
    def __init__(self, headers):
        self.aws_request_id = headers["lambda-runtime-aws-request-id"]
        self.invoked_function_arn = headers["lambda-runtime-invoked-function-arn"]
        self._deadline = int(headers["lambda-runtime-deadline-ms"])
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ["AWS_LAMBDA_FUNCTION_VERSION"]
        self.memory_limit_in_mb = os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"]
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]
        self.identity = None
        self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline - int(time.time() * 1000))

def load_handler():
    spec = os.environ.get("_HANDLER", "")
    if "." not in spec:
        raise LookupError(("Runtime.MalformedHandlerName", "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % spec))
    module_path, name = spec.rsplit(".", 1)
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise LookupError(("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_path, exc)))
    except SyntaxError as exc:
        raise LookupError(("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_path, exc)))
    handler = getattr(module, name, None)
    if handler is None:
        raise LookupError(("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (name, module_path)))
    return handler

try:
    handler = load_handler()
except LookupError as exc:
    error_type, message = exc.args[0]
    payload = {"errorMessage": message, "errorType": error_type, "requestId": "", "stackTrace": []}
    print("[ERROR] %s: %s" % (error_type, message), flush=True)
    post_error("/init/error", payload)
    sys.exit(1)
except Exception as exc:
    payload = error_payload(exc)
    print("[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"]), flush=True)
    post_error("/init/error", payload)
    sys.exit(1)

while True:
    headers, body = call("GET", "/invocation/next")
    context = Context(headers)
    request_id = context.aws_request_id
    try:
        result = handler(json.loads(body), context)
        try:
            response = json.dumps(result).encode()
        except (TypeError, ValueError) as exc:
            post_error("/invocation/%s/error" % request_id, {"errorMessage": "Unable to marshal response: %s" % exc, "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []})
            continue
        call("POST", "/invocation/%s/response" % request_id, response, {"Content-Type": "application/json"})
    except Exception as exc:
        payload = error_payload(exc, request_id=request_id)
        print("[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"]), flush=True)
        post_error("/invocation/%s/error" % request_id, payload)
`;
