/* SPDX-License-Identifier: MIT */
/*
 * bpf-defs.h - the few libbpf/kernel declarations the bpf-skel BPF C library needs, written
 * here so programs build with clang-19 alone (no libbpf headers, no vmlinux.h).
 *
 * Helper ids are the uapi `enum bpf_func_id` values (include/uapi/linux/bpf.h); kfuncs are
 * `__ksym __weak` externs the loader resolves against vmlinux BTF; kernel structs carry only
 * the fields used and `preserve_access_index`, so field offsets are CO-RE relocated.
 */
#ifndef __BPF_SKEL_BPF_DEFS_H
#define __BPF_SKEL_BPF_DEFS_H

#if !defined(__VMLINUX_H__) && !defined(__ASM_GENERIC_INT_LL64_H) && !defined(_ASM_GENERIC_INT_LL64_H)
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
#endif
typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
#ifndef bool
typedef _Bool bool;
#define true 1
#define false 0
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

/* --- libbpf's section and map-definition macros (bpf_helpers.h) --------------------------- */
#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name
#define __array(name, val) typeof(val) *name[]
#define ___bskel_concat(a, b) a##b
#define ___bskel_concat2(a, b) ___bskel_concat(a, b)
#define __ulong(name, val) enum { ___bskel_concat2(__unique_value, __COUNTER__) = val } name
#define __ksym __attribute__((section(".ksyms")))
#define __weak __attribute__((weak))
#define __always_inline inline __attribute__((always_inline))
#define __noinline __attribute__((noinline))
#ifndef likely
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#endif

/* --- uapi constants ----------------------------------------------------------------------- */
#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_QUEUE 22
#define BPF_MAP_TYPE_TASK_STORAGE 29
#define BPF_MAP_TYPE_CGRP_STORAGE 32
#define BPF_MAP_TYPE_ARENA 33
#define BPF_F_NO_PREALLOC (1U << 0)
#define BPF_F_MMAPABLE (1U << 10)
#define BPF_ANY 0
#define BPF_NOEXIST 1
#define BPF_EXIST 2
#define BPF_LOCAL_STORAGE_GET_F_CREATE 1
#define NUMA_NO_NODE (-1)
#define PF_EXITING 0x00000004
#define E2BIG 7
#define ENOENT 2
#define EBUSY 16
#define ENOMEM 12
#define EINVAL 22

/* --- helpers (uapi enum bpf_func_id) ------------------------------------------------------ */
static void *(* const bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (* const bpf_map_update_elem)(void *map, const void *key, const void *value, u64 flags) = (void *)2;
static long (* const bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static u64 (* const bpf_ktime_get_ns)(void) = (void *)5;
static long (* const bpf_trace_printk)(const char *fmt, u32 fmt_size, ...) = (void *)6;
static u32 (* const bpf_get_smp_processor_id)(void) = (void *)8;
static u64 (* const bpf_get_current_pid_tgid)(void) = (void *)14;
static long (* const bpf_get_current_comm)(void *buf, u32 size_of_buf) = (void *)16;
static long (* const bpf_map_push_elem)(void *map, const void *value, u64 flags) = (void *)87;
static long (* const bpf_map_pop_elem)(void *map, void *value) = (void *)88;
static long (* const bpf_probe_read_kernel)(void *dst, u32 size, const void *unsafe_ptr) = (void *)113;
static long (* const bpf_probe_read_kernel_str)(void *dst, u32 size, const void *unsafe_ptr) = (void *)115;
static void *(* const bpf_task_storage_get)(void *map, void *task, void *value, u64 flags) = (void *)156;
static long (* const bpf_task_storage_delete)(void *map, void *task) = (void *)157;
static struct task_struct *(* const bpf_get_current_task_btf)(void) = (void *)158;
static long (* const bpf_loop)(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags) = (void *)181;
static void *(* const bpf_cgrp_storage_get)(void *map, void *cgroup, void *value, u64 flags) = (void *)210;
static long (* const bpf_cgrp_storage_delete)(void *map, void *cgroup) = (void *)211;

/* --- BPF arena (address space 1; clang >= 19 inserts the addr_space_cast instructions) ------ */
#if defined(__BPF_FEATURE_ADDR_SPACE_CAST)
#define __arena __attribute__((address_space(1)))
#else
#error "bpf-skel mapped storage needs clang >= 19 (__BPF_FEATURE_ADDR_SPACE_CAST)"
#endif

/* Arena kfuncs (kernel/bpf/arena.c). On 6.18 both are KF_SLEEPABLE: call them only from
 * sleepable programs (SEC("syscall"), sleepable hooks). */
extern void __arena *bpf_arena_alloc_pages(void *map, void __arena *addr, u32 page_cnt, int node_id,
					   u64 flags) __ksym __weak;
extern void bpf_arena_free_pages(void *map, void __arena *ptr, u32 page_cnt) __ksym __weak;

/* Cgroup lookup by id (acquires a reference: release it with bpf_cgroup_release). */
struct cgroup;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym __weak;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym __weak;

/* --- minimal kernel structs (CO-RE: offsets are relocated against vmlinux BTF) ----------- */
/* A program that includes a bpftool-generated vmlinux.h first gets the kernel's own. */
#ifndef __VMLINUX_H__
struct task_struct {
	unsigned int flags;
	int pid;
	int tgid;
	char comm[16];
} __attribute__((preserve_access_index));

struct kernfs_node {
	u64 id;
} __attribute__((preserve_access_index));

struct cgroup {
	struct kernfs_node *kn;
} __attribute__((preserve_access_index));
#endif

/* --- memory ordering ---------------------------------------------------------------------- */
/* x86-64 is TSO and the BPF JIT emits plain moves: a compiler barrier orders stores. */
#define barrier() asm volatile("" ::: "memory")
#define smp_wmb() barrier()
#define smp_rmb() barrier()
#define READ_ONCE(x) (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile typeof(x) *)&(x) = (v))

#endif /* __BPF_SKEL_BPF_DEFS_H */
