/** A file's tags and one-line summary (fs meta), read and saved with If-Match. */
import type { Sandbox } from "@cairn/client";
import { useEffect, useState } from "preact/hooks";
import { errorText } from "../format.js";

export function MetaPanel(props: { sandbox: Sandbox; path: string; generation: number }) {
  const [tags, setTags] = useState("");
  const [summary, setSummary] = useState("");
  const [etag, setEtag] = useState<string | undefined>();
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    props.sandbox.fs
      .getMeta(props.path)
      .then((meta) => {
        if (!live) return;
        setTags(meta.tags.join(", "));
        setSummary(meta.summary ?? "");
        setEtag(meta.etag ?? undefined);
        setStatus(null);
      })
      .catch((e) => live && setStatus(errorText(e)));
    return () => {
      live = false;
    };
  }, [props.path, props.generation]);
  return (
    <form
      class="meta"
      aria-label="Tags and summary"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          const saved = await props.sandbox.fs.setMeta(
            props.path,
            {
              tags: tags
                .split(",")
                .map((t) => t.trim())
                .filter(Boolean),
              summary: summary.trim() || null,
            },
            { ifMatch: etag },
          );
          setEtag(saved.etag ?? undefined);
          setStatus("Saved.");
        } catch (e) {
          setStatus(errorText(e));
        }
      }}
    >
      <div class="field">
        <label for="meta-tags">Tags (comma-separated)</label>
        <input id="meta-tags" value={tags} onInput={(e) => setTags(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="meta-summary">Summary</label>
        <input
          id="meta-summary"
          value={summary}
          onInput={(e) => setSummary(e.currentTarget.value)}
        />
      </div>
      <button type="submit">Save tags and summary</button>
      {status && <span role="status">{status}</span>}
    </form>
  );
}
