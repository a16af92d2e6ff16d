/** A page of a listing: its items, and the cursor of the next page (null on the last). */
export interface CursorPage {
  nextCursor: string | null;
}

/**
 * A listing call: await it for the first page, or `for await` over it for every item of every page (each fetched when the
 * one before is used up; break to stop). Nothing is sent until awaited or iterated; `pages()` goes page by page.
 * @example for await (const job of floodgate.listJobs('sentiment', { state: 'failed' })) { ... }
 */
export class PagePromise<Page extends CursorPage, Item> implements PromiseLike<Page>, AsyncIterable<Item> {
  readonly #fetchPage: (cursor: string | undefined) => Promise<Page>;
  readonly #itemsOf: (page: Page) => readonly Item[];
  readonly #cursor: string | undefined;
  #first: Promise<Page> | undefined;

  constructor(fetchPage: (cursor: string | undefined) => Promise<Page>, itemsOf: (page: Page) => readonly Item[], cursor: string | undefined) {
    this.#fetchPage = fetchPage;
    this.#itemsOf = itemsOf;
    this.#cursor = cursor;
  }

  /** The first page (asked for once, however often it is awaited). */
  then<A = Page, B = never>(onFulfilled?: ((page: Page) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  /** Every page from the first, each asked for when the loop comes to it. */
  async *pages(): AsyncGenerator<Page, void, undefined> {
    let page = await this.#firstPage();
    yield page;
    while (page.nextCursor !== null) {
      page = await this.#fetchPage(page.nextCursor);
      yield page;
    }
  }

  #firstPage(): Promise<Page> {
    this.#first ??= this.#fetchPage(this.#cursor);
    return this.#first;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.pages()) yield* this.#itemsOf(page);
  }
}
