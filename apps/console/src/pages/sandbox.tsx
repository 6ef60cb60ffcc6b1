/** One sandbox: file tree, file view/editor, upload and download, terminal, grep and search. */
import type { Sandbox } from "@cairn/client";
import { useLayoutEffect, useState } from "preact/hooks";
import { saveBlob } from "../bytes.js";
import { baseName, errorText, formatDate } from "../format.js";
import { Link, navigate } from "../router.js";
import { DropZone } from "../sandbox/drop-zone.js";
import { FileTree } from "../sandbox/file-tree.js";
import { FileView } from "../sandbox/file-view.js";
import { GrepPanel, SearchPanel } from "../sandbox/find-panel.js";
import { Terminal } from "../sandbox/terminal.js";
import type { Session } from "../session.js";
import { UsageText } from "../usage-text.js";

type Tool = "terminal" | "grep" | "search";

export function SandboxPage(props: {
  session: Session;
  sandboxId: string;
  openPath?: string;
  openLine?: number;
}) {
  const [sandbox, setSandbox] = useState<Sandbox | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [generation, setGeneration] = useState(0);
  const [directory, setDirectory] = useState("/");
  const [tool, setTool] = useState<Tool>("terminal");
  const [version, setVersion] = useState<number | null>(null);
  // A layout effect sends the request before the first paint: an effect waits for the next
  // animation frame, which a background or busy tab may give late (Preact falls back to 100 ms).
  useLayoutEffect(() => {
    props.session.cairn.sandboxes
      .get(props.sandboxId)
      .then((s) => {
        setSandbox(s);
        setVersion(s.version);
      })
      .catch((e) => setError(errorText(e)));
  }, [props.sandboxId]);

  const changed = () => {
    setGeneration((g) => g + 1);
    void sandbox?.refresh().then((s) => setVersion(s.version));
  };
  const open = (path: string, line?: number) => {
    const query = new URLSearchParams({ path });
    if (line) query.set("line", String(line));
    navigate(`/sandboxes/${encodeURIComponent(props.sandboxId)}?${query}`);
  };

  if (error) {
    return (
      <>
        <p role="alert" class="error">
          {error}
        </p>
        <Link href="/">Back to sandboxes</Link>
      </>
    );
  }
  if (!sandbox) return <p>Loading…</p>;
  return (
    <div class="sandbox">
      <div class="sandbox-head">
        <h1>{sandbox.name ?? "(unnamed)"}</h1>
        <span class="mono muted">{sandbox.id}</span>
        <span>version {version}</span>
        <UsageText sandbox={sandbox} generation={generation} ofQuota />
        <span class="muted">updated {formatDate(sandbox.updatedAt)}</span>
        {sandbox.toJSON().policy.readOnly && <span class="badge">read only</span>}
      </div>
      <div class="panes">
        <aside aria-label="Files and upload">
          <div class="toolbar">
            <span>
              Folder <span class="mono">{directory}</span>
            </span>
            <button
              type="button"
              onClick={async () => {
                try {
                  const { stream } = await sandbox.archive.export({ path: directory });
                  const blob = await new Response(stream).blob();
                  saveBlob(blob, `${directory === "/" ? sandbox.id : baseName(directory)}.tar.gz`);
                } catch (e) {
                  setError(errorText(e));
                }
              }}
            >
              Download folder (.tar.gz)
            </button>
            <button type="button" onClick={() => setDirectory("/")}>
              Root
            </button>
          </div>
          <FileTree
            sandbox={sandbox}
            generation={generation}
            selected={props.openPath}
            onSelectFile={(path) => open(path)}
            onSelectDirectory={setDirectory}
          />
          <DropZone
            sandbox={sandbox}
            apiKey={props.session.apiKey}
            directory={directory}
            onUploaded={changed}
          />
        </aside>
        <div class="work">
          {props.openPath ? (
            <FileView
              sandbox={sandbox}
              path={props.openPath}
              line={props.openLine}
              generation={generation}
              onChanged={changed}
            />
          ) : (
            <p class="muted">Choose a file to view it.</p>
          )}
          <div class="tabs" role="tablist" aria-label="Tools">
            {(["terminal", "grep", "search"] as const).map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                id={`tab-${name}`}
                aria-selected={tool === name}
                aria-controls={`panel-${name}`}
                onClick={() => setTool(name)}
              >
                {name[0]?.toUpperCase() + name.slice(1)}
              </button>
            ))}
          </div>
          {/* All three stay mounted, so the terminal keeps its output while another tool shows. */}
          <div
            id="panel-terminal"
            role="tabpanel"
            aria-labelledby="tab-terminal"
            hidden={tool !== "terminal"}
          >
            <Terminal sandbox={sandbox} onCommitted={changed} />
          </div>
          <div id="panel-grep" role="tabpanel" aria-labelledby="tab-grep" hidden={tool !== "grep"}>
            <GrepPanel sandbox={sandbox} onOpen={open} />
          </div>
          <div
            id="panel-search"
            role="tabpanel"
            aria-labelledby="tab-search"
            hidden={tool !== "search"}
          >
            <SearchPanel sandbox={sandbox} onOpen={open} />
          </div>
        </div>
      </div>
    </div>
  );
}
