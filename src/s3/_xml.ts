// Just enough XML for S3's answers (list results, upload ids, error bodies):
// flat elements found by name, text with entities and CDATA decoded. S3 never
// nests an element inside another of the same name, which is all this needs;
// anything it does not recognise it skips rather than fails on.

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/**
 * The raw inner XML of each `<name>…</name>` element of `xml`, in order; a
 * self-closing `<name/>` gives "". Attributes are allowed and ignored.
 */
export function xmlElements(xml: string, name: string): string[] {
  const pattern = new RegExp(`<${name}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${name}\\s*>)`, "g");
  return Array.from(xml.matchAll(pattern), (match) => match[1] ?? "");
}

/** The decoded text of the first `<name>` element of `xml`, or `undefined` if there is none. */
export function xmlText(xml: string, name: string): string | undefined {
  const [first] = xmlElements(xml, name);
  return first === undefined ? undefined : decodeXmlText(first);
}

/** Text content with its CDATA sections unwrapped and its entities decoded. */
export function decodeXmlText(text: string): string {
  return text.replace(
    /<!\[CDATA\[([\s\S]*?)\]\]>|&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g,
    (whole, cdata?: string, hex?: string, decimal?: string, named?: string) => {
      if (cdata !== undefined) return cdata;
      if (named !== undefined) return ENTITIES[named];
      const code = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    },
  );
}

/** `text` safe inside an XML element. */
export function escapeXmlText(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) =>
      `&${
        ({ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" } as Record<string, string>)[
          c
        ]
      };`,
  );
}
