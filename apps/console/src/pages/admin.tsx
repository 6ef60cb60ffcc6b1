/** Admin: tenants and their API keys (a new key is shown once; revoke with confirmation). */
import type { ApiKeyData, CreatedApiKey, TenantData } from "@cairn/client";
import { useEffect, useState } from "preact/hooks";
import { Check } from "../check.js";
import { ConfirmDialog } from "../confirm-dialog.js";
import { errorText, formatDate } from "../format.js";
import type { Session } from "../session.js";

export function AdminPage({ session }: { session: Session }) {
  const [tenants, setTenants] = useState<TenantData[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [newId, setNewId] = useState("");
  const [newName, setNewName] = useState("");
  const load = async () => {
    try {
      const all: TenantData[] = [];
      let cursor: string | undefined;
      do {
        const page = await session.cairn.tenants.list({ limit: 1000, cursor });
        all.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      setTenants(all);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, []);
  if (session.role !== "admin") {
    return <p role="alert">This page needs an admin key; yours is a tenant key.</p>;
  }
  return (
    <>
      <h1>Tenants and keys</h1>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <form
        class="inline"
        aria-label="New tenant"
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            const tenant = await session.cairn.tenants.create({
              id: newId.trim() || undefined,
              name: newName.trim() || undefined,
            });
            setNewId("");
            setNewName("");
            await load();
            setSelected(tenant.id);
          } catch (e) {
            setError(errorText(e));
          }
        }}
      >
        <label for="tenant-id">Tenant id (optional)</label>
        <input id="tenant-id" value={newId} onInput={(e) => setNewId(e.currentTarget.value)} />
        <label for="tenant-name">Name</label>
        <input
          id="tenant-name"
          value={newName}
          onInput={(e) => setNewName(e.currentTarget.value)}
        />
        <button type="submit">Create tenant</button>
      </form>
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Tenant</th>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(tenants ?? []).map((t) => (
            <tr key={t.id}>
              <td class="mono">{t.id}</td>
              <td>{t.name ?? "—"}</td>
              <td>{formatDate(t.createdAt)}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Keys of ${t.id}`}
                  onClick={() => setSelected(t.id)}
                >
                  Keys
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {selected && <TenantKeys key={selected} session={session} tenantId={selected} />}
    </>
  );
}

function TenantKeys({ session, tenantId }: { session: Session; tenantId: string }) {
  const [keys, setKeys] = useState<ApiKeyData[] | null>(null);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKeyData | null>(null);
  const [name, setName] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = async () => {
    try {
      setKeys((await session.cairn.tenants.listKeys(tenantId, { limit: 1000 })).items);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    void load();
  }, [tenantId]);
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">
        Keys of <span class="mono">{tenantId}</span>
      </h2>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <form
        class="inline"
        aria-label="New key"
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            setCreated(
              await session.cairn.tenants.createKey(tenantId, {
                name: name.trim() || undefined,
                readOnly,
              }),
            );
            setName("");
            await load();
          } catch (e) {
            setError(errorText(e));
          }
        }}
      >
        <label for="key-name">Key name</label>
        <input id="key-name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <Check label="Read only" checked={readOnly} onChange={setReadOnly} />
        <button type="submit">Create key</button>
      </form>
      {created && (
        <div class="once" role="alert">
          <p>
            The new key <strong>{created.name ?? created.id}</strong>. Copy it now: it is shown only
            this once.
          </p>
          <input
            aria-label="New API key"
            class="mono"
            readOnly
            value={created.key}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      )}
      <table class="list">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Revoked</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(keys ?? []).map((k) => (
            <tr key={k.id}>
              <td class="mono">{k.id}</td>
              <td>{k.name ?? "—"}</td>
              <td>{k.scopes.join(", ")}</td>
              <td>{formatDate(k.createdAt)}</td>
              <td>{formatDate(k.lastUsedAt)}</td>
              <td>{formatDate(k.revokedAt)}</td>
              <td>
                {!k.revokedAt && (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Revoke ${k.name ?? k.id}`}
                    onClick={() => setRevoking(k)}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking && (
        <ConfirmDialog
          title="Revoke this key?"
          confirmLabel="Revoke key"
          onCancel={() => setRevoking(null)}
          onConfirm={async () => {
            const target = revoking;
            setRevoking(null);
            try {
              await session.cairn.keys.revoke(target.id);
              await load();
            } catch (e) {
              setError(errorText(e));
            }
          }}
        >
          <p>
            Requests with <span class="mono">{revoking.id}</span> ({revoking.name ?? "unnamed"}) are
            refused from the next one on.
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
