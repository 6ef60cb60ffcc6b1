/** Sign in by pasting an API key; it stays in this tab's sessionStorage only. */
import { useState } from "preact/hooks";
import { errorText } from "../format.js";
import { type Session, signIn } from "../session.js";

export function SignInPage(props: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  document.title = "Sign in · Cairn console";
  return (
    <main id="main" class="sign-in">
      <h1>Cairn console</h1>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          try {
            props.onSignedIn(await signIn(key));
          } catch (e) {
            setError(errorText(e));
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autoComplete="off"
          spellcheck={false}
          required
          value={key}
          onInput={(event) => setKey(event.currentTarget.value)}
        />
        <p class="hint">
          Kept in this tab only (sessionStorage) and sent as a bearer token; no cookie is set.
        </p>
        <button type="submit" disabled={busy || key.trim() === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
