/** Which grep command lines a text index may narrow, and the regex just-bash would compile. */
import { describe, expect, it } from "vitest";
import { indexableGrep } from "./grep-args.js";

const query = (command: "grep" | "egrep" | "fgrep", ...args: string[]) =>
  indexableGrep(command, args)?.query;

describe("indexableGrep", () => {
  it("takes recursive greps whose non-matching files print nothing", () => {
    expect(indexableGrep("grep", ["-rl", "RARE", "/w"])).toEqual({
      query: { pattern: "RARE", fixedString: false, ignoreCase: false },
      operands: 1,
    });
    expect(query("grep", "-rniw", "-e", "foo", "/a", "/b")).toEqual({
      pattern: "foo",
      fixedString: false,
      ignoreCase: true,
    });
    expect(query("fgrep", "-r", "a.b", ".")).toEqual({
      pattern: "a.b",
      fixedString: true,
      ignoreCase: false,
    });
    expect(query("grep", "-r", "--include=*.ts", "-m", "2", "-A1", "x", ".")?.pattern).toBe("x");
  });

  it("refuses what prints for files without a match, reads patterns elsewhere, or is not recursive", () => {
    for (const args of [
      ["-rv", "x", "."],
      ["-rc", "x", "."],
      ["-rL", "x", "."],
      ["-r", "-f", "pats", "."],
      ["-r", "--file=pats", "."],
      ["-rP", "x", "."],
      ["-rZ", "x", "."],
      ["-r", "x"],
      ["-l", "x", "a"],
      ["-r", "", "."],
      ["-r", "a\nb", "."],
      ["-r", "--help"],
    ]) {
      expect(indexableGrep("grep", args), args.join(" ")).toBeUndefined();
    }
  });

  it("rewrites BRE as just-bash does and spells out POSIX classes", () => {
    expect(query("grep", "-r", "a\\{2\\}b+\\(c\\|d\\)", ".")?.pattern).toBe("a{2}b\\+(c|d)");
    expect(query("grep", "-r", "*x$y^", ".")?.pattern).toBe("\\*x\\$y\\^");
    expect(query("grep", "-rE", "RARE_[[:xdigit:]]{4}$", ".")?.pattern).toBe(
      "RARE_[0-9A-Fa-f]{4}$",
    );
    expect(query("grep", "-rE", "x", "-E", ".")?.pattern).toBe("x");
    expect(query("grep", "-r", "\\<word", ".")).toBeUndefined();
  });
});
