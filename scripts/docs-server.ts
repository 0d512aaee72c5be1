// A small static server for docs/: the reference at /site/ with the guides' HTML pages beside
// it (/site/signing.html), and the rest of docs/ (raw Markdown, the signing example's keys). Used by `npm start` and the browser test.
import { createServer, type Server } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize, resolve, sep } from "node:path";
import { ensureReference, referencePaths } from "./reference.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  // Shown as text in the browser rather than downloaded.
  ".md": "text/plain; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".yaml": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface DocsServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves `dir` on host:port (port 0 picks a free one); `/` redirects to the reference. */
export function serveDocs(dir: string, options: { host?: string; port?: number } = {}): Promise<DocsServer> {
  const base = resolve(dir);
  const host = options.host ?? "127.0.0.1";
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
      if (path === "/" || path === "/site") {
        res.writeHead(302, { location: "/site/" }).end();
        return;
      }
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end("outside the docs folder");
        return;
      }
      if ((await stat(file).catch(() => undefined))?.isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found");
    }
  });
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", fail);
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      done({
        url: `http://${host}:${port}/site/`,
        server,
        close: () => new Promise<void>((closed) => server.close(() => closed())),
      });
    });
  });
}

/**
 * For `npm start`: builds the reference if it is missing or stale, then serves docs/ on
 * 127.0.0.1:`port`. Never throws: a failure is returned as text, so the mock keeps running.
 */
export async function startReferenceServer(port: number): Promise<{ message: string; server?: DocsServer }> {
  try {
    if (await ensureReference()) console.log("Built the API reference (docs/site/index.html) from the bundle.");
  } catch (error: any) {
    return { message: `API reference not available: the build failed (${String(error?.stderr || error?.message || error).trim()}). Try \`npm run docs\`.` };
  }
  try {
    const server = await serveDocs(referencePaths.docs, { host: "127.0.0.1", port: port > 65535 ? 0 : port });
    return { message: `API reference and guides at ${server.url} (works offline)`, server };
  } catch (error: any) {
    return { message: `API reference built but not served (${error?.code ?? error?.message ?? error} on port ${port}); open ${referencePaths.page}` };
  }
}
