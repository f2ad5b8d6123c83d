// Finds every occurrence of a set of keywords (exact case, 2+ bytes) in
// bytes, in one pass: a table of the keywords' first two bytes says where
// one may start, and only there are the candidates compared. The rules of
// the redactor each start at a keyword, so this one pass decides where any
// rule runs at all; on log text it is several times faster than a regular
// expression of the alternatives.

/** Keyword occurrences, as parallel arrays: which keyword, and where. */
export interface KeywordHits {
  keyword: number[];
  at: number[];
}

export class KeywordFinder {
  /** Per pair of first bytes (`b0 | b1 << 8`): 1 + the index of its group, or 0. */
  readonly #pairs = new Uint16Array(65536);
  /** Per group: the keywords' bytes and indexes, longest first. */
  readonly #groups: { bytes: Uint8Array; index: number }[][] = [];
  readonly keywords: readonly string[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const encoder = new TextEncoder();
    keywords.forEach((keyword, index) => {
      const bytes = encoder.encode(keyword);
      if (bytes.length < 2 || bytes.length !== keyword.length) {
        throw new Error(`keyword ${JSON.stringify(keyword)}: 2 or more ASCII characters`);
      }
      const pair = bytes[0] | (bytes[1] << 8);
      let group = this.#pairs[pair];
      if (group === 0) {
        this.#groups.push([]);
        group = this.#groups.length;
        this.#pairs[pair] = group;
      }
      this.#groups[group - 1].push({ bytes, index });
    });
    for (const group of this.#groups) group.sort((a, b) => b.bytes.length - a.bytes.length);
  }

  /**
   * Appends to `hits` every keyword occurrence that starts in `[from, to)`
   * of `bytes` and ends by `end` (the bytes available).
   */
  find(bytes: Uint8Array, from: number, to: number, end: number, hits: KeywordHits): void {
    const pairs = this.#pairs;
    const groups = this.#groups;
    const last = Math.min(to, end - 1);
    if (from >= last) return;
    let pair = bytes[from];
    for (let i = from; i < last; i++) {
      pair |= bytes[i + 1] << 8;
      const group = pairs[pair];
      pair >>= 8;
      if (group === 0) continue;
      const candidates = groups[group - 1];
      for (let c = 0; c < candidates.length; c++) {
        const word = candidates[c].bytes;
        if (i + word.length > end) continue;
        let j = 2;
        while (j < word.length && bytes[i + j] === word[j]) j++;
        if (j === word.length) {
          hits.keyword.push(candidates[c].index);
          hits.at.push(i);
        }
      }
    }
  }
}
