export {
  MappedStorage, regionPageOf, INIT_PROGRAM, REFILL_PROGRAM, REGISTER_SUFFIX, EXIT_SUFFIX, RMDIR_SUFFIX,
  type MappedStorageOptions, type StorageObject,
} from "./driver.js";
export { BSKEL_INIT_ARGS_SIZE, encodeInitArgs, regionAddressOf, type InitArgs } from "./init-args.js";
