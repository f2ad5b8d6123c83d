/**
 * A run being deleted is first renamed to `.agent/.pruning-<id>-<random>`,
 * out of the `logs-*` names, so that a deletion cut short never leaves
 * something that lists as a run.
 */
export const PRUNING_PREFIX = ".pruning-";
