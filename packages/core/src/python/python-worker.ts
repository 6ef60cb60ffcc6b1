/**
 * A python worker thread: keeps one initialised CPython (just-bash's
 * Emscripten build) waiting for a job, runs exactly one job in it, throws it
 * away and starts the next from the compiled module. No interpreter, memory
 * filesystem or environment ever serves two runs.
 */
import { createRequire } from "node:module";
import { parentPort, receiveMessageOnPort, workerData } from "node:worker_threads";
import { createHostFs, createHttpFs, type EmFS, type EmPath, type HostBackend } from "./hostfs.js";
import type {
  BridgeEnd,
  BridgeOp,
  BridgeReply,
  BridgeStat,
  FromPythonWorker,
  PythonJob,
  PythonWorkerData,
} from "./protocol.js";

const port = parentPort;
if (!port) throw new Error("python-worker runs as a worker thread");
const data = workerData as PythonWorkerData;

interface EmModule {
  FS: EmFS;
  PATH: EmPath;
  ENV: Record<string, string>;
  callMain(args: string[]): unknown;
}
type CreateModule = (options: Record<string, unknown>) => Promise<EmModule>;
const require = createRequire(import.meta.url);

/**
 * Modules the Emscripten runtime could reach for on python's behalf (`ws` for
 * sockets, which needs `net`), refused in this thread as just-bash's python
 * worker refuses them: python gets an error, never the host's network or processes.
 */
const BLOCKED = new Set(
  [
    "child_process",
    "cluster",
    "dgram",
    "dns",
    "net",
    "tls",
    "http",
    "https",
    "http2",
    "vm",
    "v8",
    "inspector",
    "inspector/promises",
    "trace_events",
    "perf_hooks",
    "worker_threads",
  ].flatMap((name) => [name, `node:${name}`]),
);
BLOCKED.add("ws");
const loader = require("node:module") as unknown as {
  _load(request: string, ...rest: unknown[]): unknown;
};
const load = loader._load;
loader._load = function guardedLoad(this: unknown, request: string, ...rest: unknown[]) {
  if (BLOCKED.has(request)) throw new Error(`require('${request}') is blocked in python workers`);
  return load.call(this, request, ...rest);
};

const createPythonModule = require(data.loaderPath) as CreateModule;

/** Where the program goes; the bootstrap runs it from here once the job is in. */
const SCRIPT_PATH = "/tmp/_jb_script.py";
/** Flushed to the host at this size (and at the end). */
const OUTPUT_CHUNK = 64 * 1024;

/**
 * Imports the modules just-bash's prelude needs (the slow part of a run, and
 * the same for everyone), then waits for the job and runs its program as
 * __main__. The job's program replaces this file first, so tracebacks quote
 * the right lines. At the end it runs atexit handlers, flushes, and leaves
 * with os._exit: the interpreter is thrown away, so finalising it would only
 * delay the answer.
 */
const BOOTSTRAP = `
def _cairn_main():
    for name in ("os", "json", "glob", "io", "shutil", "pathlib", "base64", "types", "traceback", "runpy", "atexit"):
        __import__(name)
    import atexit, os, sys
    leave, exit_handlers = os._exit, atexit._run_exitfuncs
    with open("/dev/cairn-job", "rb") as job:
        job.read()
    with open(__file__, "rb") as program:
        code = compile(program.read(), __file__, "exec")
    status = 0
    try:
        exec(code, globals())
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException as e:
        # As Python itself would print it, without this function's frame.
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        status = 1
    try:
        exit_handlers()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    leave(status)
globals().pop("_cairn_main")()
`;

class Bridge implements HostBackend {
  private readonly encoder = new TextEncoder();
  constructor(private readonly job: PythonJob) {}

  call(request: BridgeOp): unknown {
    const { bridge, bridgeSignal } = this.job;
    Atomics.store(bridgeSignal, 0, 0);
    bridge.postMessage(request);
    for (;;) {
      // The host answers or the run ends (the thread is terminated); no timeout here.
      Atomics.wait(bridgeSignal, 0, 0);
      const received = receiveMessageOnPort(bridge);
      if (received) {
        const reply = received.message as BridgeReply;
        if (!reply.ok) throw new Error(reply.error);
        return reply.value;
      }
      Atomics.store(bridgeSignal, 0, 0);
    }
  }
  end(message: BridgeEnd): void {
    this.job.bridge.postMessage(message);
  }
  readFile = (path: string) => this.call({ op: "readFile", path }) as Uint8Array;
  writeFile = (path: string, data: Uint8Array) => void this.call({ op: "writeFile", path, data });
  stat = (path: string) => this.call({ op: "stat", path }) as BridgeStat;
  readdir = (path: string) => this.call({ op: "readdir", path }) as string[];
  mkdir = (path: string) => void this.call({ op: "mkdir", path });
  rm = (path: string) => void this.call({ op: "rm", path });
  symlink = (target: string, path: string) => void this.call({ op: "symlink", target, path });
  readlink = (path: string) => this.call({ op: "readlink", path }) as string;
  chmod = (path: string, mode: number) => void this.call({ op: "chmod", path, mode });
  http = (url: string) => this.call({ op: "http", url }) as string;
  output = (stdout: string, stderr: string) => void this.call({ op: "output", stdout, stderr });
  encode = (text: string) => this.encoder.encode(text);
}

