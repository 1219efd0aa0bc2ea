/* SPDX-License-Identifier: MIT */
/*
 * storage-region.bpf.h - the region side of bpf-skel mapped storage in BPF C: the arena map,
 * the allocator lock, page presence, the prepared pool and its sleepable refill
 * (docs/storage-layout.md §1, §2, §5). Included by storage.bpf.h; not used directly.
 *
 * Every region address is `bskel_rt.base + offset` where base is the user address of the
 * region's header (handed to the init program by the SDK); only its low 32 bits matter to
 * the arena (loads/stores and bpf_arena_alloc_pages use user_vm_start's low half).
 */
#ifndef __BPF_SKEL_STORAGE_REGION_BPF_H
#define __BPF_SKEL_STORAGE_REGION_BPF_H

#include "bpf-defs.h"
#include "storage-layout.h"

/* BSKEL_ARENA_PAGES: pages reserved for the arena (the region is this minus region_pgoff). */
#ifndef BSKEL_ARENA_PAGES
#define BSKEL_ARENA_PAGES (1u << 16)
#endif
/*
 * BSKEL_ARENA_ADDR: where user space maps the arena (map_extra); 0 (the default) lets the
 * kernel choose a free range. A fixed address can collide with whatever the process already
 * mapped there (V8 reserves large ranges at random addresses), and the region stores no
 * pointers user space follows, so nothing needs a fixed one.
 */
#ifndef BSKEL_ARENA_ADDR
#define BSKEL_ARENA_ADDR 0
#endif
/* BSKEL_LOCK_SPINS: attempts to take the allocator lock before giving up (NULL / deferred free). */
#ifndef BSKEL_LOCK_SPINS
#define BSKEL_LOCK_SPINS 4096
#endif
/* BSKEL_SCAN_MAX: descriptors one allocation scans for a slab with a free slot. */
#ifndef BSKEL_SCAN_MAX
#define BSKEL_SCAN_MAX 65536
#endif
#define BSKEL_DEFERRED_MAX 4096

_Static_assert(BSKEL_ARENA_PAGES <= (1u << 20), "an arena holds at most 2^20 pages");

struct {
	__uint(type, BPF_MAP_TYPE_ARENA);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, BSKEL_ARENA_PAGES);
#if BSKEL_ARENA_ADDR
	__ulong(map_extra, BSKEL_ARENA_ADDR);
#endif
} bskel_arena SEC(".maps");

/* bskel_deferred_free: a free that could not take the lock; the next refill finishes it. */
struct bskel_deferred_free {
	u32 map_id;
	u32 key;
	u32 off;
	u32 gen;
};

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, BSKEL_DEFERRED_MAX);
	__type(value, struct bskel_deferred_free);
} bskel_deferred SEC(".maps");

/*
 * bskel_runtime: allocator state outside the region (never shared with user space as a
 * lock). alloc_lock guards every header/descriptor/slab write; refill_lock serialises the
 * sleepable page suppliers so the kfunc is never called under alloc_lock.
 */
struct bskel_runtime {
	u64 base;        /* user address of the region header; 0 until bskel_init ran */
	u64 alloc_lock;
	u64 refill_lock;
	u64 lock_busy;   /* lock attempts that gave up */
	u64 deferred;    /* frees deferred to the refill program */
	u64 deferred_lost;
	u32 absent_hint; /* no absent page below this one at or above data_pgoff */
	u32 _pad;
};
struct bskel_runtime bskel_rt SEC(".bss");

#define BSKEL_HDR() ((struct bskel_region __arena *)(bskel_rt.base))
#define BSKEL_AT(type, off) ((type __arena *)(bskel_rt.base + (u64)(off)))
#define BSKEL_DESC(p) BSKEL_AT(struct bskel_pgdesc, ((u64)BSKEL_PGDESC_PGOFF << BSKEL_PAGE_SHIFT) + (u64)(p) * 8)

/* bskel_arena_ref makes the calling program reference the arena map (ld_imm64), which the
 * verifier requires of every program that uses addr_space_cast. */
static __always_inline void bskel_arena_ref(void)
{
	asm volatile("" ::"r"(&bskel_arena));
}

/* --- the allocator lock: a bounded try-spin on a .bss word (no verifier lock state) -------- */

struct bskel_lock_ctx {
	u64 *lock;
};

static long bskel_lock_cb(u64 i, void *ctx)
{
	struct bskel_lock_ctx *c = ctx;
	if (__sync_val_compare_and_swap(c->lock, 0, 1) == 0)
		return 1;
	return 0;
}

