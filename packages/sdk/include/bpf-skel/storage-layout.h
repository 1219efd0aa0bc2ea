/* SPDX-License-Identifier: MIT */
/*
 * storage-layout.h - the bpf-skel mapped local storage layout contract, version 1.
 *
 * One region (a BPF arena on the kernel, a SharedArrayBuffer in the simulator) holds every
 * mapped storage map of one BPF object: a header page, a page-descriptor table, prepared
 * pages, slab pages of entries and the owner index. BPF C writes it, user space reads it
 * in place; both follow docs/storage-layout.md. Every offset stored in the region is
 * relative to the region's first byte (the header), never a pointer, so the same bytes
 * mean the same thing in the kernel, in every process and in the simulator.
 *
 * Compiles with `clang-19 -target bpf` and natively (C11); the _Static_asserts pin the
 * layout the TypeScript reader's generated accessors are generated from.
 */
#ifndef __BPF_SKEL_STORAGE_LAYOUT_H
#define __BPF_SKEL_STORAGE_LAYOUT_H

#if !defined(__VMLINUX_H__) && !defined(__ASM_GENERIC_INT_LL64_H) && !defined(_ASM_GENERIC_INT_LL64_H)
/* Same types as <linux/types.h>; C11 allows the identical redefinition. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
#endif

/* "bskelrgn" read as a little-endian u64. */
#define BSKEL_REGION_MAGIC 0x6e67726c656b7362ULL
#define BSKEL_LAYOUT_VERSION 1

#define BSKEL_PAGE_SHIFT 12
#define BSKEL_PAGE_SIZE (1u << BSKEL_PAGE_SHIFT)

/* Region page 0 is the header; page descriptors start at page 1. */
#define BSKEL_PGDESC_PGOFF 1
#define BSKEL_PGDESC_PER_PAGE (BSKEL_PAGE_SIZE / 8)

/* Page kinds (struct bskel_pgdesc.kind). ABSENT pages must never be touched by a reader. */
#define BSKEL_PAGE_ABSENT 0
#define BSKEL_PAGE_META 1       /* the header or a page-descriptor page */
#define BSKEL_PAGE_PREPARED 2   /* present, zeroed, waiting in the pool */
#define BSKEL_PAGE_SLAB 3       /* a slab page of one size class */
#define BSKEL_PAGE_INDEX_L1 4   /* owner index level 1: 1024 leaf page numbers */
#define BSKEL_PAGE_INDEX_LEAF 5 /* owner index leaf: 512 index words */
#define BSKEL_PAGE_RETIRED 6    /* unlinked by trim, freed by the next trim (readers may still hold it) */

#define BSKEL_MAX_CLASSES 16
#define BSKEL_MAX_MAPS 8
#define BSKEL_POOL_MAX 64
#define BSKEL_MAP_NAME_LEN 16

/* Owner index: key = root(6 bits) | l1(10 bits) | leaf(9 bits); keys < 2^25 (pid_max is 2^22). */
#define BSKEL_INDEX_ROOT 64
#define BSKEL_INDEX_L1_SHIFT 9
#define BSKEL_INDEX_ROOT_SHIFT 19
#define BSKEL_INDEX_L1_FANOUT 1024
#define BSKEL_INDEX_LEAF_FANOUT 512
#define BSKEL_KEY_LIMIT (1u << 25)

/* Owner kinds (struct bskel_entry.owner_kind, struct bskel_map_desc.owner_kind). */
#define BSKEL_OWNER_TASK 1
#define BSKEL_OWNER_CGROUP 2

/* Entry states (struct bskel_entry.state). */
#define BSKEL_ENTRY_FREE 0
#define BSKEL_ENTRY_LIVE 1

/* Slab geometry: a 32-byte slab header, then entries of one stride; strides are multiples of 16. */
#define BSKEL_SLAB_HDR_SIZE 32
#define BSKEL_SLAB_SLOTS_MAX 128
#define BSKEL_VALUE_ALIGN_MAX 16
/* The stride of each size class, ascending; entry = struct bskel_entry + value, rounded up. */
#define BSKEL_CLASS_STRIDES \
	{ 32, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512, 672, 1008, 2032, 4064 }

