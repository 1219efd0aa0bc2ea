/* SPDX-License-Identifier: MIT */
/*
 * storage.bpf.h - bpf-skel mapped local storage for BPF C programs.
 *
 *   #include <bpf-skel/storage.bpf.h>
 *   struct task_ctx { u64 switches; ... };
 *   BPF_SKEL_TASK_STORAGE(task_ctx_stor, struct task_ctx);
 *
 *   struct task_ctx __arena *tc = skel_task_storage_get(&task_ctx_stor, task,
 *                                                      BPF_LOCAL_STORAGE_GET_F_CREATE);
 *   if (tc) tc->switches++;
 *
 * Entries live in a BPF arena laid out by docs/storage-layout.md, so user space reads them in
 * place (LocalStorage in @bpf-skel/sdk). The entry's arena address is kept in a real
 * TASK_STORAGE / CGRP_STORAGE map, so a get is one kernel local-storage lookup. Including this
 * header adds the runtime programs the SDK drives (bskel_init, bskel_refill) and, per map, a
 * registration program and a free-on-exit hook. See docs/bpf-c-library.md.
 *
 * Rules: the map argument of skel_*_storage_get/delete must be written `&map_name` (the name
 * is taken from it at compile time); map names are at most 15 characters.
 */
#ifndef __BPF_SKEL_STORAGE_BPF_H
#define __BPF_SKEL_STORAGE_BPF_H

#include "storage-alloc.bpf.h"

char _license[] SEC("license") = "GPL";

/* bskel_slot_hdr: the value of the real local-storage map: where the entry lives. */
struct bskel_slot_hdr {
	u64 vptr;   /* user/arena address of the value; 0 = no entry */
	u32 off;    /* region offset of the entry */
	u32 gen;    /* its generation */
	u32 map_id;
	u32 key;    /* owner id the entry was indexed under */
};

/* --- compile-time map names: "&name" -> two little-endian words ---------------------------- */
#define BSKEL_SKIP(s) ((s)[0] == '&' ? ((s)[1] == ' ' ? 2 : 1) : 0)
#define BSKEL_CH(s, i) ((BSKEL_SKIP(s) + (i)) < sizeof(s) - 1 && (i) < 15 ? (u64)(u8)(s)[BSKEL_SKIP(s) + (i)] : 0ull)
#define BSKEL_W(s, b) (BSKEL_CH(s, b) | BSKEL_CH(s, b + 1) << 8 | BSKEL_CH(s, b + 2) << 16 | \
	BSKEL_CH(s, b + 3) << 24 | BSKEL_CH(s, b + 4) << 32 | BSKEL_CH(s, b + 5) << 40 | \
	BSKEL_CH(s, b + 6) << 48 | BSKEL_CH(s, b + 7) << 56)
#define BSKEL_NAME0(s) BSKEL_W(s, 0)
#define BSKEL_NAME1(s) BSKEL_W(s, 8)

/* The user's value type of a mapped storage map, recovered from the map's slot type. */
#define bskel_value_t(mapp) typeof((mapp)->value->v[0])

/* bskel_release frees an entry, or queues the free for the refill program when the lock is busy. */
static __always_inline void bskel_release(u32 map_id, u32 key, u32 off, u32 gen)
{
	if (bskel_lock(&bskel_rt.alloc_lock)) {
		bskel_free_entry(map_id, key, off, gen);
		bskel_unlock(&bskel_rt.alloc_lock);
		return;
	}
	struct bskel_deferred_free df = { .map_id = map_id, .key = key, .off = off, .gen = gen };
	if (bpf_map_push_elem(&bskel_deferred, &df, 0) == 0)
		__sync_fetch_and_add(&bskel_rt.deferred, 1);
	else
		__sync_fetch_and_add(&bskel_rt.deferred_lost, 1);
}

