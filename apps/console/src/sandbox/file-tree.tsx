/** A lazy file tree: a directory lists when opened, 200 entries a page ("Show more" for the rest). */
import type { DirectoryEntry, DirectoryPage, Sandbox } from "@cairn/client";
import { useLayoutEffect, useState } from "preact/hooks";
import { errorText, formatBytes, joinPath } from "../format.js";

export const TREE_PAGE_SIZE = 200;

interface TreeProps {
  sandbox: Sandbox;
  /** Bumped after every change, so open directories list again. */
  generation: number;
  selected: string | undefined;
  onSelectFile: (path: string) => void;
  onSelectDirectory: (path: string) => void;
}

export function FileTree(props: TreeProps) {
  return (
    <nav aria-label="Files" class="tree">
      <DirectoryItems {...props} path="/" />
    </nav>
  );
}

function DirectoryItems(props: TreeProps & { path: string }) {
  const [entries, setEntries] = useState<DirectoryEntry[] | null>(null);
  const [page, setPage] = useState<DirectoryPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  // A layout effect sends the request before the first paint: an effect waits for the next
  // animation frame, which a background or busy tab may give late (Preact falls back to 100 ms).
  useLayoutEffect(() => {
    let live = true;
    props.sandbox.fs
      .list(props.path, { limit: TREE_PAGE_SIZE })
      .then((first) => {
        if (!live) return;
        setEntries(first.entries);
        setPage(first);
        setError(null);
      })
      .catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [props.path, props.generation]);
  if (error) return <p class="error">{error}</p>;
  if (!entries) return <p class="muted">Loading…</p>;
  if (entries.length === 0) return <p class="muted">(empty)</p>;
  return (
    <ul>
      {entries.map((entry) => (
        <TreeEntry
          key={entry.name}
          {...props}
          entry={entry}
          path={joinPath(props.path, entry.name)}
        />
      ))}
      {page?.hasNextPage() && (
        <li>
          <button
            type="button"
            class="link"
            onClick={async () => {
              try {
                const next = await page.getNextPage();
                if (!next) return;
                setEntries([...entries, ...next.entries]);
                setPage(next);
              } catch (e) {
                setError(errorText(e));
              }
            }}
          >
            Show more ({entries.length} shown)
          </button>
        </li>
      )}
    </ul>
  );
}

function TreeEntry(props: TreeProps & { entry: DirectoryEntry; path: string }) {
  const [open, setOpen] = useState(false);
  const { entry, path } = props;
  if (entry.type === "directory") {
    return (
      <li>
        <button
          type="button"
          class="entry dir"
          aria-expanded={open}
          aria-current={props.selected === path ? "true" : undefined}
          onClick={() => {
            setOpen(!open);
            props.onSelectDirectory(path);
          }}
        >
          <span aria-hidden="true">{open ? "▾ " : "▸ "}</span>
          {entry.name}/
        </button>
        {open && <DirectoryItems {...props} path={path} />}
      </li>
    );
  }
  return (
    <li>
      <button
        type="button"
        class="entry"
        aria-current={props.selected === path ? "true" : undefined}
        onClick={() => props.onSelectFile(path)}
      >
        {entry.name}
        {entry.type === "symlink" ? ` → ${entry.target ?? ""}` : ""}
        <span class="size">{formatBytes(entry.size)}</span>
      </button>
    </li>
  );
}
