/** One page of a directory listing (the spec's DirectoryListing), iterable over every entry. */
import { Page } from "./core/pagination.js";
import type { DirectoryEntry } from "./types.js";

/**
 * A page of a directory's entries, sorted by name. `entries` and `items` are the same array.
 *
 * @example
 * const page = await sandbox.fs.list("/src");
 * for (const entry of page.entries) console.log(entry.name, entry.type);
 */
export class DirectoryPage extends Page<DirectoryEntry> {
  /** The directory's normalized absolute path. */
  readonly path: string;
  readonly #loadPage: (cursor: string) => Promise<DirectoryPage>;

  constructor(
    path: string,
    entries: DirectoryEntry[],
    nextCursor: string | null,
    loadPage: (cursor: string) => Promise<DirectoryPage>,
  ) {
    super(entries, nextCursor, loadPage);
    this.path = path;
    this.#loadPage = loadPage;
  }

  get entries(): DirectoryEntry[] {
    return this.items;
  }

  override async getNextPage(): Promise<DirectoryPage | null> {
    return this.nextCursor === null ? null : this.#loadPage(this.nextCursor);
  }
}