/* bskel_lock takes `lock` or returns false after BSKEL_LOCK_SPINS attempts. */
static __always_inline bool bskel_lock(u64 *lock)
{
	if (__sync_val_compare_and_swap(lock, 0, 1) == 0)
		return true;
	/* bpf_loop's context must be on the stack: pass the lock's address through it. */
	struct bskel_lock_ctx c = { .lock = lock };
	long n = bpf_loop(BSKEL_LOCK_SPINS, bskel_lock_cb, &c, 0);
	if (n >= 0 && n < BSKEL_LOCK_SPINS)
		return true;
	__sync_fetch_and_add(&bskel_rt.lock_busy, 1);
	return false;
}

static __always_inline void bskel_unlock(u64 *lock)
{
	barrier();
	__sync_lock_test_and_set(lock, 0);
}

/* --- header helpers ------------------------------------------------------------------------ */

#define BSKEL_COUNT(field, by) (BSKEL_HDR()->counters.field += (by))

/* bskel_ctz64 returns the index of the lowest set bit of x (x != 0), without a loop. */
static __always_inline u32 bskel_ctz64(u64 x)
{
	u32 n = 0;
	x &= -x;
	if (x & 0xffffffff00000000ull) n += 32;
	if (x & 0xffff0000ffff0000ull) n += 16;
	if (x & 0xff00ff00ff00ff00ull) n += 8;
	if (x & 0xf0f0f0f0f0f0f0f0ull) n += 4;
	if (x & 0xccccccccccccccccull) n += 2;
	if (x & 0xaaaaaaaaaaaaaaaaull) n += 1;
	return n;
}

/* --- page presence (sleepable callers only) ------------------------------------------------ */

/*
 * bskel_page_alloc asks the arena for region page p at its exact address. A page user space
 * already faulted in cannot be allocated again, but it is present: a probe write that reads
 * back tells the two apart (stores to an absent page are dropped, loads give 0).
 */
static __always_inline bool bskel_page_alloc(u32 p)
{
	u64 addr = bskel_rt.base + ((u64)p << BSKEL_PAGE_SHIFT);
	void __arena *got = bpf_arena_alloc_pages(&bskel_arena, (void __arena *)addr, 1, NUMA_NO_NODE, 0);
	if (got)
		return true;
	volatile u64 __arena *probe = (volatile u64 __arena *)addr;
	u64 old = *probe;
	*probe = 0x6b736562ull;
	bool present = *probe == 0x6b736562ull;
	*probe = old;
	return present;
}

/* bskel_desc_page_ready makes the descriptor page that describes page p present (two levels:
 * descriptor pages beyond the first 511 are themselves described by descriptor pages 2..5). */
static __always_inline bool bskel_desc_page_ready(struct bskel_region __arena *h, u32 p)
{
	u32 dp = BSKEL_PGDESC_PGOFF + p / BSKEL_PGDESC_PER_PAGE;
	if (dp == p || dp == BSKEL_PGDESC_PGOFF)
		return true;
	u32 dp2 = BSKEL_PGDESC_PGOFF + dp / BSKEL_PGDESC_PER_PAGE;
	if (dp2 != BSKEL_PGDESC_PGOFF && BSKEL_DESC(dp2)->kind == BSKEL_PAGE_ABSENT) {
		if (!bskel_page_alloc(dp2))
			return false;
		BSKEL_DESC(dp2)->kind = BSKEL_PAGE_META;
		h->present_pages++;
		BSKEL_COUNT(page_allocs, 1);
		if (dp2 + 1 > h->hwm_pages) h->hwm_pages = dp2 + 1;
	}
	if (BSKEL_DESC(dp)->kind != BSKEL_PAGE_ABSENT)
		return true;
	if (!bskel_page_alloc(dp))
		return false;
	BSKEL_DESC(dp)->kind = BSKEL_PAGE_META;
	h->present_pages++;
	BSKEL_COUNT(page_allocs, 1);
	if (dp + 1 > h->hwm_pages) h->hwm_pages = dp + 1;
	return true;
}

/* --- the prepared pool --------------------------------------------------------------------- */

struct bskel_absent_ctx {
	u32 from;
	u32 hwm;
	u32 found;
};

static long bskel_absent_cb(u64 i, void *ctx)
{
	struct bskel_absent_ctx *c = ctx;
	u32 p = c->from + (u32)i;
	if (p >= c->hwm)
		return 1;
	if (BSKEL_DESC(p)->kind == BSKEL_PAGE_ABSENT) {
		c->found = p;
		return 1;
	}
	return 0;
}

