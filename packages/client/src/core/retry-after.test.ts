import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "./retry-after.js";

const NOW = Date.parse("2015-10-21T07:28:00Z");

describe("parseRetryAfter", () => {
  const cases: [string, { given: string | null | undefined; want: number | undefined }][] = [
    ["delay-seconds", { given: "120", want: 120 }],
    ["zero", { given: "0", want: 0 }],
    ["padded", { given: " 5 ", want: 5 }],
    ["an HTTP-date ahead", { given: "Wed, 21 Oct 2015 07:28:30 GMT", want: 30 }],
    ["an HTTP-date past", { given: "Wed, 21 Oct 2015 07:27:00 GMT", want: 0 }],
    ["absent", { given: null, want: undefined }],
    ["garbage", { given: "soon", want: undefined }],
    ["negative", { given: "-1", want: undefined }],
  ];

  it.each(cases)("%s", (_name, { given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});
