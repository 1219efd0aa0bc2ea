/* SPDX-License-Identifier: MIT */
/*
 * storage-alloc.bpf.h - entries, slabs and the owner index of bpf-skel mapped storage in BPF
 * C, in the order docs/storage-layout.md §3-§4 prescribes (the simulator's RegionWriter does
 * the same in TypeScript). Every function here runs with bskel_rt.alloc_lock held and never
 * calls a sleepable kfunc: pages come from the prepared pool only.
 */
#ifndef __BPF_SKEL_STORAGE_ALLOC_BPF_H
#define __BPF_SKEL_STORAGE_ALLOC_BPF_H

#include "storage-region.bpf.h"

#define BSKEL_MAP(id) BSKEL_AT(struct bskel_map_desc, BSKEL_OFFSETOF(struct bskel_region, maps) + \
	(u64)((id) & (BSKEL_MAX_MAPS - 1)) * sizeof(struct bskel_map_desc))
#define BSKEL_CLASS(c) BSKEL_AT(struct bskel_class, BSKEL_OFFSETOF(struct bskel_region, classes) + \
	(u64)((c) & (BSKEL_MAX_CLASSES - 1)) * sizeof(struct bskel_class))

/* bskel_class_for mirrors classFor(): the first stride that holds header + value. */
static __always_inline int bskel_class_for(u32 size, u32 align)
{
	static const u16 strides[BSKEL_MAX_CLASSES] = BSKEL_CLASS_STRIDES;
	u32 need = bskel_value_off(align) + size;
	if (align > BSKEL_VALUE_ALIGN_MAX)
		return -1;
#pragma unroll
	for (int c = 0; c < BSKEL_MAX_CLASSES; c++)
		if (strides[c] >= need)
			return c;
	return -1;
}

/* bskel_leaf_word returns the region offset of key's index word, creating the L1 and leaf
 * pages from the pool when `create`; 0 when absent or out of pages. */
static __always_inline u64 bskel_leaf_word(struct bskel_region __arena *h, u32 map_id, u32 key, bool create)
{
	struct bskel_map_desc __arena *md = BSKEL_MAP(map_id);
	u32 r = (key >> BSKEL_INDEX_ROOT_SHIFT) & (BSKEL_INDEX_ROOT - 1);
	u32 l1 = md->index_root[r];
	if (l1 == 0) {
		if (!create)
			return 0;
		l1 = bskel_take_page(h, BSKEL_PAGE_INDEX_L1);
		if (l1 == 0)
			return 0;
		BSKEL_DESC(l1)->aux = map_id;
		BSKEL_COUNT(index_pages, 1);
		smp_wmb(); /* linked only once present and zeroed */
		md->index_root[r] = l1;
	}
	u32 li = (key >> BSKEL_INDEX_L1_SHIFT) & (BSKEL_INDEX_L1_FANOUT - 1);
	u32 __arena *l1w = BSKEL_AT(u32, ((u64)l1 << BSKEL_PAGE_SHIFT) + li * 4);
	u32 leaf = *l1w;
	if (leaf == 0) {
		if (!create)
			return 0;
		leaf = bskel_take_page(h, BSKEL_PAGE_INDEX_LEAF);
		if (leaf == 0)
			return 0;
		BSKEL_DESC(leaf)->aux = map_id;
		BSKEL_COUNT(index_pages, 1);
		smp_wmb();
		*l1w = leaf;
		BSKEL_DESC(l1)->nr_live++;
	}
	return ((u64)leaf << BSKEL_PAGE_SHIFT) + (u64)(key & (BSKEL_INDEX_LEAF_FANOUT - 1)) * 8;
}

struct bskel_scan_ctx {
	u32 from;
	u32 hwm;
	u32 slots;
	u32 class_id;
	u32 found;
};

static long bskel_scan_cb(u64 i, void *ctx)
{
	struct bskel_scan_ctx *c = ctx;
	u32 p = c->from + (u32)i;
	if (p >= c->hwm)
		return 1;
	struct bskel_pgdesc __arena *d = BSKEL_DESC(p);
	if (d->kind == BSKEL_PAGE_SLAB && d->class_id == c->class_id && d->nr_live < c->slots) {
		c->found = p;
		return 1;
	}
	return 0;
}

/* bskel_find_slab returns the lowest slab page of class c with a free slot (moving the hint), or 0. */
static __always_inline u32 bskel_find_slab(struct bskel_region __arena *h, u32 c)
{
	struct bskel_class __arena *cls = BSKEL_CLASS(c);
	struct bskel_scan_ctx s = { .from = cls->scan_hint, .hwm = h->hwm_pages, .slots = cls->nr_slots, .class_id = c };
	if (s.from < s.hwm)
		bpf_loop(BSKEL_SCAN_MAX, bskel_scan_cb, &s, 0);
	cls->scan_hint = s.found ? s.found : s.hwm;
	return s.found;
}

