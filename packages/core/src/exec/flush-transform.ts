/**
 * just-bash returns a script's output only when the whole script ends. To
 * stream it, the top-level script is rewritten before it runs: it first opens
 * two descriptors on sink devices of the Cairn filesystem (`exec 98>>OUT
 * 99>>ERR`), and every pipeline of each top-level statement (and of each
 * statement in the body of a top-level loop, `if` or group) gets `>&98 2>&99`
 * put in front of its own redirections. The interpreter flushes a command's
 * output into them when it ends, with the exact bytes a redirect to a file
 * gets, so streams are binary-safe. Duplicating a descriptor costs no
 * filesystem call, where `>>OUT` on each command cost three (exists, stat,
 * append) for each stream. The command's own redirections come later and so
 * still win (`cmd > f`, `2>&1`), as in bash; variables, `cd` and exit
 * statuses are untouched.
 *
 * Each top-level statement also goes into a `{ ...; }` group (it runs in the
 * current shell): at the top level just-bash lets a failed redirection (e.g.
 * EROFS) escape the whole run, while inside a compound command it prints the
 * error and sets `$?` like bash.
 */
import { parse, type ScriptNode, type StatementNode, type TransformPlugin } from "just-bash";

/** Device paths the rewritten script writes to; CairnBashFs routes them to the output capture. */
export const STDOUT_SINK = "/dev/.cairn-stdout";
export const STDERR_SINK = "/dev/.cairn-stderr";
/** The descriptors the rewritten script opens on the sinks: high, so a script's own 3–9 stay free. */
const STDOUT_FD = 98;
const STDERR_FD = 99;

/** The name of the command that reports shell state after the last statement. */
export const SHELL_STATE_COMMAND = "__cairn_shell_state";

type CommandNode = StatementNode["pipelines"][number]["commands"][number];
type Body = StatementNode[];

/** `__cairn_shell_state "$?"`: reports state and exits with the status it was given. */
const { sourceText: _s, ...SHELL_STATE_STATEMENT } = parse(`${SHELL_STATE_COMMAND} "$?"`)
  .statements[0]!;
/** `exec 98>>OUT 99>>ERR`, without its source text, which `set -v` would echo. */
const { sourceText: _o, ...OPEN_SINKS_STATEMENT } = parse(
  `exec ${STDOUT_FD}>>${STDOUT_SINK} ${STDERR_FD}>>${STDERR_SINK}`,
).statements[0]!;
/** Without its source text, which `set -v` would echo (the inner statement echoes its own). */
const { sourceText: _, ...GROUP_STATEMENT } = parse("{ :; }").statements[0]!;
const GROUP_PIPELINE = GROUP_STATEMENT.pipelines[0]!;
const GROUP = GROUP_PIPELINE.commands[0] as Extract<CommandNode, { type: "Group" }>;

/** Compound commands whose bodies run in the current shell with the script's own stdout. */
const DESCEND = new Set(["For", "CStyleFor", "While", "Until", "If", "Group"]);

export interface FlushTransformOptions {
  /** Append `__cairn_shell_state "$?"` so the final cwd and exported env can be saved. */
  reportShellState: boolean;
}

/**
 * A plugin that rewrites only the first script it sees: the top-level one.
 * Nested executions (`bash -c`, `eval`, `xargs`) keep their output where their
 * caller expects it, e.g. in a pipe or a command substitution.
 */
export function flushTransform(options: FlushTransformOptions): TransformPlugin {
  let used = false;
  return {
    name: "cairn-flush",
    transform({ ast }) {
      if (used) return { ast };
      used = true;
      const statements = [
        OPEN_SINKS_STATEMENT,
        ...ast.statements.map((statement) => grouped(flushStatement(statement))),
      ];
      if (options.reportShellState) statements.push(SHELL_STATE_STATEMENT);
      return { ast: { ...ast, statements } satisfies ScriptNode };
    },
  };
}

function flushEach(statements: Body): Body {
  return statements.map(flushStatement);
}

function flushStatement(statement: StatementNode): StatementNode {
  if (statement.background || statement.deferredError) return statement;
  const only = soleCommand(statement);
  if (only && DESCEND.has(only.type) && only.redirections.length === 0) {
    return replaceCommand(statement, descend(only));
  }
  return { ...statement, pipelines: statement.pipelines.map(flushPipeline) };
}

type PipelineNode = StatementNode["pipelines"][number];

/** Stdout of the last command to OUT; stderr of each command to ERR unless piped (`|&`). */
function flushPipeline(pipeline: PipelineNode): PipelineNode {
  const last = pipeline.commands.length - 1;
  const commands = pipeline.commands.map((command, i) => {
    if (command.type === "FunctionDef") return command;
    const sinks = [];
    if (i === last) sinks.push(duplicate(null, STDOUT_FD));
    if (i === last || !pipeline.pipeStderr?.[i]) sinks.push(duplicate(2, STDERR_FD));
    return { ...command, redirections: [...sinks, ...command.redirections] };
  });
  return { ...pipeline, commands } as PipelineNode;
}

/** The command of a statement that is one un-negated, untimed pipeline of one command. */
function soleCommand(statement: StatementNode): CommandNode | undefined {
  if (statement.pipelines.length !== 1) return undefined;
  const [pipeline] = statement.pipelines;
  if (!pipeline || pipeline.negated || pipeline.timed || pipeline.commands.length !== 1) {
    return undefined;
  }
  return pipeline.commands[0];
}

function replaceCommand(statement: StatementNode, command: CommandNode): StatementNode {
  const [pipeline] = statement.pipelines;
  return { ...statement, pipelines: [{ ...pipeline!, commands: [command] }] };
}

function descend(command: CommandNode): CommandNode {
  switch (command.type) {
    case "For":
    case "CStyleFor":
    case "Group":
      return { ...command, body: flushEach(command.body) };
    case "While":
    case "Until":
      return { ...command, condition: flushEach(command.condition), body: flushEach(command.body) };
    case "If":
      return {
        ...command,
        clauses: command.clauses.map((c) => ({
          condition: flushEach(c.condition),
          body: flushEach(c.body),
        })),
        elseBody: command.elseBody ? flushEach(command.elseBody) : null,
      };
    default:
      return command;
  }
}

/** `{ statement; }`: a group runs in the current shell, and catches what the top level would not. */
function grouped(statement: StatementNode): StatementNode {
  if (statement.background || statement.deferredError) return statement;
  if (soleCommand(statement)?.type === "FunctionDef") return statement;
  return {
    ...GROUP_STATEMENT,
    pipelines: [{ ...GROUP_PIPELINE, commands: [{ ...GROUP, body: [statement] }] }],
  };
}

function word(value: string) {
  return { type: "Word" as const, parts: [{ type: "Literal" as const, value }] };
}

/** `>&N` (fd null) or `2>&N`. */
function duplicate(fd: 2 | null, to: number) {
  return { type: "Redirection" as const, fd, operator: ">&" as const, target: word(String(to)) };
}
