/**
 * just-bash runs a loop as a chain of promise continuations: a busy loop
 * (`while true; do :; done`, or one whose commands only touch cached files)
 * never lets the event loop turn, so the process stops answering every other
 * request, never notices the client hang up, and cannot stream the loop's
 * output. CairnBashFs gives the event loop a turn from any filesystem call
 * once a script has held it for a few milliseconds. just-bash as this
 * workspace patches it also asks the filesystem before each loop iteration
 * (loop-turns.ts); for a just-bash that does not, this transform makes sure
 * every loop makes a filesystem call, by inserting `[[ -e YIELD_DEVICE ]]`
 * (about as cheap as `true`; a custom command would cost 10×) at the start of
 * each `while`/`until` condition and each `for` body.
 *
 * Where it goes keeps bash semantics: the test is always true; a loop
 * condition's status is its last command's; and `$?` at the start of a `for`
 * body is not something scripts read. It applies to nested scripts too
 * (`bash -c`, `eval`).
 */
import { parse, type ScriptNode, type StatementNode, type TransformPlugin } from "just-bash";

/** Always exists; CairnBashFs yields to the event loop when it is checked, if it is time to. */
export const YIELD_DEVICE = "/dev/.cairn-yield";

/** Without its source text, which `set -v` would echo. */
const { sourceText: _, ...YIELD_STATEMENT } = parse(`[[ -e ${YIELD_DEVICE} ]]`).statements[0]!;

type Body = StatementNode[];
type CommandNode = StatementNode["pipelines"][number]["commands"][number];

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
      return { ...node, body: [YIELD_STATEMENT, ...body(node.body)] };
    case "While":
    case "Until":
      return {
        ...node,
        condition: [YIELD_STATEMENT, ...body(node.condition)],
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
