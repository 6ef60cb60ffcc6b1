/** The terminal pane: exec with streamed stdout/stderr, exit code, commit status, history, persistent shell. */
import type { Sandbox } from "@cairn/client";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorText } from "../format.js";

interface Run {
  id: number;
  command: string;
  chunks: Array<{ stream: "stdout" | "stderr"; text: string }>;
  exit?: { code: number; commit: string; version: number; durationMs: number };
  error?: string;
}

const HISTORY_ITEM = "cairn.console.history";
const MAX_RUNS = 50;

function savedHistory(sandboxId: string): string[] {
  try {
    const all = JSON.parse(sessionStorage.getItem(HISTORY_ITEM) ?? "{}") as Record<
      string,
      string[]
    >;
    return all[sandboxId] ?? [];
  } catch {
    return [];
  }
}

function saveHistory(sandboxId: string, history: string[]): void {
  const all = JSON.parse(sessionStorage.getItem(HISTORY_ITEM) ?? "{}") as Record<string, string[]>;
  all[sandboxId] = history.slice(-100);
  sessionStorage.setItem(HISTORY_ITEM, JSON.stringify(all));
}

export function Terminal(props: { sandbox: Sandbox; onCommitted: () => void }) {
  const { sandbox } = props;
  const [command, setCommand] = useState("");
  const [runs, setRuns] = useState<Run[]>([]);
  const [history, setHistory] = useState(() => savedHistory(sandbox.id));
  const [cursor, setCursor] = useState<number | null>(null);
  const [running, setRunning] = useState<AbortController | null>(null);
  const [persist, setPersist] = useState(sandbox.persistShell);
  const [cwd, setCwd] = useState(sandbox.shell?.cwd ?? "/");
  const output = useRef<HTMLDivElement>(null);
  useEffect(() => {
    output.current?.scrollTo({ top: output.current.scrollHeight });
  }, [runs]);

  const run = async (script: string) => {
    const id = Date.now();
    const controller = new AbortController();
    setRunning(controller);
    const nextHistory = [...history.filter((h) => h !== script), script];
    setHistory(nextHistory);
    saveHistory(sandbox.id, nextHistory);
    setCursor(null);
    const update = (change: (run: Run) => Run) =>
      setRuns((all) => all.map((r) => (r.id === id ? change(r) : r)));
    setRuns((all) => [...all.slice(-(MAX_RUNS - 1)), { id, command: script, chunks: [] }]);
    try {
      for await (const event of sandbox.execStream(script, { signal: controller.signal })) {
        if (event.type === "exit") {
          update((r) => ({
            ...r,
            exit: {
              code: event.exitCode,
              commit:
                event.commit.status + (event.commit.reason ? ` (${event.commit.reason})` : ""),
              version: event.commit.version,
              durationMs: event.durationMs,
            },
          }));
          if (event.commit.status === "committed") props.onCommitted();
        } else {
          const stream = event.type;
          update((r) => ({ ...r, chunks: [...r.chunks, { stream, text: event.text }] }));
        }
      }
      if (persist) {
        await sandbox.refresh();
        setCwd(sandbox.shell?.cwd ?? "/");
      }
    } catch (e) {
      update((r) => ({ ...r, error: errorText(e) }));
    } finally {
      setRunning(null);
    }
  };

  return (
    <section class="terminal" aria-labelledby="terminal-title">
      <h2 id="terminal-title">Terminal</h2>
      <div class="toolbar">
        <label class="check">
          <input
            type="checkbox"
            checked={persist}
            onChange={async (e) => {
              const value = e.currentTarget.checked;
              try {
                await sandbox.update({ persistShell: value });
                setPersist(value);
              } catch (error) {
                setRuns((all) => [
                  ...all,
                  {
                    id: Date.now(),
                    command: "(persistent shell)",
                    chunks: [],
                    error: errorText(error),
                  },
                ]);
              }
            }}
          />
          Persistent shell
        </label>
        {persist && <span class="muted mono">cwd {cwd}</span>}
        <button type="button" onClick={() => setRuns([])}>
          Clear
        </button>
      </div>
      <div
        class="output"
        ref={output}
        role="log"
        aria-label="Command output"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take keyboard focus (axe: scrollable-region-focusable)
        tabIndex={0}
      >
        {runs.map((r) => (
          <div class="run" key={r.id}>
            <div class="prompt mono">$ {r.command}</div>
            <pre>
              {r.chunks.map((c, i) => (
                <span key={i} class={c.stream === "stderr" ? "stderr" : undefined}>
                  {c.text}
                </span>
              ))}
            </pre>
            {r.exit && (
              <div class={`exit ${r.exit.code === 0 ? "ok" : "fail"}`}>
                exit {r.exit.code} · {r.exit.commit} · version {r.exit.version} ·{" "}
                {Math.round(r.exit.durationMs)} ms
              </div>
            )}
            {r.error && <div class="exit fail">error: {r.error}</div>}
          </div>
        ))}
      </div>
      <form
        class="command"
        onSubmit={(event) => {
          event.preventDefault();
          const script = command.trim();
          if (!script || running) return;
          setCommand("");
          void run(script);
        }}
      >
        <label for="command">Command</label>
        <input
          id="command"
          class="mono"
          autoComplete="off"
          spellcheck={false}
          value={command}
          onInput={(e) => setCommand(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key !== "ArrowUp" && e.key !== "ArrowDown") return;
            if (history.length === 0) return;
            e.preventDefault();
            const at = cursor ?? history.length;
            const next =
              e.key === "ArrowUp" ? Math.max(0, at - 1) : Math.min(history.length, at + 1);
            setCursor(next);
            setCommand(history[next] ?? "");
          }}
        />
        {running ? (
          <button type="button" onClick={() => running.abort()}>
            Stop
          </button>
        ) : (
          <button type="submit">Run</button>
        )}
      </form>
    </section>
  );
}
