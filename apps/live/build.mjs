// Bundles src/ into dist/ (served by the local gateway). `node build.mjs`.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";

const out = new URL("./dist/", import.meta.url).pathname;
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ["src/main.js"],
  bundle: true,
  format: "esm",
  target: "es2020",
  minify: true,
  sourcemap: true,
  outfile: `${out}app.js`,
  logLevel: "warning",
});
for (const file of ["index.html", "style.css"]) copyFileSync(`src/${file}`, `${out}${file}`);
console.log(`live page built into ${out}`);
