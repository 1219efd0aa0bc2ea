/* SPDX-License-Identifier: MIT */
/*
 * storage-runtime.bpf.h - the sleepable programs the SDK runs through BPF_PROG_TEST_RUN:
 * bskel_init (lays out the region header, docs/storage-layout.md §2) and bskel_refill
 * (finishes deferred frees, tops the prepared pool up). Included by storage.bpf.h.
 */
#ifndef __BPF_SKEL_STORAGE_RUNTIME_BPF_H
#define __BPF_SKEL_STORAGE_RUNTIME_BPF_H

#include "storage-alloc.bpf.h"

/* bskel_init_args: the ctx of bskel_init (filled by the SDK's storage driver). */
struct bskel_init_args {
	u64 region_addr;  /* user address of the region header = arena start + region_pgoff pages */
	u32 region_pgoff; /* pages of .addr_space.1 globals before the region */
	u32 max_pages;    /* region pages: arena pages - region_pgoff */
	u32 pool_target;  /* prepared pages to keep (<= 64) */
	u32 _pad;
};

/*
 * bskel_init writes the header once (magic last) and fills the pool. Idempotent: a region
 * whose magic is already there is only re-attached. Returns 0, or a negative errno.
 */
SEC("syscall") int bskel_init(struct bskel_init_args *args)
{
	static const u16 strides[BSKEL_MAX_CLASSES] = BSKEL_CLASS_STRIDES;
	u64 base = args->region_addr;
	u32 max_pages = args->max_pages;
	u32 target = args->pool_target;

	bskel_arena_ref();
	if (base == 0 || (base & (BSKEL_PAGE_SIZE - 1)))
		return -EINVAL;
	if (bskel_rt.base != 0 && bskel_rt.base != base)
		return -EBUSY;
	bskel_rt.base = base;
	struct bskel_region __arena *h = BSKEL_HDR();
	if (h->magic == BSKEL_REGION_MAGIC)
		return bskel_refill_pool() < 0 ? -EBUSY : 0;

	u32 desc_pages = (max_pages + BSKEL_PGDESC_PER_PAGE - 1) / BSKEL_PGDESC_PER_PAGE;
	u32 data = BSKEL_PGDESC_PGOFF + desc_pages;
	if (max_pages > (1u << 20) || max_pages < data + 4)
		return -E2BIG;
	if (target > BSKEL_POOL_MAX)
		target = BSKEL_POOL_MAX;
	if (!bskel_lock(&bskel_rt.refill_lock))
		return -EBUSY;
	if (!bskel_page_alloc(0) || !bskel_page_alloc(1)) {
		bskel_unlock(&bskel_rt.refill_lock);
		return -ENOMEM;
	}
	h->version = BSKEL_LAYOUT_VERSION;
	h->page_size = BSKEL_PAGE_SIZE;
	h->region_pgoff = args->region_pgoff;
	h->max_pages = max_pages;
	h->hwm_pages = 2;
	h->present_pages = 2;
	h->pgdesc_pgoff = BSKEL_PGDESC_PGOFF;
	h->pgdesc_pages = desc_pages;
	h->data_pgoff = data;
	h->pool_target = target;
	BSKEL_DESC(0)->kind = BSKEL_PAGE_META;
	BSKEL_DESC(1)->kind = BSKEL_PAGE_META;
	h->counters.page_allocs = 2;
#pragma unroll
	for (int c = 0; c < BSKEL_MAX_CLASSES; c++) {
		struct bskel_class __arena *cls = BSKEL_CLASS(c);
		u32 slots = (BSKEL_PAGE_SIZE - BSKEL_SLAB_HDR_SIZE) / strides[c];
		cls->stride = strides[c];
		cls->nr_slots = slots > BSKEL_SLAB_SLOTS_MAX ? BSKEL_SLAB_SLOTS_MAX : slots;
		cls->scan_hint = data;
	}
	bskel_rt.absent_hint = data;
	h->epoch = 1;
	smp_wmb();
	h->magic = BSKEL_REGION_MAGIC;
	bskel_unlock(&bskel_rt.refill_lock);
	return bskel_refill_pool() < 0 ? -EBUSY : 0;
}

static long bskel_drain_cb(u64 i, void *ctx)
{
	struct bskel_deferred_free df;
	if (bpf_map_pop_elem(&bskel_deferred, &df))
		return 1;
	if (!bskel_lock(&bskel_rt.alloc_lock)) {
		bpf_map_push_elem(&bskel_deferred, &df, 0);
		return 1;
	}
	bskel_free_entry(df.map_id, df.key, df.off, df.gen);
	bskel_unlock(&bskel_rt.alloc_lock);
	return 0;
}

/*
 * bskel_refill finishes frees deferred by a contended lock, then tops the prepared pool up to
 * pool_target. The SDK runs it whenever pool_nr < pool_target / 2. Returns pages added, or a
 * negative errno (-EBUSY: another refill is running).
 */
SEC("syscall") int bskel_refill(void *ctx)
{
	bskel_arena_ref();
	if (bskel_rt.base == 0)
		return -EINVAL;
	bpf_loop(BSKEL_DEFERRED_MAX, bskel_drain_cb, NULL, 0);
	return bskel_refill_pool();
}

#endif /* __BPF_SKEL_STORAGE_RUNTIME_BPF_H */
