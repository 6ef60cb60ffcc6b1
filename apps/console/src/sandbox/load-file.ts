/** Reading a file with the ETag of exactly the bytes read. */
import type { Sandbox } from "@cairn/client";
import { etagOfBytes } from "../bytes.js";

export interface LoadedFile {
  bytes: Uint8Array;
  etag: string;
}

export async function loadFile(sandbox: Sandbox, path: string): Promise<LoadedFile> {
  const bytes = await sandbox.fs.readBytes(path);
  // The ETag is the content's sha256: computed here, it belongs to these bytes for sure (a stat
  // afterwards could describe a newer version). Without crypto.subtle (an insecure origin) the
  // stat is the fallback.
  const etag = (await etagOfBytes(bytes)) ?? (await sandbox.fs.stat(path)).etag ?? "";
  return { bytes, etag };
}
