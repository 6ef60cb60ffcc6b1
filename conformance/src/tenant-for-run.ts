/** With only an admin key, the CLI runs the suite as a tenant it creates for the run. */

export interface RunTenant {
  apiKey: string;
  /** Revokes the key and deletes the tenant (its sandboxes are gone by then). */
  dispose(): Promise<void>;
}

async function call(
  baseUrl: string,
  adminKey: string,
  method: string,
  path: string,
  body?: object,
) {
  const res = await fetch(`${baseUrl.replace(/\/+$/, "")}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/**
 * Creates a tenant and a key for it with the admin key.
 * @example
 * const tenant = await tenantForRun("http://127.0.0.1:7878", adminKey);
 * try { await runConformance({ baseUrl, apiKey: tenant.apiKey, adminApiKey: adminKey }); }
 * finally { await tenant.dispose(); }
 */
export async function tenantForRun(baseUrl: string, adminKey: string): Promise<RunTenant> {
  const tenant = await call(baseUrl, adminKey, "POST", "/v1/tenants", {
    name: "cairn-conformance run",
  });
  const tenantId = String(tenant.id);
  const key = await call(baseUrl, adminKey, "POST", `/v1/tenants/${tenantId}/keys`, {
    name: "cairn-conformance",
  });
  return {
    apiKey: String(key.key),
    async dispose() {
      await call(baseUrl, adminKey, "DELETE", `/v1/keys/${String(key.id)}`);
      await call(baseUrl, adminKey, "DELETE", `/v1/tenants/${tenantId}`);
    },
  };
}
