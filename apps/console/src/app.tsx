/** The shell of the console: sign-in gate, header with navigation and sign-out, and the routes. */
import { useState } from "preact/hooks";
import { AdminPage } from "./pages/admin.js";
import { SandboxPage } from "./pages/sandbox.js";
import { SandboxesPage } from "./pages/sandboxes.js";
import { SignInPage } from "./pages/sign-in.js";
import { Link, navigate, useLocation } from "./router.js";
import { type Session, savedSession, signOut } from "./session.js";

export function App() {
  const [session, setSession] = useState<Session | null>(savedSession);
  const { path, query } = useLocation();
  if (!session) {
    return (
      <SignInPage
        onSignedIn={(next) => {
          setSession(next);
          if (next.role === "admin") navigate("/admin");
        }}
      />
    );
  }
  const sandboxMatch = /^\/sandboxes\/([^/]+)$/.exec(path);
  let page = <SandboxesPage session={session} />;
  let title = "Sandboxes";
  if (path === "/admin" || session.role === "admin") {
    page = <AdminPage session={session} />;
    title = "Admin";
  } else if (sandboxMatch?.[1]) {
    const id = decodeURIComponent(sandboxMatch[1]);
    page = (
      <SandboxPage
        key={id}
        session={session}
        sandboxId={id}
        openPath={query.get("path") ?? undefined}
        openLine={Number(query.get("line")) || undefined}
      />
    );
    title = id;
  }
  document.title = `${title} · Cairn console`;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Cairn</span>
        <nav aria-label="Main">
          {session.role === "tenant" ? (
            <Link href="/">Sandboxes</Link>
          ) : (
            <Link href="/admin">Admin</Link>
          )}
        </nav>
        <span class="role">{session.role === "admin" ? "admin key" : "tenant key"}</span>
        <button
          type="button"
          onClick={() => {
            signOut();
            setSession(null);
            navigate("/");
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main">{page}</main>
    </>
  );
}
