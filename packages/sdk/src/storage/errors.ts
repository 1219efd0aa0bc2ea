import { BpfSkelError } from "../errors/index.js";

/** ConsistentReadError: readConsistent kept seeing a writer inside the entry and gave up. */
export class ConsistentReadError extends BpfSkelError {
  declare readonly symbol?: string;
  declare readonly offset?: number;
}
