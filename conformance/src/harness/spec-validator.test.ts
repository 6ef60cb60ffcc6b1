/** Tests of the response validator itself: it must catch every kind of spec violation. */
import { describe, expect, it } from "vitest";
import { type OperationMatch, SpecValidator } from "./spec-validator.js";

const validator = new SpecValidator();
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const headers = (contentType?: string, extra: Record<string, string> = {}) =>
  new Headers({ ...(contentType ? { "content-type": contentType } : {}), ...extra });

function op(method: string, path: string): OperationMatch {
  const match = validator.findOperation(method, path);
  if (!match) throw new Error(`no operation for ${method} ${path}`);
  return match;
}

const sandbox = {
  id: "sbx_abc123",
  name: null,
  version: 1,
  env: {},
  createdAt: "2025-01-02T03:04:05.678Z",
  updatedAt: "2025-01-02T03:04:05Z",
};
const problem = {
  type: "about:blank",
  title: "Not Found",
  status: 404,
  code: "ENOENT",
  retryable: false,
};

describe("SpecValidator.findOperation", () => {
  it.each([
    ["GET", "/v1/health", "getHealth"],
    ["POST", "/v1/sandboxes", "createSandbox"],
    ["GET", "/v1/sandboxes", "listSandboxes"],
    ["GET", "/v1/sandboxes/sbx_1", "getSandbox"],
    ["DELETE", "/v1/sandboxes/sbx_1", "deleteSandbox"],
    ["PUT", "/v1/sandboxes/sbx_1/files", "writeFile"],
    ["GET", "/v1/sandboxes/sbx_1/fs/stat", "statFile"],
    ["POST", "/v1/sandboxes/sbx_1/exec", "execScript"],
  ])("%s %s is %s", (method, path, operationId) => {
    expect(op(method, path).operationId).toBe(operationId);
  });

  it.each([
    ["GET", "/v1/nope"],
    ["PATCH", "/v1/health"],
    ["GET", "/v1/sandboxes//files"],
    ["BREW", "/v1/health"],
  ])("%s %s has no operation", (method, path) => {
    expect(validator.findOperation(method, path)).toBeUndefined();
  });
});

describe("SpecValidator.checkResponse", () => {
  it("accepts a conforming JSON body", () => {
    const res = {
      status: 200,
      headers: headers("application/json"),
      body: json({ status: "ok", version: "1" }),
    };
    expect(validator.checkResponse(op("GET", "/v1/health"), res).violations).toEqual([]);
  });

  it("rejects a body that violates the schema", () => {
    const res = {
      status: 200,
      headers: headers("application/json"),
      body: json({ status: "bad" }),
    };
    const { violations } = validator.checkResponse(op("GET", "/v1/health"), res);
    expect(violations.join("\n")).toMatch(
      /body\/status must be equal to one of the allowed values/,
    );
    expect(violations.join("\n")).toMatch(/must have required property 'version'/);
  });

  it("rejects a status the operation does not declare", () => {
    const res = { status: 500, headers: headers("application/json"), body: json({}) };
    const { violations } = validator.checkResponse(op("GET", "/v1/health"), res);
    expect(violations).toEqual(["status 500 is not declared (declared: 200)"]);
  });

  it("covers undeclared error statuses with `default`", () => {
    const body = json({ ...problem, status: 503, code: "unavailable" });
    const res = { status: 503, headers: headers("application/problem+json"), body };
    expect(validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1"), res).violations).toEqual([]);
  });

  it("rejects a Content-Type the spec does not declare for the status", () => {
    const res = { status: 404, headers: headers("application/json"), body: json(problem) };
    const { violations } = validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1"), res);
    expect(violations[0]).toMatch(/Content-Type "application\/json" is not declared for 404/);
  });

  it("rejects a missing Content-Type when content is declared", () => {
    const res = { status: 200, headers: headers(), body: json({ status: "ok", version: "1" }) };
    expect(validator.checkResponse(op("GET", "/v1/health"), res).violations[0]).toMatch(
      /missing Content-Type/,
    );
  });

  it("accepts media type parameters (charset)", () => {
    const res = {
      status: 200,
      headers: headers("application/json; charset=UTF-8"),
      body: json({ status: "ok", version: "1" }),
    };
    expect(validator.checkResponse(op("GET", "/v1/health"), res).violations).toEqual([]);
  });

  it("rejects a body on a status that declares no content", () => {
    const res = { status: 204, headers: headers(), body: new Uint8Array([1]) };
    const { violations } = validator.checkResponse(op("DELETE", "/v1/sandboxes/sbx_1"), res);
    expect(violations[0]).toMatch(/declares no content, but the body has 1 bytes/);
  });

  it("rejects invalid JSON", () => {
    const res = {
      status: 200,
      headers: headers("application/json"),
      body: new TextEncoder().encode("{"),
    };
    expect(validator.checkResponse(op("GET", "/v1/health"), res).violations[0]).toMatch(
      /not valid JSON/,
    );
  });

  it("checks format: date-time", () => {
    const body = json({ ...sandbox, createdAt: "yesterday" });
    const res = { status: 200, headers: headers("application/json"), body };
    const { violations } = validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1"), res);
    expect(violations.join("\n")).toMatch(/body\/createdAt must match format "date-time"/);
  });

  it("follows $refs through responses and allOf (WriteResult)", () => {
    const body = json({
      version: 2,
      file: { path: "/a", type: "file", size: -1, mode: 420, mtime: sandbox.createdAt },
    });
    const res = { status: 201, headers: headers("application/json"), body };
    const { violations } = validator.checkResponse(op("PUT", "/v1/sandboxes/sbx_1/files"), res);
    expect(violations.join("\n")).toMatch(/body\/file\/size must be >= 0/);
  });

  it("rejects a problem without its required code", () => {
    const { code: _code, ...withoutCode } = problem;
    const res = {
      status: 404,
      headers: headers("application/problem+json"),
      body: json(withoutCode),
    };
    const { violations } = validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1"), res);
    expect(violations.join("\n")).toMatch(/must have required property 'code'/);
  });

  it("rejects an error code outside the enum", () => {
    const res = {
      status: 404,
      headers: headers("application/problem+json"),
      body: json({ ...problem, code: "NOPE" }),
    };
    const { violations } = validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1"), res);
    expect(violations.join("\n")).toMatch(/body\/code must be equal to one of the allowed values/);
  });

  it("does not parse binary bodies", () => {
    const res = {
      status: 200,
      headers: headers("application/octet-stream", { "content-length": "3" }),
      body: new Uint8Array([0, 255, 1]),
    };
    expect(validator.checkResponse(op("GET", "/v1/sandboxes/sbx_1/files"), res).violations).toEqual(
      [],
    );
  });

  it("checks integer headers", () => {
    const shape = (length: string) => ({
      status: 200,
      headers: headers("application/octet-stream", { "content-length": length }),
      body: new Uint8Array(3),
    });
    const read = op("GET", "/v1/sandboxes/sbx_1/files");
    expect(validator.checkResponse(read, shape("3")).violations).toEqual([]);
    expect(validator.checkResponse(read, shape("abc")).violations).toEqual([
      'header Content-Length should be an integer, got "abc"',
    ]);
  });
});
