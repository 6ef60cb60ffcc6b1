/**
 * `find` at tree speed for the forms agents use most (`find . -name '*.py'`,
 * `find /w -type f`, `find . -maxdepth 2 -type d`): just-bash's own find
 * spends ~40 µs on each entry (a traversal budget, timing and a predicate
 * object per entry), so a 10,000-file tree took ~400 ms. This one walks the
 * same filesystem calls (lstat of each starting point, one listing per
 * directory) in the same order and prints the same lines; anything else, or
 * anything unusual on the way (a missing path, a limit in sight), is left to
 * the bundled find, which is safe to run afresh: these forms only read.
 */
import { type Command, type CommandContext, defineCommand, type IFileSystem } from "just-bash";

/** What the fast walk accepts: tests on names, types and depth, side by side (an implicit AND). */
export interface SimpleFind {
  starts: string[];
  names: Array<{ pattern: string; ignoreCase: boolean }>;
  type: "f" | "d" | undefined;
  maxDepth: number | undefined;
  minDepth: number | undefined;
}

/** Patterns matched the same way as just-bash: `*.ext` by suffix, a plain name by equality. */
const SUFFIX = /^\*(\.[a-zA-Z0-9]+)$/;
const PLAIN = /^[^*?[\]\\]+$/;
const NON_ASCII = /[^\x20-\x7e]/;

/** The arguments as a SimpleFind, or undefined when the bundled find must run them. */
export function simpleFind(args: readonly string[]): SimpleFind | undefined {
  const plan: SimpleFind = {
    starts: [],
    names: [],
    type: undefined,
    maxDepth: undefined,
    minDepth: undefined,
  };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith("-") || arg === "(" || arg === "\\(" || arg === ")" || arg === "\\)") break;
    if (arg === "!" || arg.includes("//") || arg === "") return undefined;
    plan.starts.push(arg);
  }
  if (plan.starts.length === 0) plan.starts.push(".");
  for (; i < args.length; i++) {
    const arg = args[i]!;
    const value = args[i + 1];
    switch (arg) {
      case "-print":
        // Last, it prints what passed the tests; earlier, it would print before them.
        if (i !== args.length - 1) return undefined;
        continue;
      case "-name":
      case "-iname": {
        const ignoreCase = arg === "-iname";
        if (value === undefined || !acceptedPattern(value, ignoreCase)) return undefined;
        plan.names.push({ pattern: value, ignoreCase });
        i++;
        continue;
      }
      case "-type":
        if ((value !== "f" && value !== "d") || (plan.type && plan.type !== value))
          return undefined;
        plan.type = value;
        i++;
        continue;
      case "-maxdepth":
      case "-mindepth": {
        if (value === undefined || !/^\d{1,6}$/.test(value)) return undefined;
        if (arg === "-maxdepth") plan.maxDepth = Number(value);
        else plan.minDepth = Number(value);
        i++;
        continue;
      }
      default:
        return undefined;
    }
  }
  return plan;
}

function acceptedPattern(pattern: string, ignoreCase: boolean): boolean {
  if (SUFFIX.test(pattern)) return true;
  return PLAIN.test(pattern) && !(ignoreCase && NON_ASCII.test(pattern));
}

function nameMatches(name: string, test: SimpleFind["names"][number]): boolean {
  const suffix = SUFFIX.exec(test.pattern)?.[1];
  if (suffix !== undefined) {
    return test.ignoreCase
      ? name.toLowerCase().endsWith(suffix.toLowerCase())
      : name.endsWith(suffix);
  }
  return test.ignoreCase
    ? name.toLowerCase() === test.pattern.toLowerCase()
    : name === test.pattern;
}

/** Thrown inside the walk when the bundled find must answer instead. */
class LeaveItToFind extends Error {}

interface Entry {
  path: string;
  depth: number;
  isFile: boolean;
  isDirectory: boolean;
}

