/** One file: text (highlighted, numbered, editable), image, or binary as hex; download; tags and summary. */
import type { Sandbox } from "@cairn/client";
import { useEffect, useState } from "preact/hooks";
import { decodeText, hexRows, imageTypeOf, saveBlob } from "../bytes.js";
import { baseName, errorText, formatBytes } from "../format.js";
import { CodeView } from "./code-view.js";
import { Editor } from "./editor.js";
import { type LoadedFile, loadFile } from "./load-file.js";
import { MetaPanel } from "./meta-panel.js";

/** Files over this are not loaded into the page; they can still be downloaded. */
const PREVIEW_LIMIT = 8 * 1024 * 1024;

export function FileView(props: {
  sandbox: Sandbox;
  path: string;
  line?: number;
  generation: number;
  onChanged: () => void;
}) {
  const { sandbox, path } = props;
  const [file, setFile] = useState<LoadedFile | null>(null);
  const [size, setSize] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    let live = true;
    setError(null);
    (async () => {
      const stat = await sandbox.fs.stat(path);
      if (!live) return;
      setSize(stat.size);
      if (stat.type === "directory") throw new Error(`${path} is a directory`);
      if (stat.size > PREVIEW_LIMIT) {
        setFile(null);
        return;
      }
      const loaded = await loadFile(sandbox, path);
      if (live) setFile(loaded);
    })().catch((e) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [path, props.generation]);
  useEffect(() => {
    // Another file: nothing of the last one may show under its name while it loads.
    setEditing(false);
    setFile(null);
    setSize(null);
  }, [path]);

  const download = async () => {
    try {
      const bytes = file?.bytes ?? (await sandbox.fs.readBytes(path));
      saveBlob(new Blob([bytes as Uint8Array<ArrayBuffer>]), baseName(path));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const text = file ? decodeText(file.bytes) : undefined;
  const image = imageTypeOf(path);
  return (
    <section class="file" aria-labelledby="file-title">
      <div class="file-head">
        <h2 id="file-title" class="mono">
          {path}
        </h2>
        {size !== null && <span class="muted">{formatBytes(size)}</span>}
        <button type="button" onClick={download}>
          Download
        </button>
        {text !== undefined && !editing && (
          <button type="button" onClick={() => setEditing(true)}>
            Edit
          </button>
        )}
      </div>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {!file && size !== null && size > PREVIEW_LIMIT && (
        <p>This file is larger than {formatBytes(PREVIEW_LIMIT)}; download it to see it.</p>
      )}
      {file && editing && text !== undefined && (
        <Editor
          sandbox={sandbox}
          path={path}
          file={file}
          text={text}
          onSaved={(saved) => {
            setFile(saved);
            setEditing(false);
            props.onChanged();
          }}
          onCancel={() => setEditing(false)}
        />
      )}
      {file && !editing && image && <ImagePreview bytes={file.bytes} type={image} path={path} />}
      {file && !editing && !image && text !== undefined && (
        <CodeView path={path} text={text} line={props.line} />
      )}
      {file && !editing && !image && text === undefined && <HexView bytes={file.bytes} />}
      <MetaPanel sandbox={sandbox} path={path} generation={props.generation} />
    </section>
  );
}

function ImagePreview(props: { bytes: Uint8Array; type: string; path: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    const made = URL.createObjectURL(
      new Blob([props.bytes as Uint8Array<ArrayBuffer>], { type: props.type }),
    );
    setUrl(made);
    return () => URL.revokeObjectURL(made);
  }, [props.bytes, props.type]);
  return url ? <img class="preview" src={url} alt={`Preview of ${props.path}`} /> : null;
}

function HexView({ bytes }: { bytes: Uint8Array }) {
  const rows = hexRows(bytes);
  return (
    <section
      class="hex"
      aria-label="Binary contents as hex"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take keyboard focus (axe: scrollable-region-focusable)
      tabIndex={0}
    >
      <p class="muted">
        Binary file
        {bytes.length > 64 * 1024 ? `; the first 64 KiB of ${formatBytes(bytes.length)}` : ""}.
      </p>
      <pre>{rows.join("\n")}</pre>
    </section>
  );
}