/* bskel_pgdesc: one per region page, in the descriptor table at page 1..; says what a page holds. */
struct bskel_pgdesc {
	__u8 kind;     /* BSKEL_PAGE_* */
	__u8 class_id; /* SLAB: size class */
	__u16 nr_live; /* SLAB: live entries; INDEX_*: non-empty words */
	__u32 aux;     /* INDEX_*: map id */
};

/* bskel_class: the state of one size class (its free structure is the pages' free masks). */
struct bskel_class {
	__u16 stride;    /* entry stride in bytes; 0 = class unused */
	__u16 nr_slots;  /* entries per slab page */
	__u32 scan_hint; /* no page below this one has a free slot of this class (lowest-first reuse) */
	__u32 nr_pages;  /* slab pages of this class */
	__u32 nr_live;   /* live entries of this class */
};

/* bskel_map_desc: one mapped storage map (task or cgroup storage) living in the region. */
struct bskel_map_desc {
	char name[BSKEL_MAP_NAME_LEN];
	__u8 owner_kind; /* BSKEL_OWNER_*; 0 = unused descriptor */
	__u8 class_id;
	__u16 value_off;  /* value offset inside an entry */
	__u32 value_size;
	__u32 value_align;
	__u32 nr_live;
	__u64 creates;
	__u64 deletes;
	__u32 index_root[BSKEL_INDEX_ROOT]; /* region page numbers of level-1 index pages; 0 = none */
};

/* bskel_counters: monotonic event counters and the live totals (for stats and tests). */
struct bskel_counters {
	__u64 allocs;          /* entries allocated */
	__u64 frees;           /* entries freed */
	__u64 alloc_fail;      /* allocations that returned NULL */
	__u64 page_allocs;     /* pages made present */
	__u64 page_frees;      /* pages returned (zapped) */
	__u64 page_alloc_fail; /* page allocations the kernel refused */
	__u64 pool_refills;    /* sleepable refills of the prepared pool */
	__u64 pool_empty;      /* non-sleepable allocations that found the pool empty */
	__u64 live_entries;
	__u64 live_bytes;      /* sum of live entries' value sizes */
	__u64 index_pages;     /* present index pages (L1 + leaves) */
	__u64 slab_pages;      /* present slab pages */
};

/*
 * bskel_region: the header, exactly region page 0. Fields below hwm_pages/epoch are only
 * written by the (single, locked) BPF-side allocator; user space reads them.
 */
struct bskel_region {
	__u64 magic;          /* BSKEL_REGION_MAGIC */
	__u32 version;        /* BSKEL_LAYOUT_VERSION */
	__u32 page_size;      /* BSKEL_PAGE_SIZE */
	__u32 region_pgoff;   /* page of this header inside the mapping (after .addr_space.1 globals) */
	__u32 max_pages;      /* pages reserved for the region, header included */
	__u32 hwm_pages;      /* high-water mark: pages >= this were never present */
	__u32 present_pages;  /* pages present now */
	__u64 epoch;          /* bumped whenever the set of present pages grows or shrinks */
	__u32 pgdesc_pgoff;   /* BSKEL_PGDESC_PGOFF */
	__u32 pgdesc_pages;   /* pages reserved for descriptors: ceil(max_pages / 512) */
	__u32 data_pgoff;     /* first page for slabs and index pages */
	__u32 nr_maps;
	__u32 pool_nr;        /* prepared pages in pool[] (pool[pool_nr-1] is taken first) */
	__u32 pool_target;    /* refill tops the pool up to this many */
	__u32 pool[BSKEL_POOL_MAX];
	struct bskel_counters counters;
	struct bskel_class classes[BSKEL_MAX_CLASSES];
	struct bskel_map_desc maps[BSKEL_MAX_MAPS];
	__u8 _reserved[992];
};

