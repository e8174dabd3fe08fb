// Front-end build for Waymark. Run with `npm run build` after `npm ci`.
//
// Compiles frontend/waymark.scss (GOV.UK Frontend + MOJ Frontend + our own
// styles) to one minified CSS file and copies the few files the pages need
// into waymark/core/static/vendor/. The output is committed, so running the
// Django app needs no Node.
//
// Output (everything under waymark/core/static/vendor/ is replaced):
//   waymark.css               compiled, minified styles
//   govuk-frontend.min.js     GOV.UK Frontend ES module bundle
//   moj-frontend.min.js       MOJ Frontend ES module bundle
//   htmx.min.js               htmx 2
//   govuk/assets/manifest.json, govuk/assets/images/...
//                             GOV.UK images plus any MOJ image the CSS uses
//   THIRD-PARTY-NOTICES.txt   names, versions and licences of the above

import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modules = path.join(root, "node_modules");
const outDir = path.join(root, "waymark", "core", "static", "vendor");
// Must match $moj-assets-path in frontend/waymark.scss (and STATIC_URL "/static/").
const assetsUrl = "/static/vendor/govuk/assets/";
const assetsDir = path.join(outDir, "govuk", "assets");

const govukDist = path.join(modules, "govuk-frontend", "dist", "govuk");
const mojDist = path.join(modules, "@ministryofjustice", "frontend", "moj");
const htmxDist = path.join(modules, "htmx.org", "dist");

const rel = (p) => path.relative(root, p).split(path.sep).join("/");

// Source maps are not shipped. Drop the comment pointing at them, or
// Django's ManifestStaticFilesStorage fails looking for the missing file.
function stripSourceMap(text) {
  return text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, "\n");
}

async function copyScript(from, toName) {
  const text = await readFile(from, "utf8");
  await writeFile(path.join(outDir, toName), stripSourceMap(text));
}

async function packageInfo(dir) {
  return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8"));
}

async function main() {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(assetsDir, "images"), { recursive: true });

  // 1. CSS
  const result = sass.compile(path.join(root, "frontend", "waymark.scss"), {
    loadPaths: [root],
    style: "compressed",
    sourceMap: false,
    quietDeps: true,
    logger: {
      // MOJ Frontend still calls GOV.UK mixins that GOV.UK has deprecated;
      // those warnings are theirs to fix. Warnings raised by our own Sass
      // (the first caller outside govuk-frontend is not in node_modules) show.
      warn(message, options) {
        const frames = (options.stack || "").split("\n").filter(Boolean);
        const caller = frames.find((frame) => !frame.includes("node_modules/govuk-frontend/"));
        if (caller && caller.includes("node_modules/")) return;
        console.warn(`Sass warning: ${message}\n${options.stack || ""}`);
      },
    },
  });
  const css = result.css;
  if (/GDS Transport/.test(css) || /@font-face/.test(css)) {
    throw new Error("waymark.css must not load the GDS Transport font");
  }
  await writeFile(path.join(outDir, "waymark.css"), css + "\n");

  // 2. Images: the GOV.UK set and manifest (no fonts), plus every image
  // the compiled CSS refers to, wherever it comes from (MOJ icons).
  await copyFile(path.join(govukDist, "assets", "manifest.json"), path.join(assetsDir, "manifest.json"));
  const govukImages = [
    "favicon.ico",
    "favicon.svg",
    "govuk-crest.svg",
    "govuk-icon-180.png",
    "govuk-icon-192.png",
    "govuk-icon-512.png",
    "govuk-icon-mask.svg",
  ];
  for (const name of govukImages) {
    await copyFile(path.join(govukDist, "assets", "images", name), path.join(assetsDir, "images", name));
  }
  const urls = new Set();
  for (const match of css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
    urls.add(match[1]);
  }
  for (const url of urls) {
    if (url.startsWith("data:")) continue;
    if (!url.startsWith(assetsUrl)) {
      throw new Error(`Unexpected URL in waymark.css: ${url}`);
    }
    const name = url.slice(assetsUrl.length);
    const target = path.join(assetsDir, name);
    if (existsSync(target)) continue;
    const candidates = [path.join(govukDist, "assets", name), path.join(mojDist, "assets", name)];
    const source = candidates.find((c) => existsSync(c));
    if (!source) {
      throw new Error(`waymark.css refers to ${url}, which no package provides`);
    }
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(source, target);
  }

  // 3. Scripts
  await copyScript(path.join(govukDist, "govuk-frontend.min.js"), "govuk-frontend.min.js");
  await copyScript(path.join(mojDist, "moj-frontend.min.js"), "moj-frontend.min.js");
  await copyScript(path.join(htmxDist, "htmx.min.js"), "htmx.min.js");

  // 4. Notices
  const govuk = await packageInfo(path.join(modules, "govuk-frontend"));
  const moj = await packageInfo(path.join(modules, "@ministryofjustice", "frontend"));
  const htmx = await packageInfo(path.join(modules, "htmx.org"));
  const htmxLicence = await readFile(path.join(modules, "htmx.org", "LICENSE"), "utf8");
  const notices = [
    "Third-party files in this folder, copied by frontend/build.mjs.",
    "",
    `govuk-frontend ${govuk.version} (${govuk.license} licence, Crown Copyright, Government Digital Service)`,
    "  waymark.css (compiled in part), govuk-frontend.min.js, govuk/assets/",
    "  The images are GOV.UK brand assets; do not use the crown outside GOV.UK.",
    `@ministryofjustice/frontend ${moj.version} (${moj.license} licence, Crown Copyright, Ministry of Justice)`,
    "  waymark.css (compiled in part), moj-frontend.min.js, MOJ icons in govuk/assets/images/",
    `htmx.org ${htmx.version} (${htmx.license} licence)`,
    "  htmx.min.js",
    "",
    htmxLicence.trim(),
    "",
  ].join("\n");
  await writeFile(path.join(outDir, "THIRD-PARTY-NOTICES.txt"), notices);

  console.log(`Built ${rel(outDir)}/ (waymark.css ${(css.length / 1024).toFixed(0)} KiB, ${urls.size} CSS asset URLs)`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
