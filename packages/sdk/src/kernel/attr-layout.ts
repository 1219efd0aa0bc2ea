/**
 * Field offsets and sizes inside `union bpf_attr` (6.18 UAPI, x86-64), one table per command
 * group, named as bpf.h names the fields. `group` says which member of the union the fields
 * live in: a named member ("batch", "test", "info", "link_create"…) or, for the anonymous
 * structs, the name of its first field. test/kernel/attr-layout.test.ts checks every entry
 * against `union bpf_attr` in /sys/kernel/btf/vmlinux.
 *
 * Dotted names ("perf_event.bpf_cookie") are fields of a named struct nested in the group.
 */
export type Field = readonly [offset: number, size: number];
export interface AttrLayout {
  readonly group: string;
  readonly fields: Readonly<Record<string, Field>>;
}

export const MAP_CREATE_ATTR = {
  group: "map_type",
  fields: {
    map_type: [0, 4], key_size: [4, 4], value_size: [8, 4], max_entries: [12, 4], map_flags: [16, 4],
    inner_map_fd: [20, 4], numa_node: [24, 4], map_name: [28, 16], map_ifindex: [44, 4], btf_fd: [48, 4],
    btf_key_type_id: [52, 4], btf_value_type_id: [56, 4], btf_vmlinux_value_type_id: [60, 4],
    map_extra: [64, 8], value_type_btf_obj_fd: [72, 4], map_token_fd: [76, 4],
  },
} as const satisfies AttrLayout;

export const MAP_ELEM_ATTR = {
  group: "map_fd",
  fields: { map_fd: [0, 4], key: [8, 8], value: [16, 8], next_key: [16, 8], flags: [24, 8] },
} as const satisfies AttrLayout;

export const MAP_BATCH_ATTR = {
  group: "batch",
  fields: {
    in_batch: [0, 8], out_batch: [8, 8], keys: [16, 8], values: [24, 8], count: [32, 4], map_fd: [36, 4],
    elem_flags: [40, 8], flags: [48, 8],
  },
} as const satisfies AttrLayout;

export const PROG_LOAD_ATTR = {
  group: "prog_type",
  fields: {
    prog_type: [0, 4], insn_cnt: [4, 4], insns: [8, 8], license: [16, 8], log_level: [24, 4], log_size: [28, 4],
    log_buf: [32, 8], kern_version: [40, 4], prog_flags: [44, 4], prog_name: [48, 16], prog_ifindex: [64, 4],
    expected_attach_type: [68, 4], prog_btf_fd: [72, 4], func_info_rec_size: [76, 4], func_info: [80, 8],
    func_info_cnt: [88, 4], line_info_rec_size: [92, 4], line_info: [96, 8], line_info_cnt: [104, 4],
    attach_btf_id: [108, 4], attach_prog_fd: [112, 4], attach_btf_obj_fd: [112, 4], core_relo_cnt: [116, 4],
    fd_array: [120, 8], core_relos: [128, 8], core_relo_rec_size: [136, 4], log_true_size: [140, 4],
    prog_token_fd: [144, 4], fd_array_cnt: [148, 4],
  },
} as const satisfies AttrLayout;

export const OBJ_ATTR = {
  group: "pathname",
  fields: { pathname: [0, 8], bpf_fd: [8, 4], file_flags: [12, 4], path_fd: [16, 4] },
} as const satisfies AttrLayout;

export const TEST_RUN_ATTR = {
  group: "test",
  fields: {
    prog_fd: [0, 4], retval: [4, 4], data_size_in: [8, 4], data_size_out: [12, 4], data_in: [16, 8],
    data_out: [24, 8], repeat: [32, 4], duration: [36, 4], ctx_size_in: [40, 4], ctx_size_out: [44, 4],
    ctx_in: [48, 8], ctx_out: [56, 8], flags: [64, 4], cpu: [68, 4], batch_size: [72, 4],
  },
} as const satisfies AttrLayout;

export const INFO_ATTR = {
  group: "info",
  fields: { bpf_fd: [0, 4], info_len: [4, 4], info: [8, 8] },
} as const satisfies AttrLayout;

