/** The sandboxes list: filter, create (name, env, policy, runtimes, persistent shell), delete with confirmation. */
import type { Sandbox } from "@cairn/client";
import { useLayoutEffect, useState } from "preact/hooks";
import { Check } from "../check.js";
import { ConfirmDialog } from "../confirm-dialog.js";
import { errorText, formatDate } from "../format.js";
import { Link, navigate } from "../router.js";
import type { Session } from "../session.js";
import { UsageText } from "../usage-text.js";

const PAGE_SIZE = 100;

export function SandboxesPage({ session }: { session: Session }) {
  const [sandboxes, setSandboxes] = useState<Sandbox[] | null>(null);
  const [next, setNext] = useState<(() => Promise<void>) | null>(null);
  const [filter, setFilter] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Sandbox | null>(null);

  const load = async () => {
    try {
      let page = await session.cairn.sandboxes.list({ limit: PAGE_SIZE });
      const all = [...page.items];
      setSandboxes(all);
      const more = () => async () => {
        const following = await page.getNextPage();
        if (!following) return;
        page = following;
        all.push(...following.items);
        setSandboxes([...all]);
        setNext(following.hasNextPage() ? more : null);
      };
      setNext(page.hasNextPage() ? more : null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  // A layout effect sends the request before the first paint: an effect waits for the next
  // animation frame, which a background or busy tab may give late (Preact falls back to 100 ms).
  useLayoutEffect(() => {
    void load();
  }, []);

  const needle = filter.trim().toLowerCase();
  const shown = (sandboxes ?? []).filter(
    (s) =>
      !needle ||
      s.id.toLowerCase().includes(needle) ||
      (s.name ?? "").toLowerCase().includes(needle),
  );
  return (
    <>
      <h1>Sandboxes</h1>
      <CreateSandboxForm session={session} />
      <section aria-labelledby="list-title">
        <h2 id="list-title">All sandboxes</h2>
        <div class="toolbar">
          <label for="filter">Filter</label>
          <input
            id="filter"
            type="search"
            placeholder="name or id"
            value={filter}
            onInput={(event) => setFilter(event.currentTarget.value)}
          />
          <span aria-live="polite">
            {sandboxes ? `${shown.length} of ${sandboxes.length}${next ? "+" : ""}` : "Loading…"}
          </span>
        </div>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Id</th>
              <th scope="col">Size</th>
              <th scope="col">Version</th>
              <th scope="col">Runtimes</th>
              <th scope="col">Created</th>
              <th scope="col">Updated</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link href={`/sandboxes/${encodeURIComponent(s.id)}`}>
                    {s.name ?? "(unnamed)"}
                  </Link>
                </td>
                <td class="mono">{s.id}</td>
                <td>
                  <UsageText sandbox={s} />
                </td>
                <td>{s.version}</td>
                <td>{s.runtimes.join(", ") || "—"}</td>
                <td>{formatDate(s.createdAt)}</td>
                <td>{formatDate(s.updatedAt)}</td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete ${s.name ?? s.id}`}
                    onClick={() => setDeleting(s)}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {next && (
          <button type="button" onClick={() => void next()}>
            Load more
          </button>
        )}
      </section>
      {deleting && (
        <ConfirmDialog
          title="Delete this sandbox?"
          confirmLabel="Delete sandbox"
          onCancel={() => setDeleting(null)}
          onConfirm={async () => {
            const target = deleting;
            setDeleting(null);
            try {
              await session.cairn.sandboxes.delete(target.id);
              setSandboxes((list) => list?.filter((s) => s.id !== target.id) ?? null);
            } catch (e) {
              setError(errorText(e));
            }
          }}
        >
          <p>
            <strong>{deleting.name ?? "(unnamed)"}</strong> (<span class="mono">{deleting.id}</span>
            ) and every file in it will be deleted. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

/** `KEY=value` lines as an env object, or the first bad line. */
export function parseEnv(text: string): Record<string, string> | string {
  const env: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return `not KEY=value: ${line}`;
    env[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return env;
}

function CreateSandboxForm({ session }: { session: Session }) {
  const [name, setName] = useState("");
  const [env, setEnv] = useState("");
  const [python, setPython] = useState(false);
  const [jsExec, setJsExec] = useState(false);
  const [persistShell, setPersistShell] = useState(false);
  const [readOnly, setReadOnly] = useState(false);
  const [denySecrets, setDenySecrets] = useState(false);
  const [redactSecrets, setRedactSecrets] = useState(false);
  const [denyGlobs, setDenyGlobs] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <details class="create">
      <summary>New sandbox</summary>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const parsed = parseEnv(env);
          if (typeof parsed === "string") {
            setError(parsed);
            return;
          }
          setBusy(true);
          setError(null);
          try {
            const runtimes = [...(python ? ["python3"] : []), ...(jsExec ? ["js-exec"] : [])];
            const sandbox = await session.cairn.sandboxes.create({
              name: name.trim() || undefined,
              env: parsed,
              persistShell,
              runtimes: runtimes as ("python3" | "js-exec")[],
              policy: {
                readOnly,
                denySecrets,
                redactSecrets,
                denyGlobs: denyGlobs
                  .split("\n")
                  .map((g) => g.trim())
                  .filter(Boolean),
              },
            });
            navigate(`/sandboxes/${encodeURIComponent(sandbox.id)}`);
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="new-name">Name</label>
          <input id="new-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="new-env">Environment (KEY=value, one a line)</label>
          <textarea
            id="new-env"
            rows={3}
            value={env}
            onInput={(e) => setEnv(e.currentTarget.value)}
          />
        </div>
        <fieldset>
          <legend>Runtimes and shell</legend>
          <Check label="python3" checked={python} onChange={setPython} />
          <Check label="js-exec" checked={jsExec} onChange={setJsExec} />
          <Check label="Persistent shell" checked={persistShell} onChange={setPersistShell} />
        </fieldset>
        <fieldset>
          <legend>Policy</legend>
          <Check label="Read only" checked={readOnly} onChange={setReadOnly} />
          <Check label="Deny secret files" checked={denySecrets} onChange={setDenySecrets} />
          <Check label="Redact secrets" checked={redactSecrets} onChange={setRedactSecrets} />
          <div class="field">
            <label for="new-deny">Denied globs (one a line)</label>
            <textarea
              id="new-deny"
              rows={2}
              value={denyGlobs}
              onInput={(e) => setDenyGlobs(e.currentTarget.value)}
            />
          </div>
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? "Creating…" : "Create sandbox"}
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}