/** Blocks until the next job is posted. */
function takeJob(): PythonJob {
  for (;;) {
    Atomics.wait(data.jobSignal, 0, 0);
    Atomics.store(data.jobSignal, 0, 0);
    const received = receiveMessageOnPort(data.jobs);
    if (received) return received.message as PythonJob;
  }
}

/** Prepares one interpreter and runs one job in it; false when the interpreter cannot start. */
async function serveOne(): Promise<boolean> {
  let job: PythonJob | undefined;
  let bridge: Bridge | undefined;
  let stdinOffset = 0;
  let pending = { stdout: "", stderr: "" };
  const flush = () => {
    if (!bridge || (pending.stdout === "" && pending.stderr === "")) return;
    const { stdout, stderr } = pending;
    pending = { stdout: "", stderr: "" };
    bridge.output(stdout, stderr);
  };
  const emit = (stream: "stdout" | "stderr", text: string) => {
    pending[stream] += `${text}\n`;
    if (pending.stdout.length + pending.stderr.length >= OUTPUT_CHUNK) flush();
  };
  const module = await createPythonModule({
    noInitialRun: true,
    thisProgram: "/usr/bin/python3",
    instantiateWasm(
      imports: WebAssembly.Imports,
      done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) {
      void WebAssembly.instantiate(data.module, imports).then((instance) =>
        done(instance, data.module),
      );
      return {};
    },
    preRun: [
      (m: EmModule) => {
        m.FS.init(() => {
          const stdin = job?.stdin ?? "";
          return stdinOffset < stdin.length ? stdin.charCodeAt(stdinOffset++) : null;
        });
        m.FS.mkdirTree("/lib");
        m.FS.writeFile("/lib/python313.zip", data.stdlib);
        m.ENV.PYTHONHOME = "/";
        m.ENV.PYTHONPATH = "/lib/python313.zip";
      },
    ],
    print: (text: string) => emit("stdout", text),
    printErr: (text: string) => {
      if (text.includes("Could not find platform") || text.includes("LLVM Profile Error")) return;
      emit("stderr", text);
    },
  });
  const { FS, PATH } = module;
  // The mounts reach the job's bridge only once a job is in; before that nothing calls them.
  const host: HostBackend = {
    readFile: (p) => bridge!.readFile(p),
    writeFile: (p, d) => bridge!.writeFile(p, d),
    stat: (p) => bridge!.stat(p),
    readdir: (p) => bridge!.readdir(p),
    mkdir: (p) => bridge!.mkdir(p),
    rm: (p) => bridge!.rm(p),
    symlink: (t, p) => bridge!.symlink(t, p),
    readlink: (p) => bridge!.readlink(p),
    chmod: (p, m) => bridge!.chmod(p, m),
    http: (u) => bridge!.http(u),
  };
  FS.mkdir("/host");
  FS.mount(
    createHostFs(host, FS, PATH, () => job?.maxFileSize ?? 0),
    { root: "/" },
    "/host",
  );
  FS.mkdir("/_jb_http");
  FS.mount(createHttpFs(host, FS), { root: "/" }, "/_jb_http");
  let delivered = false;
  FS.createDevice("/dev", "cairn-job", () => {
    if (delivered) return null;
    delivered = true;
    port!.postMessage({ type: "ready" } satisfies FromPythonWorker);
    job = takeJob();
    bridge = new Bridge(job);
    FS.writeFile(SCRIPT_PATH, bridge.encode(job.program));
    return null;
  });
  try {
    FS.mkdir("/tmp");
  } catch {
    // Emscripten's default tree has /tmp already.
  }
  FS.writeFile(SCRIPT_PATH, BOOTSTRAP);
  process.exitCode = 0;
  let code: number;
  try {
    const ret = module.callMain([SCRIPT_PATH]);
    code = (typeof ret === "number" ? ret : 0) || Number(process.exitCode ?? 0) || 0;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    code = typeof status === "number" ? status : Number(process.exitCode ?? 1) || 1;
  }
  try {
    // Output still in Emscripten's line buffers (a last line without "\n"), as at a normal exit.
    FS.quit();
  } catch {
    // Nothing left to flush.
  }
  process.exitCode = 0;
  if (!bridge) {
    // The interpreter stopped before taking a job: report it, do not loop on a broken setup.
    port!.postMessage({
      type: "broken",
      error: `python3 did not start (exit ${code}): ${pending.stderr.slice(0, 500)}`,
    } satisfies FromPythonWorker);
    return false;
  }
  try {
    flush();
    bridge.end({ op: "exit", code });
  } catch (error) {
    bridge.end({ op: "failed", error: error instanceof Error ? error.message : String(error) });
  }
  return true;
}

while (await serveOne()) {
  // Each turn: a new interpreter, one job.
}
