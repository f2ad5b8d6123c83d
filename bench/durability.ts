// One logger, killed with SIGKILL right after its last call returns (and
// was awaited, when it returns a promise): how many of its lines are on
// disk? Prints "path <file>" first, then kills itself.
//
//   <runtime> bench/durability.ts <dir> <subject index> <lines>
import process from "node:process";
import { SUBJECTS } from "./_subjects.ts";

const [dir, index, lines] = process.argv.slice(2);
const subject = await SUBJECTS[Number(index)].open(dir);
await new Promise<void>((resolve) =>
  process.stdout.write(`path ${subject.path}\n`, () => resolve())
);
for (let i = 0; i < Number(lines); i++) {
  const result = subject.line(i);
  if (result instanceof Promise) await result;
}
process.kill(process.pid, "SIGKILL");
