#!/usr/bin/env node
// Entry point of the `pairbench` command. Runs the TypeScript sources through ts-node
// (transpile only: `make test` type-checks them), so there is no build step to forget.
"use strict";
const path = require("path");

require("ts-node").register({
    project: path.join(__dirname, "..", "tsconfig.json"),
    transpileOnly: true,
});

require("../automation/cli")
    .main(process.argv)
    .then((code) => {
        process.exitCode = code;
    });