/* bskel_attach allocates the entry of `key` for slot s (alloc_lock not held); the value address or 0. */
static __always_inline u64 bskel_attach(struct bskel_slot_hdr *s, u64 n0, u64 n1, u8 kind, u32 key, u32 size, u32 align)
{
	bskel_arena_ref();
	if (bskel_rt.base == 0 || !bskel_lock(&bskel_rt.alloc_lock))
		return 0;
	u64 v = s->vptr;
	if (v == 0) {
		int id = bskel_map_register(n0, n1, kind, size, align);
		u32 gen = 0, off = 0;
		if (id >= 0)
			off = bskel_alloc_entry(id, key, &gen);
		else
			BSKEL_COUNT(alloc_fail, 1);
		if (off) {
			s->off = off;
			s->gen = gen;
			s->map_id = id;
			s->key = key;
			v = bskel_rt.base + off + bskel_value_off(align);
			s->vptr = v;
		}
	}
	bskel_unlock(&bskel_rt.alloc_lock);
	return v;
}

/* --- task storage -------------------------------------------------------------------------- */

static __always_inline u64 bskel_task_get(void *map, struct task_struct *task, u64 flags, u64 n0, u64 n1,
					  u32 size, u32 align)
{
	if (!task || (flags & ~(u64)BPF_LOCAL_STORAGE_GET_F_CREATE))
		return 0;
	struct bskel_slot_hdr *s = bpf_task_storage_get(map, task, 0, 0);
	if (likely(s && s->vptr))
		return s->vptr;
	if (!(flags & BPF_LOCAL_STORAGE_GET_F_CREATE) || (task->flags & PF_EXITING))
		return 0;
	/* Owner id 0 means "none" in the index: the idle tasks (pid 0) get no entry. */
	u32 pid = (u32)task->pid;
	if (pid == 0 || pid >= BSKEL_KEY_LIMIT)
		return 0;
	if (!s)
		s = bpf_task_storage_get(map, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	return bskel_attach(s, n0, n1, BSKEL_OWNER_TASK, pid, size, align);
}

/* bskel_slot_detach unlinks a storage slot from its arena entry and frees the entry; returns the old address. */
static __always_inline u64 bskel_slot_detach(struct bskel_slot_hdr *s)
{
	u64 v = s->vptr;
	s->vptr = 0;
	if (v) {
		bskel_arena_ref();
		bskel_release(s->map_id, s->key, s->off, s->gen);
	}
	return v;
}

static __always_inline long bskel_task_delete(void *map, struct task_struct *task)
{
	if (!task)
		return -EINVAL;
	struct bskel_slot_hdr *s = bpf_task_storage_get(map, task, 0, 0);
	if (!s)
		return -ENOENT;
	u64 v = bskel_slot_detach(s);
	bpf_task_storage_delete(map, task);
	return v ? 0 : -ENOENT;
}

/*
 * skel_task_storage_get returns task's value in mapped storage map `&map` (a pointer into the
 * arena), creating a zeroed entry with BPF_LOCAL_STORAGE_GET_F_CREATE; NULL when absent, when
 * the pool is empty or the lock is contended (like bpf_task_storage_get under memory pressure).
 */
#define skel_task_storage_get(mapp, task, flags)                                                  \
	((bskel_value_t(mapp) __arena *)bskel_task_get((mapp), (task), (flags), BSKEL_NAME0(#mapp),  \
		BSKEL_NAME1(#mapp), sizeof(bskel_value_t(mapp)), _Alignof(bskel_value_t(mapp))))

/* skel_task_storage_delete frees task's entry: 0, or -ENOENT when it had none. */
#define skel_task_storage_delete(mapp, task) bskel_task_delete((mapp), (task))

/* --- cgroup storage ------------------------------------------------------------------------ */

static __always_inline u64 bskel_cgrp_key(struct cgroup *cgrp)
{
	return cgrp->kn->id;
}

static __always_inline u64 bskel_cgrp_get(void *map, struct cgroup *cgrp, u64 flags, u64 n0, u64 n1, u32 size,
					  u32 align)
{
	if (!cgrp || (flags & ~(u64)BPF_LOCAL_STORAGE_GET_F_CREATE))
		return 0;
	struct bskel_slot_hdr *s = bpf_cgrp_storage_get(map, cgrp, 0, 0);
	if (likely(s && s->vptr))
		return s->vptr;
	if (!(flags & BPF_LOCAL_STORAGE_GET_F_CREATE))
		return 0;
	u64 key = bskel_cgrp_key(cgrp);
	if (key == 0 || key >= BSKEL_KEY_LIMIT)
		return 0;
	if (!s)
		s = bpf_cgrp_storage_get(map, cgrp, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	return bskel_attach(s, n0, n1, BSKEL_OWNER_CGROUP, (u32)key, size, align);
}

static __always_inline long bskel_cgrp_delete(void *map, struct cgroup *cgrp)
{
	if (!cgrp)
		return -EINVAL;
	struct bskel_slot_hdr *s = bpf_cgrp_storage_get(map, cgrp, 0, 0);
	if (!s)
		return -ENOENT;
	u64 v = bskel_slot_detach(s);
	bpf_cgrp_storage_delete(map, cgrp);
	return v ? 0 : -ENOENT;
}

/* skel_cgrp_storage_get: skel_task_storage_get for cgroups (owner id = cgroup id < 2^25). */
#define skel_cgrp_storage_get(mapp, cgrp, flags)                                                  \
	((bskel_value_t(mapp) __arena *)bskel_cgrp_get((mapp), (cgrp), (flags), BSKEL_NAME0(#mapp),  \
		BSKEL_NAME1(#mapp), sizeof(bskel_value_t(mapp)), _Alignof(bskel_value_t(mapp))))

#define skel_cgrp_storage_delete(mapp, cgrp) bskel_cgrp_delete((mapp), (cgrp))

/* --- owners without a task or cgroup pointer (syscall programs, benchmarks, tests) ---------- */

/* The map type of a BTF map definition `&map`, at compile time (__uint(type, N) is int (*)[N]). */
#define bskel_map_type(mapp) (sizeof(*(mapp)->type) / sizeof(int))
#define bskel_owner_kind(mapp) \
	(bskel_map_type(mapp) == BPF_MAP_TYPE_CGRP_STORAGE ? BSKEL_OWNER_CGROUP : BSKEL_OWNER_TASK)

static __always_inline u64 bskel_owner_create(u64 n0, u64 n1, u8 kind, u32 key, u32 size, u32 align)
{
	bskel_arena_ref();
	if (bskel_rt.base == 0 || !bskel_lock(&bskel_rt.alloc_lock))
		return 0;
	u64 v = 0;
	u32 gen = 0;
	int id = bskel_map_register(n0, n1, kind, size, align);
	u64 word = id >= 0 ? bskel_leaf_word(BSKEL_HDR(), id, key, false) : 0;
	if (word != 0 && *BSKEL_AT(u64, word) != 0) {
		id = -1; /* the owner already has an entry */
		BSKEL_COUNT(alloc_fail, 1);
	}
	u32 off = id >= 0 ? bskel_alloc_entry(id, key, &gen) : 0;
	if (off)
		v = bskel_rt.base + off + bskel_value_off(align);
	bskel_unlock(&bskel_rt.alloc_lock);
	return v;
}

static __always_inline long bskel_owner_delete(u64 n0, u64 n1, u8 kind, u32 key, u32 size, u32 align)
{
	bskel_arena_ref();
	if (bskel_rt.base == 0 || !bskel_lock(&bskel_rt.alloc_lock))
		return -EBUSY;
	long ret = -ENOENT;
	int id = bskel_map_register(n0, n1, kind, size, align);
	u64 word = id >= 0 ? bskel_leaf_word(BSKEL_HDR(), id, key, false) : 0;
	if (word) {
		u64 w = *BSKEL_AT(u64, word);
		if (w && bskel_free_entry(id, key, (u32)w, (u32)(w >> 32)))
			ret = 0;
	}
	bskel_unlock(&bskel_rt.alloc_lock);
	return ret;
}

/*
 * skel_storage_create_owner creates owner id `owner`'s entry in `&map` with no task or cgroup
 * behind it (no local-storage element, no exit hook: the caller frees it with
 * skel_storage_delete_owner). For syscall programs, benchmarks and tests; use ids that cannot
 * be real pids (>= pid_max) so they never meet a real task's entry. NULL if it exists already.
 * Sleepable callers should run bskel_refill_pool() first when the pool runs low.
 */
#define skel_storage_create_owner(mapp, owner)                                                    \
	((bskel_value_t(mapp) __arena *)bskel_owner_create(BSKEL_NAME0(#mapp), BSKEL_NAME1(#mapp),   \
		bskel_owner_kind(mapp), (owner), sizeof(bskel_value_t(mapp)), _Alignof(bskel_value_t(mapp))))

#define skel_storage_delete_owner(mapp, owner)                                                    \
	bskel_owner_delete(BSKEL_NAME0(#mapp), BSKEL_NAME1(#mapp), bskel_owner_kind(mapp), (owner),  \
		sizeof(bskel_value_t(mapp)), _Alignof(bskel_value_t(mapp)))

/* --- writers' sequence protocol (docs/storage-layout.md §4) --------------------------------- */

/* skel_entry_write_begin/end bracket a multi-word update of value v so readConsistent retries. */
#define skel_entry_write_begin(v) bskel_seq_bump((u64)(v) - bskel_value_off(_Alignof(typeof(*(v)))))
#define skel_entry_write_end(v) bskel_seq_bump((u64)(v) - bskel_value_off(_Alignof(typeof(*(v)))))
static __always_inline void bskel_seq_bump(u64 entry_addr)
{
	smp_wmb();
	((struct bskel_entry __arena *)entry_addr)->seq++;
	smp_wmb();
}

/* --- map declarations ---------------------------------------------------------------------- */

#define BSKEL_SLOT_TYPE(name, vtype)                                                               \
	struct name##__bskel_slot {                                                                 \
		struct bskel_slot_hdr hdr;                                                          \
		vtype v[0];                                                                         \
	}

#define BSKEL_REG_PROG(name, kind)                                                                \
	SEC("syscall") int name##__bskel_reg(void *ctx)                                            \
	{                                                                                           \
		int id = -1;                                                                        \
		bskel_arena_ref();                                                                  \
		if (bskel_rt.base == 0 || !bskel_lock(&bskel_rt.alloc_lock))                        \
			return -EBUSY;                                                              \
		id = bskel_map_register(BSKEL_NAME0(#name), BSKEL_NAME1(#name), kind,               \
					sizeof(bskel_value_t(&name)), _Alignof(bskel_value_t(&name))); \
		bskel_unlock(&bskel_rt.alloc_lock);                                                 \
		return id;                                                                          \
	}

/*
 * BPF_SKEL_TASK_STORAGE declares mapped task storage `name` with value `type`, its
 * registration program and the tp_btf/sched_process_exit hook that frees an exiting task's
 * entry (task storage itself is only destroyed when the task_struct is freed).
 */
#define BPF_SKEL_TASK_STORAGE(name, vtype)                                                         \
	BSKEL_SLOT_TYPE(name, vtype);                                                                \
	_Static_assert(sizeof(#name) <= BSKEL_MAP_NAME_LEN, "mapped storage map names are at most 15 characters"); \
	struct {                                                                                    \
		__uint(type, BPF_MAP_TYPE_TASK_STORAGE);                                            \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                               \
		__type(key, int);                                                                   \
		__type(value, struct name##__bskel_slot);                                           \
	} name SEC(".maps");                                                                        \
	BSKEL_REG_PROG(name, BSKEL_OWNER_TASK)                                                      \
	SEC("tp_btf/sched_process_exit") int name##__bskel_exit(u64 *ctx)                          \
	{                                                                                           \
		skel_task_storage_delete(&name, (struct task_struct *)ctx[0]);                      \
		return 0;                                                                           \
	}

/* BPF_SKEL_CGRP_STORAGE: the cgroup variant; entries are freed at tp_btf/cgroup_rmdir. */
#define BPF_SKEL_CGRP_STORAGE(name, vtype)                                                         \
	BSKEL_SLOT_TYPE(name, vtype);                                                                \
	_Static_assert(sizeof(#name) <= BSKEL_MAP_NAME_LEN, "mapped storage map names are at most 15 characters"); \
	struct {                                                                                    \
		__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);                                            \
		__uint(map_flags, BPF_F_NO_PREALLOC);                                               \
		__type(key, int);                                                                   \
		__type(value, struct name##__bskel_slot);                                           \
	} name SEC(".maps");                                                                        \
	BSKEL_REG_PROG(name, BSKEL_OWNER_CGROUP)                                                    \
	SEC("tp_btf/cgroup_rmdir") int name##__bskel_rmdir(u64 *ctx)                               \
	{                                                                                           \
		skel_cgrp_storage_delete(&name, (struct cgroup *)ctx[0]);                           \
		return 0;                                                                           \
	}

#include "storage-runtime.bpf.h"

#endif /* __BPF_SKEL_STORAGE_BPF_H */
