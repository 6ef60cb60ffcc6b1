/** Uploads: files one by one, tar archives and dropped directories through the archive import, with progress. */
import type { Fetch } from "@cairn/client";

export type Progress = (sent: number, total: number) => void;

/**
 * A fetch over XMLHttpRequest, the one browser API that reports upload progress. The client
 * still builds, retries and reads every request; only the sending is done here.
 */
export function progressFetch(onProgress: Progress): Fetch {
  return async (request) => {
    const body =
      request.method === "GET" || request.method === "HEAD" ? null : await request.blob();
    return new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(request.method, request.url);
      xhr.responseType = "arraybuffer";
      for (const [name, value] of request.headers) xhr.setRequestHeader(name, value);
      xhr.upload.onprogress = (event) => onProgress(event.loaded, event.total || body?.size || 0);
      xhr.onload = () => {
        const headers = new Headers();
        for (const line of xhr
          .getAllResponseHeaders()
          .trim()
          .split(/[\r\n]+/)) {
          const colon = line.indexOf(":");
          if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
        }
        const empty = xhr.status === 204 || xhr.status === 304;
        resolve(new Response(empty ? null : xhr.response, { status: xhr.status, headers }));
      };
      xhr.onerror = () => reject(new TypeError("network error"));
      xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
      request.signal.addEventListener("abort", () => xhr.abort(), { once: true });
      xhr.send(body);
    });
  };
}

/** A file found in a dropped directory, with its path relative to the drop. */
export interface DroppedFile {
  path: string;
  file: File;
}

/** Walks a dropped directory (the entries API), depth first. */
export async function filesOfDirectory(entry: FileSystemDirectoryEntry): Promise<DroppedFile[]> {
  const out: DroppedFile[] = [];
  const walk = async (dir: FileSystemDirectoryEntry, prefix: string) => {
    const reader = dir.createReader();
    // readEntries answers in batches until it answers an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
        reader.readEntries(resolve, reject),
      );
      if (batch.length === 0) break;
      for (const child of batch) {
        const path = `${prefix}${child.name}`;
        if (child.isDirectory) await walk(child as FileSystemDirectoryEntry, `${path}/`);
        else {
          const file = await new Promise<File>((resolve, reject) =>
            (child as FileSystemFileEntry).file(resolve, reject),
          );
          out.push({ path, file });
        }
      }
    }
  };
  await walk(entry, `${entry.name}/`);
  return out;
}

/** Whether a dropped file is an archive to unpack rather than a file to store as is. */
export function isArchiveName(name: string): boolean {
  return /\.(tar|tar\.gz|tgz)$/i.test(name);
}
