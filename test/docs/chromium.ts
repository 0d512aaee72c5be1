// Finds a Chromium for the browser tests, with nothing to install by hand:
//   1. CHROMIUM_PATH, when set (it must exist);
//   2. Debian's /usr/bin/chromium, when installed;
//   3. the Chromium shipped compressed inside the npm package @sparticuz/chromium (a pinned
//      devDependency, so `npm install` brings it; nothing is downloaded). It is unpacked once
//      into node_modules/.cache/antom-chromium/<version>/ (about 190 MB, about 2 s), with the
//      NSS and expat libraries the package ships (Debian's slim images have neither) and its
//      fonts, and started with those on LD_LIBRARY_PATH and FONTCONFIG_PATH.
// Never `playwright install`: it downloads from a CDN.
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { brotliDecompress } from "node:zlib";
import { root } from "../helpers/paths.js";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";
const PACKAGE = "@sparticuz/chromium";

export interface ChromiumBinary {
  executablePath: string;
  /** Where it came from, for messages: `CHROMIUM_PATH`, `/usr/bin/chromium` or `@sparticuz/chromium@<version>`. */
  source: string;
  /** Extra environment for the browser process (shared libraries and fonts of the packaged build). */
  env: Record<string, string>;
}

const inflate = promisify(brotliDecompress);

/** Unpacks a (non-compressed) ustar archive's regular files into `dir`; the package's archives hold nothing else. */
async function untar(archive: Buffer, dir: string): Promise<void> {
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1) || "0";
    const target = resolve(dir, name);
    if (!target.startsWith(resolve(dir) + "/")) throw new Error(`${PACKAGE}: archive entry ${name} escapes ${dir}`);
    if (type === "0") {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, archive.subarray(at + 512, at + 512 + size), { mode: parseInt(field(100, 8).trim() || "644", 8) & 0o755 });
    } else if (type === "5") {
      await mkdir(target, { recursive: true });
    }
    at += 512 + Math.ceil(size / 512) * 512;
  }
}

/** The packaged Chromium, unpacked on first use; later calls reuse the unpacked copy. */
export async function packagedChromium(): Promise<ChromiumBinary> {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = resolve(dirname(require.resolve(PACKAGE)), "..", "..");
  } catch {
    throw new Error(
      `No Chromium: ${SYSTEM_CHROMIUM} is not installed and the devDependency ${PACKAGE} is missing. ` +
        "Run `npm install` (or set CHROMIUM_PATH to a Chromium binary). Do not use `playwright install`.",
    );
  }
  const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  const dir = join(root, "node_modules", ".cache", "antom-chromium", version);
  const executablePath = join(dir, "chromium");
  const env = {
    LD_LIBRARY_PATH: [join(dir, "lib"), process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"),
    FONTCONFIG_PATH: dir,
  };
  const result = { executablePath, source: `${PACKAGE}@${version}`, env };
  // Unpacked beside the final folder and renamed into place whole, so a folder that exists is
  // complete, even when two test runs unpack at once.
  if (existsSync(executablePath)) return result;
  const partial = `${dir}.${process.pid}.partial`;
  const bin = join(pkgDir, "bin");
  try {
    await rm(partial, { recursive: true, force: true });
    await mkdir(partial, { recursive: true });
    await untar(await inflate(await readFile(join(bin, "al2023.tar.br"))), partial);
    await untar(await inflate(await readFile(join(bin, "fonts.tar.br"))), partial);
    // The package's fonts.conf names Lambda's folders; this one names the fonts unpacked here.
    await writeFile(
      join(partial, "fonts.conf"),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(dir, "fonts")}</dir>\n  <cachedir>${join(dir, "fonts-cache")}</cachedir>\n</fontconfig>\n`,
    );
    await writeFile(join(partial, "chromium"), await inflate(await readFile(join(bin, "chromium.br"))));
    await chmod(join(partial, "chromium"), 0o755);
    // A folder without the binary is left from something else: never complete, safe to replace.
    if (!existsSync(executablePath)) await rm(dir, { recursive: true, force: true });
    await rename(partial, dir).catch((error) => {
      if (!existsSync(executablePath)) throw error; // else another run finished first
    });
  } finally {
    await rm(partial, { recursive: true, force: true });
  }
  return result;
}

/** CHROMIUM_PATH, else Debian's Chromium, else the packaged one. */
export async function findChromium(): Promise<ChromiumBinary> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH is ${fromEnv}, which does not exist. Unset it to use the Chromium of the devDependency ${PACKAGE}.`);
    return { executablePath: fromEnv, source: "CHROMIUM_PATH", env: {} };
  }
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, source: SYSTEM_CHROMIUM, env: {} };
  return packagedChromium();
}
