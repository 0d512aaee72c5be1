// The offline post-processing of the Redoc page and the guide links in the reference.
import { describe, expect, test } from "vitest";
import { guideLinkTargets, makeOffline, rewriteGuideLinks, sourceStamp } from "../../scripts/reference.js";

describe("reference build", () => {
  test("guide links written from the repository root point from docs/site/ to docs/", () => {
    expect(rewriteGuideLinks("See [signing](docs/signing.md#a-request) and [flows](docs/card-flows.md).")).toBe(
      "See [signing](../signing.md#a-request) and [flows](../card-flows.md).",
    );
    // Absolute links, links into the site itself and other folders are left alone.
    const untouched = "[a](https://example.com/docs/x.md) [b](docs/site/index.html) [c](openapi/README.md)";
    expect(rewriteGuideLinks(untouched)).toBe(untouched);
  });

  test("the build finds every guide a description links to, so a broken link fails it", () => {
    const doc = {
      info: { description: rewriteGuideLinks("[a](docs/signing.md#a-request) and [b](docs/mock.md)") },
      paths: { "/x": { post: { description: rewriteGuideLinks("[c](docs/card-flows.md)") } } },
    };
    expect([...guideLinkTargets(doc)].sort()).toEqual(["card-flows.md", "mock.md", "signing.md"]);
  });

  test("the Redocly logo from the CDN becomes an inline image, and a data: favicon is added", () => {
    const html =
      '<html><head><meta charset="utf8" /></head><body><script>' +
      "src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`" +
      "</script></body></html>";
    const out = makeOffline(html, "sha256:abc");
    expect(out).not.toContain("cdn.redoc.ly");
    expect(out.match(/data:image\/svg\+xml,/g)).toHaveLength(2);
    expect(out).toContain('<link rel="icon" href="data:,">');
    expect(out).toContain('<meta name="antom-reference-source" content="sha256:abc">');
  });

  test("a CDN reference the build does not know how to replace fails the build", () => {
    const html = "<html><head></head><body><img src='https://cdn.redoc.ly/redoc/new-logo.svg'></body></html>";
    expect(() => makeOffline(html, "sha256:abc")).toThrow(/cdn\.redoc\.ly\/redoc\/new-logo\.svg/);
  });

  test("the stamp changes with the spec, so a page built from an older bundle counts as stale", () => {
    expect(sourceStamp('{"a":1}')).toBe(sourceStamp('{"a":1}'));
    expect(sourceStamp('{"a":1}')).not.toBe(sourceStamp('{"a":2}'));
  });
});
