/**
 * Cairn's `python3` and `python`: just-bash's CPython and prelude, run in a
 * warm interpreter (see python-engine) that serves this one run and is then
 * thrown away. Files are the script's own filesystem, through a bridge.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import {
  type Command,
  decodeBytesToUtf8,
  defineCommand,
  type ExecResult,
  type IFileSystem,
  latin1FromBytes,
} from "just-bash";
import { wrapProgram } from "./prelude.js";
import type { BridgeEnd, BridgeOp, BridgeReply, BridgeStat } from "./protocol.js";
import { type PythonEngine, pythonEngine } from "./python-engine.js";

type Context = Parameters<Parameters<typeof defineCommand>[1]>[1];

/** just-bash's python3 help, word for word. */
const HELP = `python3 - Execute Python code via CPython Emscripten

Usage: python3 [OPTIONS] [-c CODE | -m MODULE | FILE] [ARGS...]

Description:
  Execute Python code using CPython compiled to WebAssembly via Emscripten.

  This command runs Python in an isolated environment with access to
  the virtual filesystem. Standard library modules are available.

Options:
  -c CODE     Execute CODE as Python script
  -m MODULE   Run library module as a script
  --version   Show Python version
  --help      Show this help

Examples:
  python3 -c "print(1 + 2)"
  python3 -c "import sys; print(sys.version)"
  python3 script.py
  python3 script.py arg1 arg2
  echo 'print("hello")' | python3

Notes:
  CPython runs in WebAssembly, so execution may be slower than native Python.
  Standard library modules are available (no pip install).
  Maximum execution time is 30 seconds by default.
`;

interface Parsed {
  code: string | null;
  module: string | null;
  scriptFile: string | null;
  showVersion: boolean;
  scriptArgs: string[];
}

const usageError = (stderr: string): ExecResult => ({ stdout: "", stderr, exitCode: 2 });

/** just-bash's python3 argument rules. */
function parseArgs(args: string[]): Parsed | ExecResult {
  const parsed: Parsed = {
    code: null,
    module: null,
    scriptFile: null,
    showVersion: false,
    scriptArgs: [],
  };
  const first = args.findIndex((a) => !a.startsWith("-") || a === "-" || a === "--");
  for (let i = 0; i < (first === -1 ? args.length : first); i++) {
    const arg = args[i] as string;
    if (arg === "-c" || arg === "-m") {
      const value = args[i + 1];
      if (value === undefined) {
        return usageError(`python3: option requires an argument -- '${arg[1]}'\n`);
      }
      if (arg === "-c") parsed.code = value;
      else parsed.module = value;
      parsed.scriptArgs = args.slice(i + 2);
      return parsed;
    }
    if (arg === "--version" || arg === "-V") {
      parsed.showVersion = true;
      return parsed;
    }
    if (arg.startsWith("-") && arg !== "-")
      return usageError(`python3: unrecognized option '${arg}'\n`);
  }
  if (first !== -1) {
    const arg = args[first] as string;
    if (arg === "--") {
      if (first + 1 < args.length) {
        parsed.scriptFile = args[first + 1] as string;
        parsed.scriptArgs = args.slice(first + 2);
      }
    } else {
      parsed.scriptFile = arg;
      parsed.scriptArgs = args.slice(first + 1);
    }
  }
  return parsed;
}

/** The program, its stdin and its argv[0], or the error python3 gives before running anything. */
async function program(
  parsed: Parsed,
  ctx: Context,
): Promise<{ code: string; stdin: string; label: string } | ExecResult> {
  const stdin = latin1FromBytes(ctx.stdin);
  if (parsed.code !== null) return { code: parsed.code, stdin, label: "-c" };
  if (parsed.module !== null) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_.]*$/.test(parsed.module)) {
      return {
        stdout: "",
        stderr: `python3: No module named '${parsed.module.slice(0, 200)}'\n`,
        exitCode: 1,
      };
    }
    return {
      code: `import runpy; runpy.run_module('${parsed.module}', run_name='__main__')`,
      stdin,
      label: parsed.module,
    };
  }
  const text = () => decodeBytesToUtf8(ctx.stdin);
  if (parsed.scriptFile === "-") return { code: text(), stdin: "", label: "-" };
  if (parsed.scriptFile !== null) {
    const path = ctx.fs.resolvePath(ctx.cwd, parsed.scriptFile);
    const cannot = (why: string): ExecResult => ({
      stdout: "",
      stderr: `python3: can't open file '${parsed.scriptFile}': ${why}\n`,
      exitCode: 2,
    });
    if (!(await ctx.fs.exists(path))) return cannot("[Errno 2] No such file or directory");
    try {
      return { code: await ctx.fs.readFile(path), stdin, label: parsed.scriptFile };
    } catch (error) {
      return cannot(error instanceof Error ? error.message : String(error));
    }
  }
  if (text().trim()) return { code: text(), stdin: "", label: "<stdin>" };
  return usageError(
    "python3: no input provided (use -c CODE, -m MODULE, or provide a script file)\n",
  );
}

