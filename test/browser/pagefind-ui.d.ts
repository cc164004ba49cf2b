/** Pagefind's UI as themes/default/assets/search.js uses it (loaded by the search page). */
declare class PagefindUI {
  constructor(options: {
    element: string;
    bundlePath: string;
    mergeIndex?: { bundlePath: string; baseUrl?: string }[];
    baseUrl?: string;
    showSubResults?: boolean;
    showImages?: boolean;
    resetStyles?: boolean;
  });
  triggerSearch(query: string): void;
}