/**
 * The lines `plan` prints, or undefined when the bundled find must run: the
 * same starting points, listing order and depth rules as just-bash's walk.
 */
export async function walkSimpleFind(
  fs: IFileSystem,
  cwd: string,
  plan: SimpleFind,
  limits: NonNullable<CommandContext["limits"]>,
): Promise<{ lines: string[]; visited: number } | undefined> {
  const depthLimit = Math.min(plan.maxDepth ?? limits.maxTraversalDepth, limits.maxTraversalDepth);
  // Far from every traversal and output limit, so none can be hit where the bundled find would.
  const entryBudget = Math.min(limits.maxTraversalEntries, limits.maxTraversalWork) / 4;
  const outputBudget = limits.maxOutputSize / 2;
  const lines: string[] = [];
  let visited = 0;
  let outputBytes = 0;
  const matches = (name: string, entry: Entry) =>
    (plan.minDepth === undefined || entry.depth >= plan.minDepth) &&
    (plan.type === undefined || (plan.type === "f" ? entry.isFile : entry.isDirectory)) &&
    plan.names.every((test) => nameMatches(name, test));
  try {
    for (let start of plan.starts) {
      if (start.length > 1 && start.endsWith("/")) start = start.slice(0, -1);
      const root = fs.resolvePath(cwd, start);
      await fs.stat(root); // a missing starting point: the bundled find words the error
      const rootStat = await fs.lstat(root);
      const relative = (path: string) =>
        path === root
          ? start
          : start === "."
            ? `./${path.slice(root === "/" ? 1 : root.length + 1)}`
            : start + path.slice(root.length);
      const visit = async (entry: Entry, name: string): Promise<void> => {
        if (++visited > entryBudget || entry.depth > limits.maxTraversalDepth) {
          throw new LeaveItToFind();
        }
        if (entry.depth > depthLimit) return;
        if (matches(name, entry)) {
          const line = relative(entry.path);
          outputBytes += line.length + 1;
          if (outputBytes > outputBudget) throw new LeaveItToFind();
          lines.push(line);
        }
        if (!entry.isDirectory || entry.depth >= depthLimit) return;
        const children = await fs.readdirWithFileTypes!(entry.path);
        for (const child of children) {
          const path = entry.path === "/" ? `/${child.name}` : `${entry.path}/${child.name}`;
          const next = { path, depth: entry.depth + 1, ...kind(child) };
          await visit(next, child.name);
        }
      };
      const rootEntry = { path: root, depth: 0, ...kind(rootStat) };
      await visit(rootEntry, start.split("/").pop() || start);
    }
  } catch {
    // A limit in sight, a missing path, a listing that failed: the bundled find says what it says.
    return undefined;
  }
  return { lines, visited };
}

function kind(entry: { isFile: boolean; isDirectory: boolean }) {
  return { isFile: entry.isFile, isDirectory: entry.isDirectory };
}

/** `find`, fast for SimpleFind's forms on `fs`; otherwise (or with a deny policy) the bundled one. */
export function fastFindCommand(fs: IFileSystem, options: { denyPolicy: boolean }): Command {
  return defineCommand("find", async (args, ctx) => {
    const original = ctx.origCommand;
    if (!original) throw new Error("find: the bundled command is missing");
    const limits = ctx.limits;
    const fast = !options.denyPolicy && fs.readdirWithFileTypes !== undefined && limits;
    const plan = fast ? simpleFind(args) : undefined;
    const found = plan && limits && (await walkSimpleFind(fs, ctx.cwd, plan, limits));
    if (!found) return original(args);
    // The bundled walk charges the script's work budget about twice per entry.
    ctx.executionScope?.consumeWork(2 * found.visited, "find filesystem traversal");
    return {
      stdout: found.lines.length ? `${found.lines.join("\n")}\n` : "",
      stderr: "",
      exitCode: 0,
    };
  });
}