/* bskel_new_slab turns a prepared page into an empty slab of class c; 0 when the pool is empty. */
static __always_inline u32 bskel_new_slab(struct bskel_region __arena *h, u32 c)
{
	u32 p = bskel_take_page(h, BSKEL_PAGE_SLAB);
	if (p == 0)
		return 0;
	struct bskel_class __arena *cls = BSKEL_CLASS(c);
	u32 slots = cls->nr_slots;
	struct bskel_slab_hdr __arena *sh = BSKEL_AT(struct bskel_slab_hdr, (u64)p << BSKEL_PAGE_SHIFT);
	sh->free_mask[0] = slots >= 64 ? ~0ull : (1ull << slots) - 1;
	sh->free_mask[1] = slots >= 128 ? ~0ull : slots <= 64 ? 0 : (1ull << (slots - 64)) - 1;
	sh->class_id = c;
	sh->nr_slots = slots;
	sh->page_no = p;
	BSKEL_DESC(p)->class_id = c;
	cls->nr_pages++;
	BSKEL_COUNT(slab_pages, 1);
	if (p < cls->scan_hint)
		cls->scan_hint = p;
	return p;
}

/* bskel_zero clears n 8-byte words at region offset off. */
struct bskel_zero_ctx {
	u64 off;
};
static long bskel_zero_cb(u64 i, void *ctx)
{
	struct bskel_zero_ctx *z = ctx;
	*BSKEL_AT(u64, z->off + i * 8) = 0;
	return 0;
}
static __always_inline void bskel_zero(u64 off, u32 bytes)
{
	struct bskel_zero_ctx z = { .off = off };
	bpf_loop((bytes + 7) / 8, bskel_zero_cb, &z, 0);
}

/*
 * bskel_alloc_entry creates key's entry in map map_id and publishes it in the owner index.
 * Returns the entry's region offset (its gen in *gen_out), or 0 (NULL) when out of pages or
 * the key is out of range. alloc_lock held.
 */
static __always_inline u32 bskel_alloc_entry(u32 map_id, u32 key, u32 *gen_out)
{
	struct bskel_region __arena *h = BSKEL_HDR();
	if (key == 0 || key >= BSKEL_KEY_LIMIT || map_id >= h->nr_maps || map_id >= BSKEL_MAX_MAPS)
		goto fail;
	struct bskel_map_desc __arena *md = BSKEL_MAP(map_id);
	/* Index pages first: a failure then leaves no half-made entry behind. */
	u64 word = bskel_leaf_word(h, map_id, key, true);
	if (word == 0)
		goto fail;
	u32 c = md->class_id;
	u32 p = bskel_find_slab(h, c);
	if (p == 0)
		p = bskel_new_slab(h, c);
	if (p == 0)
		goto fail;
	struct bskel_slab_hdr __arena *sh = BSKEL_AT(struct bskel_slab_hdr, (u64)p << BSKEL_PAGE_SHIFT);
	u32 slot;
	u64 m0 = sh->free_mask[0];
	if (m0) {
		slot = bskel_ctz64(m0);
		sh->free_mask[0] = m0 & (m0 - 1);
	} else {
		u64 m1 = sh->free_mask[1];
		if (m1 == 0)
			goto fail; /* descriptor said free: corrupted, refuse */
		slot = 64 + bskel_ctz64(m1);
		sh->free_mask[1] = m1 & (m1 - 1);
	}
	struct bskel_class __arena *cls = BSKEL_CLASS(c);
	struct bskel_pgdesc __arena *d = BSKEL_DESC(p);
	u16 live = d->nr_live + 1;
	d->nr_live = live;
	cls->nr_live++;
	if (live == cls->nr_slots)
		cls->scan_hint = p + 1;
	u32 off = (p << BSKEL_PAGE_SHIFT) + BSKEL_SLAB_HDR_SIZE + slot * cls->stride;
	struct bskel_entry __arena *e = BSKEL_AT(struct bskel_entry, off);
	u32 value_off = md->value_off;
	u32 value_size = md->value_size;
	bskel_zero(off + value_off, value_size);
	e->owner_id = key;
	e->map_id = map_id;
	e->owner_kind = md->owner_kind;
	u32 gen = e->gen;
	if (gen == 0)
		e->gen = gen = 1;
	e->state = BSKEL_ENTRY_LIVE;
	smp_wmb();
	/* Publish with one 64-bit store: a reader sees the old word or the new one. A non-zero
	 * old word names an entry whose free is still deferred: its free will not clear ours. */
	u64 __arena *w = BSKEL_AT(u64, word);
	u64 old = *w;
	*w = bskel_index_word(gen, off);
	if (old == 0)
		BSKEL_DESC(word >> BSKEL_PAGE_SHIFT)->nr_live++;
	md->nr_live++;
	md->creates++;
	BSKEL_COUNT(allocs, 1);
	BSKEL_COUNT(live_entries, 1);
	BSKEL_COUNT(live_bytes, value_size);
	*gen_out = gen;
	return off;
fail:
	BSKEL_COUNT(alloc_fail, 1);
	return 0;
}

