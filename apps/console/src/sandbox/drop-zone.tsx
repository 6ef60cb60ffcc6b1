/** Upload by drag and drop (or a file picker): files as they are; tar files and directories through the archive import. */
import type { Sandbox } from "@cairn/client";
import { useState } from "preact/hooks";
import { errorText, formatBytes, joinPath } from "../format.js";
import { clientFor } from "../session.js";
import { tarOf } from "../tar.js";
import { type DroppedFile, filesOfDirectory, isArchiveName, progressFetch } from "../upload.js";

interface Props {
  sandbox: Sandbox;
  apiKey: string;
  /** Where dropped things land. */
  directory: string;
  onUploaded: () => void;
}

export function DropZone(props: Props) {
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<{ label: string; sent: number; total: number } | null>(
    null,
  );
  const [status, setStatus] = useState<string | null>(null);

  /** The same sandbox through a client whose fetch reports upload progress. */
  const tracked = async (label: string) => {
    const cairn = clientFor(
      props.apiKey,
      progressFetch((sent, total) => setProgress({ label, sent, total })),
    );
    return cairn.sandboxes.get(props.sandbox.id);
  };

  const importTar = async (label: string, blob: Blob, gzip: boolean) => {
    setProgress({ label, sent: 0, total: blob.size });
    const sandbox = await tracked(label);
    const result = await sandbox.archive.import(blob, { path: props.directory, gzip });
    return `${label}: ${result.files} files unpacked into ${props.directory} (version ${result.version})`;
  };

  const upload = async (files: File[], directories: FileSystemDirectoryEntry[]) => {
    const done: string[] = [];
    try {
      for (const directory of directories) {
        const found: DroppedFile[] = await filesOfDirectory(directory);
        done.push(await importTar(`${directory.name}/`, tarOf(found), false));
      }
      for (const file of files) {
        if (isArchiveName(file.name)) {
          done.push(await importTar(file.name, file, /gz$/i.test(file.name)));
          continue;
        }
        setProgress({ label: file.name, sent: 0, total: file.size });
        const sandbox = await tracked(file.name);
        await sandbox.fs.write(joinPath(props.directory, file.name), file);
        done.push(`${file.name}: saved`);
      }
      setStatus(done.join("; "));
    } catch (e) {
      setStatus([...done, `failed: ${errorText(e)}`].join("; "));
    } finally {
      setProgress(null);
      props.onUploaded();
    }
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dropping is for pointers; the file input inside is the keyboard way
    <div
      class={`drop ${over ? "over" : ""}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        const files: File[] = [];
        const directories: FileSystemDirectoryEntry[] = [];
        for (const item of Array.from(event.dataTransfer?.items ?? [])) {
          const entry = item.webkitGetAsEntry?.();
          if (entry?.isDirectory) directories.push(entry as FileSystemDirectoryEntry);
          else {
            const file = item.getAsFile();
            if (file) files.push(file);
          }
        }
        void upload(files, directories);
      }}
    >
      <p>
        Drop files, folders or a .tar/.tar.gz here to upload into{" "}
        <span class="mono">{props.directory}</span>
      </p>
      <label for="upload-input">Or choose files</label>
      <input
        id="upload-input"
        type="file"
        multiple
        onChange={(event) => {
          const input = event.currentTarget;
          void upload(Array.from(input.files ?? []), []).then(() => {
            input.value = "";
          });
        }}
      />
      {progress && (
        <div class="progress">
          <label for="upload-progress">Uploading {progress.label}</label>
          <progress id="upload-progress" max={progress.total || 1} value={progress.sent} />
          <span>
            {formatBytes(progress.sent)} of {formatBytes(progress.total)}
          </span>
        </div>
      )}
      {status && <p role="status">{status}</p>}
    </div>
  );
}
