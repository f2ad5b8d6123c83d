// Node, plain JavaScript, CommonJS: require() of the ES module package
// (require(esm): Node 20.19+, 22.12+). `node node-cjs.cjs <empty dir>`.
const process = require("node:process");
const lib = require("@ralph/runlog");
const { NodeWorkspace } = require("@ralph/runlog/node");

const root = process.argv[2];
import("./scenario.mjs").then(({ report, scenario }) =>
  report(
    `node ${process.version} require()`,
    () => scenario(lib, new NodeWorkspace(root), root, "node-cjs"),
  )
);
