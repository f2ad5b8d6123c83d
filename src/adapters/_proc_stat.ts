/**
 * The start time of a process on Linux: field 22 of `/proc/<pid>/stat`,
 * in clock ticks since boot, read after the command name (which may hold
 * spaces and parentheses). `undefined` elsewhere, or when it is gone.
 */
export function linuxProcessStart(stat: string | undefined): string | undefined {
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (the state); a zombie has exited.
  if (fields[0] === "Z" || fields[0] === "X") return undefined;
  return fields[19];
}
