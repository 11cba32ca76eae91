/**
 * Cursor pages over the API's Relay connections. `list()` answers a PagePromise: await it for
 * one Page, or iterate it with `for await` to walk every item of every page, following
 * `pageInfo.endCursor` until `hasNextPage` is false.
 */

/** The shape every connection in the schema shares. */
export interface Connection<T> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: ReadonlyArray<{ cursor: string; node: T }>;
}

/** Fetches the page after `after` (null: the first page). */
export type PageFetcher<T> = (after: string | null) => Promise<Connection<T>>;

export class Page<T> implements AsyncIterable<T> {
  /** The items of this page only. */
  readonly items: T[];
  /** Items across all pages, as the server counted them for this page. */
  readonly totalCount: number;
  readonly endCursor: string | null;
  readonly #hasNextPage: boolean;
  readonly #fetch: PageFetcher<T>;

  constructor(fetch: PageFetcher<T>, connection: Connection<T>) {
    this.#fetch = fetch;
    this.items = connection.edges.map((edge) => edge.node);
    this.totalCount = connection.totalCount;
    this.endCursor = connection.pageInfo.endCursor;
    this.#hasNextPage = connection.pageInfo.hasNextPage && connection.pageInfo.endCursor !== null;
  }

  hasNextPage(): boolean {
    return this.#hasNextPage;
  }

  /** The following page, or null after the last one. */
  async nextPage(): Promise<Page<T> | null> {
    if (!this.#hasNextPage) return null;
    return new Page(this.#fetch, await this.#fetch(this.endCursor));
  }

  /** Every page from this one on. */
  async *pages(): AsyncGenerator<Page<T>> {
    yield this;
    for (let page = await this.nextPage(); page; page = await page.nextPage()) yield page;
  }

  /** Every item from this page on, fetching further pages as the loop reaches them. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    for await (const page of this.pages()) yield* page.items;
  }
}

/**
 * The first page, fetched when first awaited or iterated (once, however often): so
 * `await client.tracks.list()` is a Page and `for await (const t of client.tracks.list())`
 * walks all of them.
 */
export class PagePromise<T> implements PromiseLike<Page<T>>, AsyncIterable<T> {
  readonly #fetch: PageFetcher<T>;
  readonly #after: string | null;
  #first: Promise<Page<T>> | undefined;

  constructor(fetch: PageFetcher<T>, after: string | null = null) {
    this.#fetch = fetch;
    this.#after = after;
  }

  #firstPage(): Promise<Page<T>> {
    this.#first ??= this.#fetch(this.#after).then((connection) => new Page(this.#fetch, connection));
    return this.#first;
  }

  then<R1 = Page<T>, R2 = never>(onFulfilled?: ((page: Page<T>) => R1 | PromiseLike<R1>) | null, onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.#firstPage().then(onFulfilled, onRejected);
  }

  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<Page<T> | R> {
    return this.#firstPage().catch(onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield* await this.#firstPage();
  }
}
