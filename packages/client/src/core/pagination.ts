/** Cursor pagination: a page of items that can fetch the next one, and a promise of a page you can `for await`. */

/**
 * One page of a listing. Iterating it with `for await` yields its items and then those of every
 * following page, fetched one page at a time as you go.
 *
 * @example
 * const page = await cairn.sandboxes.list({ limit: 10 });
 * console.log(page.items.length, page.nextCursor);
 * const next = await page.getNextPage(); // null on the last page
 */
export class Page<T> implements AsyncIterable<T> {
  readonly items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
  readonly #loadPage: (cursor: string) => Promise<Page<T>>;

  constructor(
    items: T[],
    nextCursor: string | null,
    loadPage: (cursor: string) => Promise<Page<T>>,
  ) {
    this.items = items;
    this.nextCursor = nextCursor;
    this.#loadPage = loadPage;
  }

  hasNextPage(): boolean {
    return this.nextCursor !== null;
  }

  /** Fetches the page after this one, or resolves to null on the last page. */
  async getNextPage(): Promise<Page<T> | null> {
    return this.nextCursor === null ? null : this.#loadPage(this.nextCursor);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (let page: Page<T> | null = this; page; page = await page.getNextPage()) {
      yield* page.items;
    }
  }
}

/**
 * A page still being fetched: `await` it for the first page, or `for await` it for every item
 * across all pages. The request starts on first use.
 *
 * @example
 * for await (const sandbox of cairn.sandboxes.list()) console.log(sandbox.id);
 */
export class PagePromise<T, P extends Page<T> = Page<T>>
  implements PromiseLike<P>, AsyncIterable<T>
{
  readonly #load: () => Promise<P>;
  #page: Promise<P> | undefined;

  constructor(load: () => Promise<P>) {
    this.#load = load;
  }

  // biome-ignore lint/suspicious/noThenProperty: a page request is meant to be awaited.
  then<A = P, B = never>(
    onFulfilled?: ((page: P) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#start().then(onFulfilled, onRejected);
  }

  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<P | B> {
    return this.#start().catch(onRejected);
  }

  finally(onFinally?: (() => void) | null): Promise<P> {
    return this.#start().finally(onFinally);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    yield* await this.#start();
  }

  #start(): Promise<P> {
    this.#page ??= this.#load();
    return this.#page;
  }
}
