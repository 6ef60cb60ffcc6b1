/**
 * just-bash runs a loop as a chain of promise continuations: a busy loop
 * (`while true; do :; done`, or one whose commands only touch cached files)
 * never lets the event loop turn, so the process stops answering every other
 * request, never notices the client hang up, and cannot stream the loop's
 * output. So every loop gets a cooperative yield: `__cairn_yield` runs at the
 * start of each `while`/`until` condition and of each `for` body, and gives
 * the event loop a turn when the script has held it for a few milliseconds.
 *
 * Where it goes keeps bash semantics: a loop condition's errexit and `$?` are
 * decided by its last command, and `$?` at the start of a `for` body is not
 * something scripts read. It applies to nested scripts too (`bash -c`, `eval`).
 */
import {
  type CustomCommand,
  DefenseInDepthBox,
  defineCommand,
  type ScriptNode,
  type StatementNode,
  type TransformPlugin,
} from "just-bash";

const YIELD_COMMAND = "__cairn_yield";
/** How long a script may hold the event loop before it yields. */
const SLICE_MS = 5;

type Body = StatementNode[];
type CommandNode = StatementNode["pipelines"][number]["commands"][number];

/** The command the inserted statements call; register it on the Bash that uses the plugin. */
export function yieldCommand(): CustomCommand {
  let last = performance.now();
  return defineCommand(YIELD_COMMAND, async () => {
    if (performance.now() - last >= SLICE_MS) {
      await DefenseInDepthBox.runTrustedAsync(() => new Promise((r) => setImmediate(r)));
      last = performance.now();
    }
    return { stdout: "", stderr: "", exitCode: 0 };
  });
}

export function yieldTransform(): TransformPlugin {
  return {
    name: "cairn-yield",
    transform: ({ ast }) => ({
      ast: { ...ast, statements: body(ast.statements) } satisfies ScriptNode,
    }),
  };
}

function body(statements: Body): Body {
  return statements.map((statement) => ({
    ...statement,
    pipelines: statement.pipelines.map((pipeline) => ({
      ...pipeline,
      commands: pipeline.commands.map(command),
    })),
  }));
}

function command(node: CommandNode): CommandNode {
  switch (node.type) {
    case "For":
    case "CStyleFor":
      return { ...node, body: [yieldStatement(), ...body(node.body)] };
    case "While":
    case "Until":
      return {
        ...node,
        condition: [yieldStatement(), ...body(node.condition)],
        body: body(node.body),
      };
    case "If":
      return {
        ...node,
        clauses: node.clauses.map((c) => ({ condition: body(c.condition), body: body(c.body) })),
        elseBody: node.elseBody ? body(node.elseBody) : null,
      };
    case "Case":
      return { ...node, items: node.items.map((item) => ({ ...item, body: body(item.body) })) };
    case "Group":
    case "Subshell":
      return { ...node, body: body(node.body) };
    case "FunctionDef":
      return { ...node, body: command(node.body) as typeof node.body };
    default:
      return node;
  }
}

function yieldStatement(): StatementNode {
  return {
    type: "Statement",
    background: false,
    operators: [],
    pipelines: [
      {
        type: "Pipeline",
        negated: false,
        commands: [
          {
            type: "SimpleCommand",
            assignments: [],
            name: { type: "Word", parts: [{ type: "Literal", value: YIELD_COMMAND }] },
            args: [],
            redirections: [],
          },
        ],
      },
    ],
  };
}
