import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { NotFoundError, PreconditionFailedError } from "./errors.js";
import { Sandbox } from "./sandbox.js";
import { API_KEY, newClient, problem, sandboxData, server, url, useServer } from "./test-server.js";

useServer();

describe("cairn.sandboxes", () => {
  it("create sends the body with the bearer key and returns a Sandbox", async () => {
    let seen: { auth: string | null; type: string | null; body: unknown } | undefined;
    server.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        seen = {
          auth: request.headers.get("authorization"),
          type: request.headers.get("content-type"),
          body: await request.json(),
        };
        return HttpResponse.json(sandboxData("sbx_1", { name: "demo", env: { A: "1" } }), {
          status: 201,
        });
      }),
    );
    const files = [{ path: "/a.txt", content: "hi" }];
    const sandbox = await newClient().sandboxes.create({ name: "demo", env: { A: "1" }, files });

    expect(seen).toEqual({
      auth: `Bearer ${API_KEY}`,
      type: "application/json",
      body: {
        name: "demo",
        env: { A: "1" },
        files: [{ path: "/a.txt", content: "hi", encoding: "utf8" }],
      },
    });
    expect(sandbox).toBeInstanceOf(Sandbox);
    expect(sandbox.toJSON()).toEqual(sandboxData("sbx_1", { name: "demo", env: { A: "1" } }));
    expect(sandbox).toMatchObject({ id: "sbx_1", name: "demo", version: 0, env: { A: "1" } });
  });

  it("create with no options sends an empty object", async () => {
    let body: unknown;
    server.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(sandboxData("sbx_2"), { status: 201 });
      }),
    );
    await newClient().sandboxes.create();
    expect(body).toEqual({});
  });

  it("create sends persistShell and runtimes", async () => {
    let body: unknown;
    const created = sandboxData("sbx_3", { persistShell: true, runtimes: ["python3"] });
    server.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const sandbox = await newClient().sandboxes.create({
      persistShell: true,
      runtimes: ["python3"],
    });
    expect(body).toEqual({ persistShell: true, runtimes: ["python3"] });
    expect(sandbox).toMatchObject({ persistShell: true, runtimes: ["python3"], shell: null });
  });

  it("create sends expiry and policy in the body, and the sandbox carries its expiry", async () => {
    let body: unknown;
    const created = sandboxData("sbx_4", {
      expiresAt: "2025-01-01T01:00:00.000Z",
      idleTimeout: 600,
      idleExpiresAt: "2025-01-01T00:10:00.000Z",
    });
    server.use(
      http.post(url("/v1/sandboxes"), async ({ request }) => {
        body = await request.json();
        return HttpResponse.json(created, { status: 201 });
      }),
    );
    const sandbox = await newClient().sandboxes.create({
      ttl: 3600,
      idleTimeout: 600,
      policy: { readOnly: true },
      idempotencyKey: "k-1",
    });
    expect(body).toEqual({ ttl: 3600, idleTimeout: 600, policy: { readOnly: true } });
    expect(sandbox).toMatchObject({
      expiresAt: "2025-01-01T01:00:00.000Z",
      idleTimeout: 600,
      idleExpiresAt: "2025-01-01T00:10:00.000Z",
    });
  });

  it("update patches a sandbox by id with If-Match from ifVersion", async () => {
    let seen: { method: string; ifMatch: string | null; body: unknown } | undefined;
    server.use(
      http.patch(url("/v1/sandboxes/:id"), async ({ request, params }) => {
        seen = {
          method: request.method,
          ifMatch: request.headers.get("if-match"),
          body: await request.json(),
        };
        return HttpResponse.json(sandboxData(String(params.id), { env: { CI: "1" }, version: 5 }));
      }),
    );
    const sandbox = await newClient().sandboxes.update(
      "sbx_4",
      { env: { CI: "1" } },
      { ifVersion: 4 },
    );
    expect(seen).toEqual({ method: "PATCH", ifMatch: '"4"', body: { env: { CI: "1" } } });
    expect(sandbox).toBeInstanceOf(Sandbox);
    expect(sandbox).toMatchObject({ id: "sbx_4", version: 5, env: { CI: "1" } });
  });

  it("update throws PreconditionFailedError when the version moved on", async () => {
    let calls = 0;
    server.use(
      http.patch(url("/v1/sandboxes/:id"), () => {
        calls++;
        return problem(412, "precondition_failed");
      }),
    );
    await expect(
      newClient().sandboxes.update("sbx_4", { name: "x" }, { ifVersion: 1 }),
    ).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(calls).toBe(1);
  });

  it("get fetches one sandbox", async () => {
    server.use(
      http.get(url("/v1/sandboxes/:id"), ({ params }) =>
        HttpResponse.json(sandboxData(String(params.id), { version: 7 })),
      ),
    );
    const sandbox = await newClient().sandboxes.get("sbx_7");
    expect(sandbox.id).toBe("sbx_7");
    expect(sandbox.version).toBe(7);
    expect(sandbox.fs).toBeDefined();
  });

  it("get throws NotFoundError with the request id", async () => {
    server.use(
      http.get(url("/v1/sandboxes/:id"), () =>
        problem(
          404,
          "sandbox_not_found",
          { detail: "no sandbox sbx_x" },
          { "x-request-id": "req_9" },
        ),
      ),
    );
    const error = await newClient()
      .sandboxes.get("sbx_x")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, code: "sandbox_not_found", requestId: "req_9" });
  });

  describe("list", () => {
    const all = ["sbx_a", "sbx_b", "sbx_c", "sbx_d", "sbx_e"];
    const queries: Record<string, string | null>[] = [];

    function listHandler() {
      return http.get(url("/v1/sandboxes"), ({ request }) => {
        const query = new URL(request.url).searchParams;
        queries.push({ limit: query.get("limit"), cursor: query.get("cursor") });
        const limit = Number(query.get("limit") ?? 50);
        const start = Number(query.get("cursor") ?? 0);
        const items = all.slice(start, start + limit).map((id) => sandboxData(id));
        const nextCursor = start + limit < all.length ? String(start + limit) : null;
        return HttpResponse.json({ items, nextCursor });
      });
    }

    it("awaits to the first page", async () => {
      server.use(listHandler());
      queries.length = 0;
      const page = await newClient().sandboxes.list({ limit: 2 });
      expect(page.items.map((s) => s.id)).toEqual(["sbx_a", "sbx_b"]);
      expect(page.items[0]).toBeInstanceOf(Sandbox);
      expect(page.nextCursor).toBe("2");
      expect(queries).toEqual([{ limit: "2", cursor: null }]);
    });

    it("iterates every sandbox across pages with for await", async () => {
      server.use(listHandler());
      queries.length = 0;
      const ids: string[] = [];
      for await (const sandbox of newClient().sandboxes.list({ limit: 2 })) ids.push(sandbox.id);
      expect(ids).toEqual(all);
      expect(queries).toEqual([
        { limit: "2", cursor: null },
        { limit: "2", cursor: "2" },
        { limit: "2", cursor: "4" },
      ]);
    });

    it("starts from a given cursor and walks pages by hand", async () => {
      server.use(listHandler());
      const page = await newClient().sandboxes.list({ limit: 2, cursor: "2" });
      expect(page.items.map((s) => s.id)).toEqual(["sbx_c", "sbx_d"]);
      const next = await page.getNextPage();
      expect(next?.items.map((s) => s.id)).toEqual(["sbx_e"]);
      expect(next?.nextCursor).toBeNull();
      expect(await next?.getNextPage()).toBeNull();
    });
  });

  it("delete sends DELETE and resolves on 204", async () => {
    let deleted: string | undefined;
    server.use(
      http.delete(url("/v1/sandboxes/:id"), ({ params }) => {
        deleted = String(params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await expect(newClient().sandboxes.delete("sbx_1")).resolves.toBeUndefined();
    expect(deleted).toBe("sbx_1");
  });
});

describe("cairn.health", () => {
  it("returns the server's status", async () => {
    server.use(
      http.get(url("/v1/health"), () => HttpResponse.json({ status: "ok", version: "1.0.0" })),
    );
    await expect(newClient().health()).resolves.toEqual({ status: "ok", version: "1.0.0" });
  });
});

describe("cairn.ready", () => {
  const storage = { reachable: true, problems: [] };
  it("returns readiness, and a 503's body as the answer, asked once", async () => {
    let calls = 0;
    server.use(
      http.get(url("/v1/ready"), () => {
        calls++;
        return calls === 1
          ? HttpResponse.json({ status: "ready", version: "1.0.0", draining: false, storage })
          : HttpResponse.json(
              { status: "not_ready", version: "1.0.0", draining: true, storage },
              { status: 503, headers: { "Retry-After": "1" } },
            );
      }),
    );
    await expect(newClient().ready()).resolves.toMatchObject({ status: "ready" });
    await expect(newClient().ready()).resolves.toMatchObject({
      status: "not_ready",
      draining: true,
    });
    expect(calls).toBe(2);
  });

  it("still throws on other failures", async () => {
    server.use(http.get(url("/v1/ready"), () => problem(500, "internal_error")));
    await expect(newClient().ready()).rejects.toMatchObject({ status: 500 });
  });
});

describe("cairn.limits", () => {
  it("GETs /v1/limits with the key and returns the server's bounds", async () => {
    let auth: string | null = null;
    server.use(
      http.get(url("/v1/limits"), ({ request }) => {
        auth = request.headers.get("authorization");
        return HttpResponse.json({ sandboxMaxBytes: 1024, rateLimitPerSecond: 0 });
      }),
    );
    await expect(newClient().limits()).resolves.toMatchObject({ sandboxMaxBytes: 1024 });
    expect(auth).toMatch(/^Bearer /);
  });
});