/** Answers one filesystem call of the interpreter on the script's filesystem. */
async function answer(fs: IFileSystem, cwd: string, request: BridgeOp): Promise<unknown> {
  const at = (path: string) => fs.resolvePath(cwd, path);
  switch (request.op) {
    case "readFile":
      return fs.readFileBuffer(at(request.path));
    case "writeFile":
      return fs.writeFile(at(request.path), request.data);
    case "stat": {
      const s = await fs.stat(at(request.path));
      const stat: BridgeStat = {
        isFile: s.isFile,
        isDirectory: s.isDirectory,
        isSymbolicLink: s.isSymbolicLink,
        mode: s.mode,
        size: s.size,
        mtime: s.mtime.getTime(),
      };
      return stat;
    }
    case "readdir":
      return fs.readdir(at(request.path));
    case "mkdir":
      return fs.mkdir(at(request.path), { recursive: false });
    case "rm":
      return fs.rm(at(request.path), { recursive: false, force: false });
    case "symlink":
      return fs.symlink(request.target, at(request.path));
    case "readlink":
      return fs.readlink(at(request.path));
    case "chmod":
      return fs.chmod(at(request.path), request.mode);
    case "http":
      throw new Error("network access is off in Cairn sandboxes");
    case "output":
      throw new Error("output is handled by the run");
  }
}

/** Runs one program in a warm interpreter and serves its calls until it exits. */
async function run(
  engine: PythonEngine,
  ctx: Context,
  job: { code: string; stdin: string; label: string; args: string[] },
): Promise<ExecResult> {
  const timeoutMs = ctx.limits.maxPythonTimeoutMs;
  const maxOutput = ctx.limits.maxOutputSize;
  let stdout = "";
  let stderr = "";
  let overLimit = false;
  const slot = await engine.acquire();
  const { port1, port2 } = new MessageChannel();
  const bridgeSignal = new Int32Array(new SharedArrayBuffer(4));
  const env = Object.fromEntries(ctx.env);
  slot.start({
    program: wrapProgram(job.code, { env, args: job.args, scriptPath: job.label, cwd: ctx.cwd }),
    stdin: job.stdin,
    maxFileSize: ctx.limits.maxStringLength,
    bridge: port2,
    bridgeSignal,
  });
  const reply = (message: BridgeReply, port: MessagePort) => {
    port.postMessage(message);
    Atomics.store(bridgeSignal, 0, 1);
    Atomics.notify(bridgeSignal, 0);
  };
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let stopWatching = () => {};
  const outcome = await new Promise<{ code: number } | { cut: string } | { failed: string }>(
    (settle) => {
      timer = setTimeout(
        () => settle({ cut: `Execution timeout: exceeded ${timeoutMs}ms limit` }),
        timeoutMs,
      );
      onAbort = () => settle({ cut: "Execution aborted" });
      stopWatching = slot.onGone((error) => settle({ failed: error.message }));
      ctx.signal?.addEventListener("abort", onAbort, { once: true });
      if (ctx.signal?.aborted) onAbort();
      port1.on("message", (message: BridgeOp | BridgeEnd) => {
        if (message.op === "exit") return settle({ code: message.code });
        if (message.op === "failed") return settle({ failed: message.error });
        if (message.op === "output") {
          const size =
            stdout.length + stderr.length + message.stdout.length + message.stderr.length;
          if (overLimit || (maxOutput > 0 && size > maxOutput)) {
            overLimit = true;
            return reply({ ok: false, error: "Output size limit exceeded" }, port1);
          }
          stdout += message.stdout;
          stderr += message.stderr;
          return reply({ ok: true }, port1);
        }
        answer(ctx.fs, ctx.cwd, message).then(
          (value) => reply({ ok: true, value }, port1),
          (error: unknown) =>
            reply(
              { ok: false, error: error instanceof Error ? error.message : String(error) },
              port1,
            ),
        );
      });
    },
  );
  clearTimeout(timer);
  stopWatching();
  if (onAbort) ctx.signal?.removeEventListener("abort", onAbort);
  port1.close();
  if ("cut" in outcome) {
    engine.discard(slot);
    return { stdout, stderr: `${stderr}python3: ${outcome.cut}\n`, exitCode: 124 };
  }
  engine.release(slot);
  if ("failed" in outcome) {
    return { stdout, stderr: `${stderr}python3: ${outcome.failed}\n`, exitCode: 1 };
  }
  if (overLimit) {
    return {
      stdout,
      stderr: `${stderr}python3: total output size exceeded (>${maxOutput} bytes), increase executionLimits.maxOutputSize\n`,
      exitCode: outcome.code || 1,
    };
  }
  return { stdout, stderr, exitCode: outcome.code };
}

async function execute(args: string[], ctx: Context): Promise<ExecResult> {
  if (args.includes("--help")) {
    return { stdout: HELP, stderr: "", exitCode: 0 };
  }
  const parsed = parseArgs(args);
  if ("exitCode" in parsed) return parsed;
  if (parsed.showVersion)
    return { stdout: "Python 3.13.2 (Emscripten)\n", stderr: "", exitCode: 0 };
  const prog = await program(parsed, ctx);
  if ("exitCode" in prog) return prog;
  try {
    return await run(pythonEngine(), ctx, { ...prog, args: parsed.scriptArgs });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { stdout: "", stderr: `python3: ${message}\n`, exitCode: 1 };
  }
}

/** `python3` and `python`, each run in a fresh warm interpreter. */
export function pythonCommands(): Command[] {
  return [defineCommand("python3", execute), defineCommand("python", execute)];
}