/* bskel_lowest_absent returns the lowest absent page at or above data_pgoff, or 0 when full. */
static __always_inline u32 bskel_lowest_absent(struct bskel_region __arena *h)
{
	struct bskel_absent_ctx c = { .from = bskel_rt.absent_hint, .hwm = h->hwm_pages, .found = 0 };
	if (c.from < h->data_pgoff)
		c.from = h->data_pgoff;
	if (c.from < c.hwm)
		bpf_loop(BSKEL_SCAN_MAX, bskel_absent_cb, &c, 0);
	if (c.found == 0) {
		c.found = c.hwm > h->data_pgoff ? c.hwm : h->data_pgoff;
		if (c.found >= h->max_pages)
			return 0;
	}
	bskel_rt.absent_hint = c.found + 1;
	return c.found;
}

/* bskel_pool_push inserts page p keeping pool[] descending (pool[nr-1], taken first, lowest). */
static __always_inline void bskel_pool_push(struct bskel_region __arena *h, u32 p)
{
	u32 nr = h->pool_nr;
	if (nr >= BSKEL_POOL_MAX)
		return;
	u32 i = nr;
	for (int k = 0; k < BSKEL_POOL_MAX; k++) {
		if (i == 0 || i > BSKEL_POOL_MAX - 1 || h->pool[i - 1] >= p)
			break;
		h->pool[i] = h->pool[i - 1];
		i--;
	}
	if (i < BSKEL_POOL_MAX)
		h->pool[i] = p;
	h->pool_nr = nr + 1;
}

static long bskel_refill_cb(u64 i, void *ctx)
{
	struct bskel_region __arena *h = BSKEL_HDR();
	u32 *added = ctx;
	if (!bskel_lock(&bskel_rt.alloc_lock))
		return 1;
	if (h->pool_nr >= h->pool_target) {
		bskel_unlock(&bskel_rt.alloc_lock);
		return 1;
	}
	u32 p = bskel_lowest_absent(h);
	bool ok = p != 0 && bskel_desc_page_ready(h, p);
	bskel_unlock(&bskel_rt.alloc_lock);
	if (!ok)
		return 1;
	/* The kfunc runs outside alloc_lock; refill_lock keeps other suppliers off page p. */
	if (!bskel_page_alloc(p)) {
		if (bskel_lock(&bskel_rt.alloc_lock)) {
			BSKEL_COUNT(page_alloc_fail, 1);
			bskel_unlock(&bskel_rt.alloc_lock);
		}
		return 1;
	}
	if (!bskel_lock(&bskel_rt.alloc_lock))
		return 1; /* page stays present but unlisted; counted in lock_busy */
	BSKEL_DESC(p)->kind = BSKEL_PAGE_PREPARED;
	h->present_pages++;
	if (p + 1 > h->hwm_pages)
		h->hwm_pages = p + 1;
	BSKEL_COUNT(page_allocs, 1);
	bskel_pool_push(h, p);
	bskel_unlock(&bskel_rt.alloc_lock);
	(*added)++;
	return 0;
}

/* bskel_refill_pool tops the pool up to pool_target (sleepable only); returns pages added. */
static __always_inline int bskel_refill_pool(void)
{
	struct bskel_region __arena *h = BSKEL_HDR();
	u32 added = 0;
	if (bskel_rt.base == 0 || !bskel_lock(&bskel_rt.refill_lock))
		return -EBUSY;
	bpf_loop(BSKEL_POOL_MAX, bskel_refill_cb, &added, 0);
	if (bskel_lock(&bskel_rt.alloc_lock)) {
		BSKEL_COUNT(pool_refills, 1);
		if (added) {
			smp_wmb();
			h->epoch++;
		}
		bskel_unlock(&bskel_rt.alloc_lock);
	}
	bskel_unlock(&bskel_rt.refill_lock);
	return added;
}

/* bskel_take_page pops the lowest prepared page for `kind` (alloc_lock held); 0 when empty. */
static __always_inline u32 bskel_take_page(struct bskel_region __arena *h, u8 kind)
{
	u32 nr = h->pool_nr;
	if (nr == 0 || nr > BSKEL_POOL_MAX) {
		BSKEL_COUNT(pool_empty, 1);
		return 0;
	}
	nr--;
	u32 p = h->pool[nr & (BSKEL_POOL_MAX - 1)];
	h->pool_nr = nr;
	BSKEL_DESC(p)->kind = kind;
	return p;
}

#endif /* __BPF_SKEL_STORAGE_REGION_BPF_H */
