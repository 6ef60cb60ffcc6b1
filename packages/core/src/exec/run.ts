/**
 * One just-bash run of one script on a Vfs: output captured per top-level
 * statement (see flush-transform), writes checked against read-only mode and
 * the journal limits, and the final shell state reported when asked.
 */
import { Bash, defineCommand, getCommandNames } from "just-bash";
import type { Runtime, ShellState } from "../backend.js";
import { CairnBashFs, type WriteLimits } from "../bash-fs.js";
import { encodeText, latin1Bytes } from "../encoding.js";
import { pythonCommands } from "../python/python-command.js";
import type { Quota } from "../quota.js";
import type { Vfs } from "../vfs.js";
import { CAIRN_COMMANDS, cairnCommands } from "./cairn-commands.js";
import { fastFindCommand } from "./fast-find.js";
import {
  flushTransform,
  SHELL_STATE_COMMAND,
  STDERR_SINK,
  STDOUT_SINK,
} from "./flush-transform.js";
import { indexedGrepCommands } from "./indexed-grep.js";
import { loopTurnsSupported } from "./loop-turns.js";
import { OutputCapture, type OutputListener } from "./output.js";
import {
  RUNTIME_COMMANDS,
  RUNTIME_OFF_COMMAND,
  runtimeOffCommand,
  runtimeOffTransform,
} from "./runtime-off.js";
import { runtimeSupport } from "./runtimes.js";
import { YIELD_DEVICE, yieldTransform } from "./yield-transform.js";

export interface RunSettings {
  runtimes: readonly Runtime[];
  readOnly: boolean;
  limits: WriteLimits;
  quota?: Quota;
  maxOutputBytes: number;
  /** Milliseconds the run may take; also bounds python3/js-exec. */
  timeoutMs: number;
  signal: AbortSignal;
  /** Report the final cwd and exported env. */
  reportShellState: boolean;
  onOutput?: OutputListener;
}

export interface RunStep {
  script: string;
  cwd: string;
  env: Record<string, string>;
  stdin?: string;
}

export interface RunOutcome {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
  truncated: { stdout: boolean; stderr: boolean };
  durationMs: number;
  /** The shell state after the last statement, when the script ran to its end. */
  shell?: ShellState;
  /** A write went over the journal limit or the sandbox quota: the changes must not be committed. */
  limitHit: null | "journal_limit" | "quota";
}

/** Variables just-bash manages itself; not worth saving as shell state. */
const TRANSIENT_ENV = new Set(["PWD", "OLDPWD"]);

/** Every runtime Cairn knows, on or off. */
const RUNTIMES = Object.keys(RUNTIME_COMMANDS) as Runtime[];

/** Command lists by the runtimes they include, kept: the same list for every script alike. */
const commandLists = new Map<string, readonly string[]>();

/** Every command a script can run with these runtimes on. */
function commandsWith(runtimes: readonly Runtime[]): readonly string[] {
  const key = runtimes.join(",");
  let list = commandLists.get(key);
  if (!list) {
    list = [
      SHELL_STATE_COMMAND,
      RUNTIME_OFF_COMMAND,
      ...getCommandNames(),
      ...CAIRN_COMMANDS,
      ...runtimes.flatMap((runtime) => RUNTIME_COMMANDS[runtime]),
    ];
    commandLists.set(key, list);
  }
  return list;
}

export async function runStep(vfs: Vfs, step: RunStep, settings: RunSettings): Promise<RunOutcome> {
  const started = performance.now();
  const output = new OutputCapture(settings.maxOutputBytes, settings.onOutput);
  const off = RUNTIMES.filter((runtime) => !settings.runtimes.includes(runtime));
  const fs = new CairnBashFs(vfs, {
    commands: commandsWith(settings.runtimes),
    readOnly: settings.readOnly,
    limits: settings.limits,
    quota: settings.quota,
    yieldDevice: YIELD_DEVICE,
    sinks: new Map([
      [STDOUT_SINK, (bytes: Uint8Array) => output.push("stdout", bytes)],
      [STDERR_SINK, (bytes: Uint8Array) => output.push("stderr", bytes)],
    ]),
  });
  if (!settings.readOnly) vfs.mkdir(step.cwd, { recursive: true });

  let shell: ShellState | undefined;
  const reportState = defineCommand(SHELL_STATE_COMMAND, async (args, ctx) => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(ctx.exportedEnv ?? {})) {
      if (!TRANSIENT_ENV.has(name) && value !== undefined) env[name] = value;
    }
    shell = { cwd: ctx.cwd, env };
    return { stdout: "", stderr: "", exitCode: Number(args[0] ?? 0) || 0 };
  });

  const bash = new Bash({
    fs,
    cwd: step.cwd,
    env: step.env,
    // Cairn's own python3/python (warm interpreters) stand in for just-bash's.
    python: false,
    javascript: settings.runtimes.includes("js-exec"),
    customCommands: [
      reportState,
      runtimeOffCommand(runtimeSupport()),
      ...cairnCommands(fs),
      ...indexedGrepCommands(vfs),
      fastFindCommand(fs, { denyPolicy: vfs.deny !== undefined }),
      ...(settings.runtimes.includes("python3") ? pythonCommands() : []),
    ],
    executionLimits: {
      maxExecutionTimeMs: settings.timeoutMs,
      maxPythonTimeoutMs: settings.timeoutMs,
      maxJsTimeoutMs: settings.timeoutMs,
      maxCommandCount: 10_000_000,
      maxLoopIterations: 100_000_000,
    },
  });
  bash.registerTransformPlugin(flushTransform({ reportShellState: settings.reportShellState }));
  // Without just-bash's own call before each loop iteration, a yield test in each loop.
  if (!(await loopTurnsSupported())) bash.registerTransformPlugin(yieldTransform());
  bash.registerTransformPlugin(runtimeOffTransform(off));
  const result = await bash.exec(step.script, {
    cwd: step.cwd,
    stdin: step.stdin,
    signal: settings.signal,
    rawScript: true,
  });
  if (fs.storageFailure !== undefined) throw fs.storageFailure;
  // What was not flushed by a statement (e.g. output cut short by `exit`) comes last.
  output.push(
    "stdout",
    result.stdoutKind === "bytes" ? latin1Bytes(result.stdout) : encodeText(result.stdout),
  );
  output.push("stderr", encodeText(result.stderr));
  return {
    exitCode: result.exitCode,
    stdout: output.bytes("stdout"),
    stderr: output.bytes("stderr"),
    truncated: { ...output.truncated },
    durationMs: performance.now() - started,
    shell,
    limitHit: fs.limitHit,
  };
}