export const RAW_TRACEPOINT_ATTR = {
  group: "raw_tracepoint",
  fields: { name: [0, 8], prog_fd: [8, 4], cookie: [16, 8] },
} as const satisfies AttrLayout;

export const BTF_LOAD_ATTR = {
  group: "btf",
  fields: {
    btf: [0, 8], btf_log_buf: [8, 8], btf_size: [16, 4], btf_log_size: [20, 4], btf_log_level: [24, 4],
    btf_log_true_size: [28, 4], btf_flags: [32, 4], btf_token_fd: [36, 4],
  },
} as const satisfies AttrLayout;

export const LINK_CREATE_ATTR = {
  group: "link_create",
  fields: {
    prog_fd: [0, 4], map_fd: [0, 4], target_fd: [4, 4], target_ifindex: [4, 4], attach_type: [8, 4], flags: [12, 4],
    target_btf_id: [16, 4], iter_info: [16, 8], iter_info_len: [24, 4], "perf_event.bpf_cookie": [16, 8],
    "tracing.target_btf_id": [16, 4], "tracing.cookie": [24, 8],
  },
} as const satisfies AttrLayout;

export const LINK_DETACH_ATTR = {
  group: "link_detach",
  fields: { link_fd: [0, 4] },
} as const satisfies AttrLayout;

export const ENABLE_STATS_ATTR = {
  group: "enable_stats",
  fields: { type: [0, 4] },
} as const satisfies AttrLayout;

export const ITER_CREATE_ATTR = {
  group: "iter_create",
  fields: { link_fd: [0, 4], flags: [4, 4] },
} as const satisfies AttrLayout;

/** ATTR_LAYOUTS lists every table, for the BTF cross-check. */
export const ATTR_LAYOUTS: readonly AttrLayout[] = [
  MAP_CREATE_ATTR, MAP_ELEM_ATTR, MAP_BATCH_ATTR, PROG_LOAD_ATTR, OBJ_ATTR, TEST_RUN_ATTR, INFO_ATTR,
  RAW_TRACEPOINT_ATTR, BTF_LOAD_ATTR, LINK_CREATE_ATTR, LINK_DETACH_ATTR, ENABLE_STATS_ATTR, ITER_CREATE_ATTR,
];

/** bpf_map_info (OBJ_GET_INFO_BY_FD on a map), 6.18: 104 bytes. */
export const MAP_INFO = {
  size: 104,
  fields: {
    type: [0, 4], id: [4, 4], key_size: [8, 4], value_size: [12, 4], max_entries: [16, 4], map_flags: [20, 4],
    name: [24, 16], ifindex: [40, 4], btf_vmlinux_value_type_id: [44, 4], netns_dev: [48, 8], netns_ino: [56, 8],
    btf_id: [64, 4], btf_key_type_id: [68, 4], btf_value_type_id: [72, 4], btf_vmlinux_id: [76, 4], map_extra: [80, 8],
  },
} as const;

/** bpf_prog_info (OBJ_GET_INFO_BY_FD on a program), 6.18: 232 bytes. */
export const PROG_INFO = {
  size: 232,
  fields: {
    type: [0, 4], id: [4, 4], tag: [8, 8], jited_prog_len: [16, 4], xlated_prog_len: [20, 4], load_time: [40, 8],
    created_by_uid: [48, 4], nr_map_ids: [52, 4], map_ids: [56, 8], name: [64, 16], ifindex: [80, 4],
    btf_id: [128, 4], run_time_ns: [192, 8], run_cnt: [200, 8], recursion_misses: [208, 8],
    verified_insns: [216, 4], attach_btf_obj_id: [220, 4], attach_btf_id: [224, 4],
  },
} as const;

/** bpf_link_info head (type, id, prog_id); the union after it depends on the link type. */
export const LINK_INFO = {
  size: 64,
  fields: { type: [0, 4], id: [4, 4], prog_id: [8, 4] },
} as const;

/** perf_event_attr fields we set (PERF_ATTR_SIZE_VER8 = 136 bytes). */
export const PERF_EVENT_ATTR = {
  size: 136,
  fields: {
    type: [0, 4], size: [4, 4], config: [8, 8], sample_period: [16, 8], sample_type: [24, 8],
    read_format: [32, 8], wakeup_events: [48, 4],
  },
} as const;
