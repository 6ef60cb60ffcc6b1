/** Conversions between the string encodings just-bash passes around and bytes. */

export type TextEncodingName = "utf8" | "utf-8" | "ascii" | "binary" | "base64" | "hex" | "latin1";

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");

export function encodeText(text: string, encoding: TextEncodingName = "utf8"): Uint8Array {
  switch (encoding) {
    case "utf8":
    case "utf-8":
      return utf8.encode(text);
    case "base64":
      return new Uint8Array(Buffer.from(text, "base64"));
    case "hex":
      return new Uint8Array(Buffer.from(text, "hex"));
    default:
      return latin1Bytes(text);
  }
}

export function decodeBytes(bytes: Uint8Array, encoding: TextEncodingName = "utf8"): string {
  switch (encoding) {
    case "utf8":
    case "utf-8":
      return utf8Lenient.decode(bytes);
    case "base64":
      return Buffer.from(bytes).toString("base64");
    case "hex":
      return Buffer.from(bytes).toString("hex");
    default:
      return latin1String(bytes);
  }
}

/** One char per byte (each char code 0–255). */
export function latin1String(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}

export function latin1Bytes(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "latin1"));
}

/** Decodes UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function tryDecodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}