/*
 * bskel_free_entry frees the entry at `off` (generation gen) of key in map map_id: the index
 * word first (only if it still names this entry), then the entry under its sequence counter.
 * Returns false when the entry is no longer that one. alloc_lock held.
 */
static __always_inline bool bskel_free_entry(u32 map_id, u32 key, u32 off, u32 gen)
{
	struct bskel_region __arena *h = BSKEL_HDR();
	if (map_id >= BSKEL_MAX_MAPS || off < BSKEL_PAGE_SIZE || (off >> BSKEL_PAGE_SHIFT) >= h->hwm_pages)
		return false;
	struct bskel_map_desc __arena *md = BSKEL_MAP(map_id);
	struct bskel_entry __arena *e = BSKEL_AT(struct bskel_entry, off);
	if (e->state != BSKEL_ENTRY_LIVE || e->gen != gen || e->map_id != map_id)
		return false;
	u64 word = bskel_leaf_word(h, map_id, key, false);
	if (word != 0) {
		u64 __arena *w = BSKEL_AT(u64, word);
		if (*w == bskel_index_word(gen, off)) {
			*w = 0;
			BSKEL_DESC(word >> BSKEL_PAGE_SHIFT)->nr_live--;
		}
	}
	smp_wmb();
	e->seq++; /* odd: writer inside */
	smp_wmb();
	e->state = BSKEL_ENTRY_FREE;
	u32 ng = gen + 1;
	e->gen = ng == 0 ? 1 : ng;
	e->owner_id = 0;
	u32 value_size = md->value_size;
	bskel_zero(off + md->value_off, value_size);
	smp_wmb();
	e->seq++; /* even again */
	u32 p = off >> BSKEL_PAGE_SHIFT;
	u32 c = md->class_id;
	struct bskel_class __arena *cls = BSKEL_CLASS(c);
	u32 stride = cls->stride;
	if (stride == 0)
		return true;
	u32 slot = (off - (p << BSKEL_PAGE_SHIFT) - BSKEL_SLAB_HDR_SIZE) / stride;
	struct bskel_slab_hdr __arena *sh = BSKEL_AT(struct bskel_slab_hdr, (u64)p << BSKEL_PAGE_SHIFT);
	if (slot < 64)
		sh->free_mask[0] |= 1ull << slot;
	else
		sh->free_mask[1] |= 1ull << ((slot - 64) & 63);
	BSKEL_DESC(p)->nr_live--;
	cls->nr_live--;
	if (p < cls->scan_hint)
		cls->scan_hint = p;
	md->nr_live--;
	md->deletes++;
	BSKEL_COUNT(frees, 1);
	BSKEL_COUNT(live_entries, -1);
	BSKEL_COUNT(live_bytes, -(u64)value_size);
	return true;
}

/* bskel_map_register finds or places map `name` (16 bytes as two words) in the header;
 * returns its id or -1. alloc_lock held. */
static __always_inline int bskel_map_register(u64 n0, u64 n1, u8 kind, u32 size, u32 align)
{
	struct bskel_region __arena *h = BSKEL_HDR();
	u32 nr = h->nr_maps;
#pragma unroll
	for (int id = 0; id < BSKEL_MAX_MAPS; id++) {
		if (id >= nr)
			break;
		struct bskel_map_desc __arena *md = BSKEL_MAP(id);
		u64 __arena *nm = (u64 __arena *)md->name;
		if (nm[0] == n0 && nm[1] == n1)
			return md->owner_kind == kind && md->value_size == size && md->value_align == align ? id : -1;
	}
	if (nr >= BSKEL_MAX_MAPS)
		return -1;
	int c = bskel_class_for(size, align);
	if (c < 0 || size == 0)
		return -1;
	struct bskel_map_desc __arena *md = BSKEL_MAP(nr);
	u64 __arena *nm = (u64 __arena *)md->name;
	nm[0] = n0;
	nm[1] = n1;
	md->class_id = c;
	md->value_off = bskel_value_off(align);
	md->value_size = size;
	md->value_align = align;
	md->owner_kind = kind;
	smp_wmb();
	h->nr_maps = nr + 1;
	return nr;
}

#endif /* __BPF_SKEL_STORAGE_ALLOC_BPF_H */
