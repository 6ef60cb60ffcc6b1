/** A sandbox's size as the quota counts it: bytes and files, fetched when shown. */
import type { Sandbox, SandboxUsage } from "@cairn/client";
import { useEffect, useState } from "preact/hooks";
import { formatBytes } from "./format.js";

export function UsageText(props: { sandbox: Sandbox; generation?: number; ofQuota?: boolean }) {
  const [usage, setUsage] = useState<SandboxUsage | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    props.sandbox
      .usage()
      .then((u) => live && setUsage(u))
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [props.sandbox.id, props.generation]);
  if (failed) return <span class="muted">—</span>;
  if (!usage) return <span class="muted">…</span>;
  const files = `${usage.files.toLocaleString()} ${usage.files === 1 ? "entry" : "entries"}`;
  if (!props.ofQuota) return <span>{`${formatBytes(usage.bytes)}, ${files}`}</span>;
  return (
    <span>{`${formatBytes(usage.bytes)} of ${formatBytes(usage.maxBytes)}, ${files} of ${usage.maxFiles.toLocaleString()}`}</span>
  );
}
