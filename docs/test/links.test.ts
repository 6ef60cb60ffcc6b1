/** Every relative link in README.md and docs/ leads to a file that exists, and to its heading. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { anchors, documentationFiles, links, ROOT } from "./markdown.js";

/**
 * Pages another branch is writing at the same time; each may be linked before it lands.
 * Remove an entry once its page is in the tree (the test says so).
 */
const PENDING_PAGES = new Set<string>([]);

const files = documentationFiles();

describe("links", () => {
  it.each(files)("%s: relative links resolve, anchors included", (file) => {
    const broken: string[] = [];
    for (const link of links(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link.target)) continue; // https:, mailto:
      const [path = "", anchor] = link.target.split("#");
      const target = path === "" ? join(ROOT, file) : join(ROOT, dirname(file), path);
      const where = `${file}:${link.line} → ${link.target}`;
      const fromRoot = relative(ROOT, target);
      if (!existsSync(target)) {
        if (!PENDING_PAGES.has(fromRoot)) broken.push(`${where}: no such file`);
        continue;
      }
      if (anchor && statSync(target).isFile() && target.endsWith(".md")) {
        if (!anchors(target).has(anchor)) broken.push(`${where}: no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("lists only pending pages that are still missing", () => {
    const landed = [...PENDING_PAGES].filter((page) => existsSync(join(ROOT, page)));
    expect(landed, "these pages exist now: drop them from PENDING_PAGES").toEqual([]);
  });

  it("keeps the README a front door of at most 12 KB", () => {
    expect(Buffer.byteLength(readFileSync(join(ROOT, "README.md")))).toBeLessThanOrEqual(12 * 1024);
  });

  it("links every page in docs/ from the README's map or another page", () => {
    const linked = new Set(
      files.flatMap((file) =>
        links(file)
          .filter((l) => !/^[a-z]+:/i.test(l.target))
          .map((l) => relative(ROOT, join(ROOT, dirname(file), l.target.split("#")[0] ?? ""))),
      ),
    );
    const orphans = files.filter((file) => file !== "README.md" && !linked.has(file));
    expect(orphans).toEqual([]);
  });
});
