// walk-region.c - reads a region dumped by the simulator through the C structs of
// storage-layout.h, as BPF C (and any C tool) will, and prints what it finds:
//   header <version> <hwm> <present> <nr_maps>
//   map <id> <name> <owner_kind> <value_size> <nr_live>
//   entry <map_id> <owner_id> <gen> <first 8 value bytes as u64>   (via the owner index)
//   slab <map_id> <owner_id>                                        (via the slab pages)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "storage-layout.h"

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 2;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *base = malloc(size);
	if (fread(base, 1, size, f) != (size_t)size)
		return 2;
	fclose(f);
	struct bskel_region *h = (struct bskel_region *)base;
	if (h->magic != BSKEL_REGION_MAGIC || h->version != BSKEL_LAYOUT_VERSION)
		return 3;
	printf("header %u %u %u %u\n", h->version, h->hwm_pages, h->present_pages, h->nr_maps);
	struct bskel_pgdesc *desc = (struct bskel_pgdesc *)(base + bskel_page_off(h->pgdesc_pgoff));
	for (__u32 m = 0; m < h->nr_maps; m++) {
		struct bskel_map_desc *md = &h->maps[m];
		printf("map %u %s %u %u %u\n", m, md->name, md->owner_kind, md->value_size, md->nr_live);
		for (__u32 r = 0; r < BSKEL_INDEX_ROOT; r++) {
			if (!md->index_root[r])
				continue;
			struct bskel_index_l1 *l1 = (struct bskel_index_l1 *)(base + bskel_page_off(md->index_root[r]));
			for (__u32 i = 0; i < BSKEL_INDEX_L1_FANOUT; i++) {
				if (!l1->leaf[i])
					continue;
				struct bskel_index_leaf *leaf = (struct bskel_index_leaf *)(base + bskel_page_off(l1->leaf[i]));
				for (__u32 k = 0; k < BSKEL_INDEX_LEAF_FANOUT; k++) {
					__u64 w = leaf->word[k];
					if (!w)
						continue;
					__u32 off = (__u32)w, gen = (__u32)(w >> 32);
					struct bskel_entry *e = (struct bskel_entry *)(base + off);
					__u32 key = (r << BSKEL_INDEX_ROOT_SHIFT) | (i << BSKEL_INDEX_L1_SHIFT) | k;
					if (e->owner_id != key || e->gen != gen || e->state != BSKEL_ENTRY_LIVE || e->map_id != m)
						return 4;
					__u64 v;
					memcpy(&v, (unsigned char *)e + md->value_off, 8);
					printf("entry %u %llu %u %llu\n", m, (unsigned long long)e->owner_id, e->gen, (unsigned long long)v);
				}
			}
		}
	}
	for (__u32 p = h->data_pgoff; p < h->hwm_pages; p++) {
		if (desc[p].kind != BSKEL_PAGE_SLAB)
			continue;
		struct bskel_slab_hdr *s = (struct bskel_slab_hdr *)(base + bskel_page_off(p));
		struct bskel_class *c = &h->classes[desc[p].class_id];
		if (s->page_no != p || s->nr_slots != c->nr_slots)
			return 5;
		__u32 live = 0;
		for (__u32 i = 0; i < s->nr_slots; i++) {
			struct bskel_entry *e = (struct bskel_entry *)(base + bskel_page_off(p) + BSKEL_SLAB_HDR_SIZE + i * c->stride);
			int free_bit = (s->free_mask[i / 64] >> (i % 64)) & 1;
			if ((e->state == BSKEL_ENTRY_LIVE) == free_bit)
				return 6; /* free mask and entry state disagree */
			if (e->state == BSKEL_ENTRY_LIVE) {
				live++;
				printf("slab %u %llu\n", e->map_id, (unsigned long long)e->owner_id);
			}
		}
		if (live != desc[p].nr_live)
			return 7;
	}
	return 0;
}
