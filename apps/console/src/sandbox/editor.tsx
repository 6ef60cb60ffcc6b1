/** The editor: saves with If-Match; on 412 it shows the newer version and lets the user choose. */
import { PreconditionFailedError, type Sandbox } from "@cairn/client";
import { useState } from "preact/hooks";
import { decodeText } from "../bytes.js";
import { errorText } from "../format.js";
import { type LoadedFile, loadFile } from "./load-file.js";

const encoder = new TextEncoder();

export function Editor(props: {
  sandbox: Sandbox;
  path: string;
  file: LoadedFile;
  text: string;
  onSaved: (file: LoadedFile) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(props.text);
  const [base, setBase] = useState(props.file.etag);
  const [conflict, setConflict] = useState<{ file: LoadedFile; text: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (ifMatch: string) => {
    setBusy(true);
    setError(null);
    try {
      const result = await props.sandbox.fs.write(props.path, draft, { ifMatch });
      props.onSaved({ bytes: encoder.encode(draft), etag: result.file.etag ?? "" });
    } catch (e) {
      if (e instanceof PreconditionFailedError) {
        try {
          const newer = await loadFile(props.sandbox, props.path);
          setConflict({
            file: newer,
            text: decodeText(newer.bytes) ?? "(the newer version is binary)",
          });
        } catch (reload) {
          setError(`The file changed and could not be read again: ${errorText(reload)}`);
        }
      } else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="editor">
      <label for="editor-text">Editing {props.path}</label>
      <textarea
        id="editor-text"
        spellcheck={false}
        value={draft}
        onInput={(e) => setDraft(e.currentTarget.value)}
        rows={Math.min(30, Math.max(8, draft.split("\n").length + 1))}
      />
      {!conflict && (
        <div class="actions">
          <button type="button" disabled={busy} onClick={() => void save(base)}>
            {busy ? "Saving…" : "Save"}
          </button>
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        </div>
      )}
      {conflict && (
        <div class="conflict" role="alert">
          <h3>This file changed since you opened it</h3>
          <p>Someone (or a script) saved a newer version. Your changes are not saved yet.</p>
          <p>The newer version:</p>
          <pre
            class="newer"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take keyboard focus (axe: scrollable-region-focusable)
            tabIndex={0}
          >
            {conflict.text}
          </pre>
          <div class="actions">
            <button
              type="button"
              onClick={() => {
                setConflict(null);
                void save(conflict.file.etag);
              }}
            >
              Overwrite with mine
            </button>
            <button
              type="button"
              onClick={() => {
                setConflict(null);
                props.onSaved(conflict.file);
              }}
            >
              Take the newer version
            </button>
            <button
              type="button"
              onClick={() => {
                // Keep editing on top of the newer version: the next save replaces that one.
                setBase(conflict.file.etag);
                setConflict(null);
              }}
            >
              Keep editing
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </div>
  );
}
