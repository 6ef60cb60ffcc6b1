/**
 * The console end to end in Debian's Chromium against a real `cairn serve` (in memory, then on
 * Postgres): sign in,
 * create a sandbox, run a command, edit (and resolve a 412), upload a tar, grep and search,
 * render hostile names as text, delete, sign out; axe-core on every page.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cairn, NotFoundError } from "@cairn/client";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDatabase,
  launchChromium,
  type Server,
  seriousViolations,
  skipReason,
  startCairn,
} from "./harness.js";

const KEY = "console-e2e-key-0123456789";
const XSS_NAME = "<script>window.__xss='name'</script>";
const XSS_FILE = "<img src=x onerror=window.__xss='file'>.html";
const XSS_CONTENT =
  "<script>window.__xss='content'</script>\n<img src=x onerror=\"window.__xss='img'\">\n";

if (skipReason) console.warn(`skipping the console's browser tests: ${skipReason}`);

const storages = [
  { storage: "memory", skip: skipReason },
  { storage: "postgres", skip: skipReason },
] as const;

describe.each(storages)("console in Chromium on $storage", ({ storage, skip }) => {
  if (skip) {
    it.skip(`(skipped: ${skip})`, () => {});
    return;
  }
  let server: Server;
  let db: { url: string; drop(): Promise<void> } | undefined;
  let browser: Browser;
  let page: Page;
  let api: Cairn;
  let sandboxId: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (storage === "postgres") db = await createDatabase();
    server = await startCairn([
      ...(db ? ["--database-url", db.url] : ["--memory"]),
      "--api-key",
      KEY,
    ]);
    api = new Cairn({ baseUrl: server.url, apiKey: KEY });
    browser = await launchChromium();
    page = await browser.newPage();
    page.setDefaultTimeout(10_000);
    page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await db?.drop();
  });

  async function expectAccessible(what: string) {
    const violations = await seriousViolations(page);
    expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  }

  it("serves the page with a strict CSP that refuses inline script", async () => {
    const response = await page.goto(`${server.url}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(response?.headers()["cache-control"]).toBe("no-cache");
    const ran = await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__inline = true";
      document.head.append(script);
      return (window as unknown as { __inline?: boolean }).__inline ?? false;
    });
    expect(ran).toBe(false);
  });

  it("refuses a wrong key and signs in with a right one (sessionStorage, no cookie)", async () => {
    await page.getByLabel("API key").fill("not-the-key-0123456789");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/unauthorized/);
    await expectAccessible("sign-in page");
    await page.getByLabel("API key").fill(KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Sandboxes", level: 1 }).waitFor();
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(await page.evaluate(() => sessionStorage.getItem("cairn.console.apiKey"))).toBe(KEY);
    await expectAccessible("sandboxes page");
  });

  it("creates a sandbox (hostile name shown as text)", async () => {
    await page.getByText("New sandbox").click();
    await page.getByLabel("Name", { exact: true }).fill(XSS_NAME);
    await page.getByLabel("Environment (KEY=value, one a line)").fill("GREETING=hello");
    await page.getByLabel("Persistent shell").check();
    await page.getByRole("button", { name: "Create sandbox" }).click();
    await page.getByRole("heading", { name: XSS_NAME, level: 1 }).waitFor();
    sandboxId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop() ?? "");
    const created = await api.sandboxes.get(sandboxId);
    expect(created.name).toBe(XSS_NAME);
    expect(created.env).toEqual({ GREETING: "hello" });
    expect(created.persistShell).toBe(true);
    await expectAccessible("sandbox page");
  });

  it("runs `echo hi > /a.txt` with streamed output and sees the file appear", async () => {
    const command = page.getByLabel("Command", { exact: true });
    await command.fill("echo out; echo err >&2; echo hi > /a.txt");
    await command.press("Enter");
    const log = page.getByRole("log", { name: "Command output" });
    await log.getByText(/exit 0 · committed · version \d+/).waitFor();
    expect(await log.locator(".stderr").textContent()).toBe("err\n");
    // The size in the header follows the commit: /a.txt holds "hi\n".
    await page.getByText("3 B of 1.0 GiB, 4 entries of 100,000").waitFor(); // /a.txt, /home, /home/user, /tmp
    await page.getByRole("button", { name: /^a\.txt/ }).click();
    await page.getByRole("region", { name: "Contents of /a.txt" }).getByText("hi").waitFor();
    // Persistent shell: the directory carries over, and history recalls the command.
    await command.fill("cd /tmp 2>/dev/null || mkdir -p /tmp && cd /tmp");
    await command.press("Enter");
    await page.getByText("cwd /tmp").waitFor();
    await command.press("ArrowUp");
    expect(await command.inputValue()).toBe("cd /tmp 2>/dev/null || mkdir -p /tmp && cd /tmp");
    await command.fill("");
  });

  it("edits and saves with If-Match", async () => {
    await page.getByRole("button", { name: "Edit" }).click();
    await page.getByLabel("Editing /a.txt").fill("hello from the console\n");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page
      .getByRole("region", { name: "Contents of /a.txt" })
      .getByText("hello from the console")
      .waitFor();
    const sandbox = await api.sandboxes.get(sandboxId);
    expect(await sandbox.fs.readText("/a.txt")).toBe("hello from the console\n");
    await expectAccessible("file view");
  });

  it("on a 412 shows the newer version and lets the user overwrite it", async () => {
    const sandbox = await api.sandboxes.get(sandboxId);
    await page.getByRole("button", { name: "Edit" }).click();
    await sandbox.fs.write("/a.txt", "written by an agent meanwhile\n");
    await page.getByLabel("Editing /a.txt").fill("my edit\n");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const conflict = page.locator(".conflict");
    await conflict.getByText("This file changed since you opened it").waitFor();
    expect(await conflict.locator("pre").textContent()).toBe("written by an agent meanwhile\n");
    expect(await sandbox.fs.readText("/a.txt")).toBe("written by an agent meanwhile\n");
    await expectAccessible("412 conflict");
    await page.getByRole("button", { name: "Overwrite with mine" }).click();
    await page.getByRole("region", { name: "Contents of /a.txt" }).getByText("my edit").waitFor();
    expect(await sandbox.fs.readText("/a.txt")).toBe("my edit\n");
  });

  it("on a 412 can take the newer version instead", async () => {
    const sandbox = await api.sandboxes.get(sandboxId);
    await page.getByRole("button", { name: "Edit" }).click();
    await sandbox.fs.write("/a.txt", "theirs\n");
    await page.getByLabel("Editing /a.txt").fill("mine, dropped\n");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("button", { name: "Take the newer version" }).click();
    await page.getByRole("region", { name: "Contents of /a.txt" }).getByText("theirs").waitFor();
    expect(await sandbox.fs.readText("/a.txt")).toBe("theirs\n");
  });

  it("uploads a tar (through the archive import) and a file by drag and drop", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-tar-"));
    mkdirSync(join(dir, "src", "lib"), { recursive: true });
    writeFileSync(
      join(dir, "src", "main.ts"),
      "import { parse } from './lib/parse';\nconst needle = parse('x');\n",
    );
    writeFileSync(
      join(dir, "src", "lib", "parse.ts"),
      "// parses the config\nexport function parse(s: string) {\n  return s;\n}\n",
    );
    execFileSync("tar", ["-cf", join(dir, "project.tar"), "-C", dir, "src"]);
    const bytes = [...readFileSync(join(dir, "project.tar"))];
    const transfer = await page.evaluateHandle((data) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(data)], "project.tar", { type: "application/x-tar" }));
      dt.items.add(new File(["dropped note\n"], "notes.txt", { type: "text/plain" }));
      return dt;
    }, bytes);
    await page.dispatchEvent(".drop", "drop", { dataTransfer: transfer });
    await page.getByRole("status").filter({ hasText: "project.tar:" }).waitFor();
    expect(
      await page.getByRole("status").filter({ hasText: "project.tar:" }).textContent(),
    ).toMatch(/project\.tar: 2 files unpacked into \/ .*; notes\.txt: saved/);
    const sandbox = await api.sandboxes.get(sandboxId);
    expect(await sandbox.fs.readText("/notes.txt")).toBe("dropped note\n");
    expect(await sandbox.fs.readText("/src/lib/parse.ts")).toContain("export function parse");
    await page.getByRole("button", { name: "src/" }).click();
    await page.getByRole("button", { name: /^main\.ts/ }).waitFor();
  });

  it("greps and jumps to the line", async () => {
    await page.getByRole("tab", { name: "Grep" }).click();
    await page.getByLabel("Pattern").fill("need.e");
    await page.getByRole("button", { name: "Grep", exact: true }).click();
    await page.getByRole("button", { name: "/src/main.ts:2" }).click();
    const hit = page.locator(".code tr.hit");
    await hit.waitFor();
    expect(await hit.locator("td.src").textContent()).toBe("const needle = parse('x');");
    expect(new URL(page.url()).searchParams.get("line")).toBe("2");
    // highlighted: keywords and strings are their own spans
    expect(await hit.locator(".t-keyword").first().textContent()).toBe("const");
    await expectAccessible("grep panel");
  });

  it("searches and jumps to the best line", async () => {
    await page.getByRole("tab", { name: "Search" }).click();
    await page.getByLabel("Words").fill("parses config");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("button", { name: "/src/lib/parse.ts" }).click();
    await page.locator(".code tr.hit").getByText("// parses the config").waitFor();
    await expectAccessible("search panel");
  });

  it("downloads a file, and a folder as tar.gz", async () => {
    const file = page.waitForEvent("download");
    await page.goto(`${server.url}/sandboxes/${encodeURIComponent(sandboxId)}?path=/src/main.ts`);
    await page.getByRole("button", { name: "Download", exact: true }).click();
    const saved = await file;
    expect(saved.suggestedFilename()).toBe("main.ts");
    expect(readFileSync(await saved.path(), "utf8")).toContain("const needle");
    await page.getByRole("button", { name: "src/" }).click();
    const folder = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download folder (.tar.gz)" }).click();
    const archive = await folder;
    expect(archive.suggestedFilename()).toBe("src.tar.gz");
    const listed = execFileSync("tar", ["-tzf", await archive.path()], { encoding: "utf8" });
    expect(listed.split("\n").filter(Boolean).sort()).toEqual(
      ["./", "lib/", "lib/parse.ts", "main.ts"].sort(),
    );
  });

  it("pages a large directory in the tree", async () => {
    const sandbox = await api.sandboxes.get(sandboxId);
    await sandbox.exec("mkdir /big && for i in $(seq 450); do echo $i > /big/f$i; done");
    await page.goto(`${server.url}/sandboxes/${encodeURIComponent(sandboxId)}`);
    await page.getByRole("button", { name: "big/" }).click();
    const entries = page.locator(".tree button.entry", { hasText: /^f\d+/ });
    await expect.poll(() => entries.count()).toBe(200);
    await page.getByRole("button", { name: "Show more (200 shown)" }).click();
    await expect.poll(() => entries.count()).toBe(400);
    await page.getByRole("button", { name: "Show more (400 shown)" }).click();
    await expect.poll(() => entries.count()).toBe(450);
    expect(await page.getByRole("button", { name: /^Show more/ }).count()).toBe(0);
  });

  it("renders hostile file names and contents as text, never as markup", async () => {
    const sandbox = await api.sandboxes.get(sandboxId);
    await sandbox.fs.write(`/${XSS_FILE}`, XSS_CONTENT);
    await page.goto(`${server.url}/sandboxes/${encodeURIComponent(sandboxId)}`);
    await page.getByRole("button", { name: XSS_FILE }).click();
    const view = page.getByRole("region", { name: `Contents of /${XSS_FILE}` });
    await view.getByText("<script>window.__xss='content'</script>").waitFor();
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.locator("main script").count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { __xss?: string }).__xss),
    ).toBeUndefined();
    expect(dialogs).toEqual([]);
    // The tags and summary take hostile text too, and show it back as text.
    await page.getByLabel("Summary", { exact: true }).fill("<b onmouseover=alert(1)>bold</b>");
    await page.getByRole("button", { name: "Save tags and summary" }).click();
    await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
    expect((await sandbox.fs.getMeta(`/${XSS_FILE}`)).summary).toBe(
      "<b onmouseover=alert(1)>bold</b>",
    );
    expect(await page.locator("main b").count()).toBe(0);
  });

  it("shows a binary file as hex", async () => {
    const sandbox = await api.sandboxes.get(sandboxId);
    await sandbox.fs.write("/blob.bin", new Uint8Array([0, 1, 2, 0x41, 0xff]));
    await page.goto(`${server.url}/sandboxes/${encodeURIComponent(sandboxId)}?path=/blob.bin`);
    const hex = page.getByRole("region", { name: "Binary contents as hex" });
    await hex.getByText("00000000  00 01 02 41 ff").waitFor();
    await expectAccessible("hex view");
  });

  it("deletes a sandbox after confirmation", async () => {
    await page.getByRole("link", { name: "Sandboxes" }).click();
    await page.getByRole("heading", { name: "Sandboxes", level: 1 }).waitFor();
    await page.getByRole("link", { name: XSS_NAME }).waitFor();
    await page.getByRole("button", { name: `Delete ${XSS_NAME}` }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this sandbox?" });
    await dialog.waitFor();
    await expectAccessible("delete confirmation");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await api.sandboxes.get(sandboxId)).id).toBe(sandboxId);
    await page.getByRole("button", { name: `Delete ${XSS_NAME}` }).click();
    await dialog.getByRole("button", { name: "Delete sandbox" }).click();
    await expect.poll(() => page.getByRole("link", { name: XSS_NAME }).count()).toBe(0);
    await expect(api.sandboxes.get(sandboxId)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("filters the list", async () => {
    await api.sandboxes.create({ name: "alpha-one" });
    await api.sandboxes.create({ name: "beta-two" });
    await page.reload();
    await page.getByRole("link", { name: "alpha-one" }).waitFor();
    const alpha = page
      .getByRole("row")
      .filter({ has: page.getByRole("link", { name: "alpha-one" }) });
    await alpha.getByText("0 B, 3 entries").waitFor(); // /home, /home/user and /tmp
    await page.getByLabel("Filter").fill("beta");
    await expect.poll(() => page.getByRole("link", { name: "alpha-one" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "beta-two" }).count()).toBe(1);
  });

  it("signs out and forgets the key", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("cairn.console.apiKey"))).toBeNull();
    expect(pageErrors).toEqual([]);
  });
});
