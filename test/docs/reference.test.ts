// The offline post-processing of the Redoc page and the guide links in the reference.
import { describe, expect, test } from "vitest";
import { guideLinkTargets, guidePageHref, headingAnchor, keepSearchSpaces, makeOffline, renderGuide, rewriteGuideLinks, sourceStamp } from "../../scripts/reference.js";

describe("reference build", () => {
  test("guide links written from the repository root point to the guides' pages beside the reference", () => {
    expect(rewriteGuideLinks("See [signing](docs/signing.md#a-request) and [flows](docs/card-flows.md).")).toBe(
      "See [signing](signing.html#a-request) and [flows](card-flows.html).",
    );
    expect(rewriteGuideLinks("[b](docs/site/index.html#/payments/pay)")).toBe("[b](index.html#/payments/pay)");
    // Absolute links and other folders are left alone.
    const untouched = "[a](https://example.com/docs/x.md) [c](openapi/README.md)";
    expect(rewriteGuideLinks(untouched)).toBe(untouched);
  });

  test("links inside a guide page: guides to pages, the reference to itself, other files from docs/site/", () => {
    expect(guidePageHref("signing.md#a-request")).toBe("signing.html#a-request");
    expect(guidePageHref("site/index.html")).toBe("index.html");
    expect(guidePageHref("signing-example/")).toBe("../signing-example/");
    expect(guidePageHref("../openapi/README.md")).toBe("../../openapi/README.md");
    expect(guidePageHref("https://example.com/x.md")).toBe("https://example.com/x.md");
    expect(guidePageHref("#mock-outcomes")).toBe("#mock-outcomes");
  });

  test("a guide renders as a page with the sidebar, GitHub's heading anchors and rewritten links", () => {
    const html = renderGuide("mock.md", "# The mock\n\n## Outcomes: `Prefer`\n\nSee [signing](signing.md#a-request).\n\n| Code | Status |\n|---|---|\n| `DO_NOT_HONOR` | `F` |\n", [
      { file: "quick-start.md", title: "Quick start" },
      { file: "mock.md", title: "The mock" },
    ]);
    expect(html).toContain("<title>The mock · Antom card payments</title>");
    expect(html).toContain('<a href="mock.html" aria-current="page">The mock</a>');
    expect(html).toContain('<a href="index.html">API reference</a>');
    expect(html).toContain(`<h2 id="${headingAnchor("Outcomes: `Prefer`")}">`);
    expect(headingAnchor("Outcomes: `Prefer`")).toBe("outcomes-prefer");
    expect(html).toContain('<a href="signing.html#a-request">signing</a>');
    expect(html).toContain("<td><code>DO_<wbr>NOT_<wbr>HONOR</code></td>");
    expect(html).toMatch(/td code, th code \{ word-break: keep-all/);
  });

  test("Redoc's search text keeps a space after line breaks and table cells; a changed Redoc fails the build", () => {
    const collector = "function QT(e){let t=[];function n(e){if(!Yae(e)){typeof e.attributes?.content==`string`&&t.push(e.attributes.content);for(let t of e.children??[])n(t)}}return n(e),t.join(``)}";
    const patched = keepSearchSpaces(`<script>${collector}</script>`);
    const QT = new Function(`${patched.slice(8, -9)}; function Yae(){return false}; return QT;`)();
    const tree = {
      type: "paragraph",
      children: [{ type: "text", attributes: { content: "safe and" } }, { type: "softbreak" }, { type: "text", attributes: { content: "returns" } }],
    };
    expect(QT(tree).replace(/\s+/g, " ").trim()).toBe("safe and returns");
    expect(() => keepSearchSpaces("<script>nothing to patch</script>")).toThrow(/keepSearchSpaces/);
  });

  test("the build finds every guide a description links to, so a broken link fails it", () => {
    const doc = {
      info: { description: rewriteGuideLinks("[a](docs/signing.md#a-request) and [b](docs/mock.md) and [r](docs/site/index.html)") },
      paths: { "/x": { post: { description: rewriteGuideLinks("[c](docs/card-flows.md)") } } },
    };
    expect([...guideLinkTargets(doc)].sort()).toEqual(["card-flows.md", "mock.md", "signing.md"]);
  });

  test("the Redocly logo from the CDN becomes an inline image, and a data: favicon is added", () => {
    const html =
      '<html><head><meta charset="utf8" /></head><body><script>' +
      "src:e?`https://cdn.redoc.ly/redoc/logo-mini-full.svg`:`https://cdn.redoc.ly/redoc/logo-mini.svg`" +
      "</script></body></html>";
    const collector = "typeof e.attributes?.content==`string`&&t.push(e.attributes.content);for(let t of e.children??[])n(t)";
    const out = makeOffline(html.replace("</script>", `${collector}</script>`), "sha256:abc");
    expect(out).not.toContain("cdn.redoc.ly");
    expect(out.match(/data:image\/svg\+xml,/g)).toHaveLength(2);
    expect(out).toContain('<link rel="icon" href="data:,">');
    expect(out).toContain('<meta name="antom-reference-source" content="sha256:abc">');
  });

  test("a CDN reference the build does not know how to replace fails the build", () => {
    const html = "<html><head></head><body><img src='https://cdn.redoc.ly/redoc/new-logo.svg'><script>typeof e.attributes?.content==`string`&&t.push(e.attributes.content);for(let t of e.children??[])n(t)</script></body></html>";
    expect(() => makeOffline(html, "sha256:abc")).toThrow(/cdn\.redoc\.ly\/redoc\/new-logo\.svg/);
  });

  test("the stamp changes with the spec, so a page built from an older bundle counts as stale", () => {
    expect(sourceStamp('{"a":1}')).toBe(sourceStamp('{"a":1}'));
    expect(sourceStamp('{"a":1}')).not.toBe(sourceStamp('{"a":2}'));
  });
});