/* bskel_slab_hdr: the first 32 bytes of a slab page; entries follow at BSKEL_SLAB_HDR_SIZE. */
struct bskel_slab_hdr {
	__u64 free_mask[2]; /* bit i set: slot i is free */
	__u16 class_id;
	__u16 nr_slots;
	__u32 page_no;      /* region page number of this page (self-check) */
	__u64 _pad;
};

/*
 * bskel_entry: the header of every slot; the value follows at the map's value_off (24, or 32
 * for 16-byte aligned values). seq is odd while a writer is inside; gen is bumped on free.
 */
struct bskel_entry {
	__u32 seq;
	__u32 gen;
	__u64 owner_id;  /* pid or cgroup id; 0 while free */
	__u16 map_id;
	__u8 owner_kind;
	__u8 state;      /* BSKEL_ENTRY_* */
	__u32 _pad;
};

/*
 * Index pages. A leaf word is (u64)gen << 32 | entry offset (0 = empty), stored with one
 * 64-bit write so a reader sees the old or the new word, never half of each.
 */
struct bskel_index_l1 {
	__u32 leaf[BSKEL_INDEX_L1_FANOUT];
};
struct bskel_index_leaf {
	__u64 word[BSKEL_INDEX_LEAF_FANOUT];
};

#define BSKEL_OFFSETOF(t, m) __builtin_offsetof(t, m)
_Static_assert(sizeof(struct bskel_pgdesc) == 8, "bskel_pgdesc size");
_Static_assert(sizeof(struct bskel_class) == 16, "bskel_class size");
_Static_assert(sizeof(struct bskel_map_desc) == 304, "bskel_map_desc size");
_Static_assert(BSKEL_OFFSETOF(struct bskel_map_desc, index_root) == 48, "index_root offset");
_Static_assert(sizeof(struct bskel_counters) == 96, "bskel_counters size");
_Static_assert(BSKEL_OFFSETOF(struct bskel_region, epoch) == 32, "epoch offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_region, pool) == 64, "pool offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_region, counters) == 320, "counters offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_region, classes) == 416, "classes offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_region, maps) == 672, "maps offset");
_Static_assert(sizeof(struct bskel_region) == BSKEL_PAGE_SIZE, "header is exactly one page");
_Static_assert(sizeof(struct bskel_slab_hdr) == BSKEL_SLAB_HDR_SIZE, "slab header size");
_Static_assert(sizeof(struct bskel_entry) == 24, "entry header size");
_Static_assert(BSKEL_OFFSETOF(struct bskel_entry, gen) == 4, "gen offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_entry, owner_id) == 8, "owner_id offset");
_Static_assert(BSKEL_OFFSETOF(struct bskel_entry, map_id) == 16, "map_id offset");
_Static_assert(sizeof(struct bskel_index_l1) == BSKEL_PAGE_SIZE, "l1 is one page");
_Static_assert(sizeof(struct bskel_index_leaf) == BSKEL_PAGE_SIZE, "leaf is one page");
_Static_assert(BSKEL_PGDESC_PER_PAGE * sizeof(struct bskel_pgdesc) == BSKEL_PAGE_SIZE, "pgdesc page");
_Static_assert(BSKEL_INDEX_ROOT * BSKEL_INDEX_L1_FANOUT * BSKEL_INDEX_LEAF_FANOUT == BSKEL_KEY_LIMIT,
	       "index covers the key space");

/* bskel_value_off returns where the value starts in an entry for a value of alignment align. */
static inline __u32 bskel_value_off(__u32 align)
{
	return align > 8 ? 32 : (__u32)sizeof(struct bskel_entry);
}

/* bskel_page_off returns the region-relative byte offset of region page pg. */
static inline __u64 bskel_page_off(__u32 pg)
{
	return (__u64)pg << BSKEL_PAGE_SHIFT;
}

/* bskel_index_word packs an index word: generation high, entry offset low. */
static inline __u64 bskel_index_word(__u32 gen, __u32 entry_off)
{
	return ((__u64)gen << 32) | entry_off;
}

#endif /* __BPF_SKEL_STORAGE_LAYOUT_H */
