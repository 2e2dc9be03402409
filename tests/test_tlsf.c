/*
 * test_tlsf.c: the region allocator (src/tlsf.h) on its own, and its invariant
 * checker. The checker is proven to see each invariant listed in src/tlsf.c
 * (B1-B5 beside the block, C1-C4 beside the control data): each test breaks
 * exactly one of them on a sound heap, checks that capheap_tlsf_check fails and
 * that every fault it reports names that invariant, at the right address, then
 * restores the heap and checks that it passes again.
 *
 * Breaking an invariant on purpose needs the allocator's own structures, so
 * this file compiles src/tlsf.c itself (the same source, not a copy of its
 * structs) and uses its block and list helpers. It builds them without the
 * internal assertions (src/assertions.h), whose preconditions would stop the
 * helpers from breaking an invariant on purpose.
 */
/* Before cmocka.h, whose fail() macro would rewrite tlsf.c's own fail(). */
#undef CAPHEAP_ASSERTIONS
#define CAPHEAP_ASSERTIONS 0
#include "tlsf.c"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capheap/port.h"

#define REGION (64 * 1024)
static _Alignas(64) uint8_t region[REGION];

/* ---- fault recording ----------------------------------------------------- */

typedef struct {
    int count;
    const void *addr[16];
    char what[16][128];
} faults_t;

static void record_fault(const void *addr, const char *what, void *user) {
    faults_t *f = user;
    if (f->count < 16) {
        f->addr[f->count] = addr;
        snprintf(f->what[f->count], sizeof f->what[0], "%s", what);
    }
    f->count++;
}

/* The check fails; every fault it reports names the invariant tag, and one of
 * them is at addr. */
static void expect_broken(const capheap_tlsf_t *t, const char *tag, const void *addr) {
    faults_t f = {0};
    assert_false(capheap_tlsf_check(t, record_fault, &f));
    assert_true(f.count > 0 && f.count <= 16);
    bool at = false;
    for (int i = 0; i < f.count; i++) {
        if (strstr(f.what[i], tag) == NULL) {
            fail_msg("breaking %s also reported '%s' at %p", tag, f.what[i], f.addr[i]);
        }
        at |= f.addr[i] == addr;
    }
    if (!at) {
        fail_msg("breaking %s reported '%s' at %p, not at %p", tag, f.what[0], f.addr[0], addr);
    }
}

static void expect_sound(const capheap_tlsf_t *t) {
    faults_t f = {0};
    if (!capheap_tlsf_check(t, record_fault, &f)) {
        fail_msg("check failed: '%s' at %p", f.what[0], f.addr[0]);
    }
    assert_int_equal(f.count, 0);
}

/* ---- a heap with blocks of every kind ------------------------------------ */

/*
 * Used blocks u0 u2 u4 u6 u8 u9, free blocks f1 f3 f5 of one size (a list of
 * three in one class), f7 of another, and the free tail:
 *   u0 f1 u2 f3 u4 f5 u6 f7 u8 u9 [tail]
 */
typedef struct {
    capheap_tlsf_t *t;
    block_t *b[10];
    block_t *tail;
} fixture_t;

static fixture_t make_fixture(void) {
    static const size_t sizes[10] = {100, 100, 100, 100, 100, 100, 100, 300, 40, 40};
    fixture_t fx;
    memset(region, 0x77, sizeof region);
    fx.t = capheap_tlsf_create(region, sizeof region, 0, 0);
    assert_non_null(fx.t);
    for (size_t i = 0; i < 10; i++) {
        uint8_t *p = capheap_tlsf_malloc(fx.t, sizes[i]);
        assert_non_null(p);
        fx.b[i] = block_of(p);
    }
    fx.tail = block_next(fx.b[9]);
    for (size_t i = 1; i <= 7; i += 2) {
        capheap_tlsf_free(fx.t, block_payload(fx.b[i]));
    }
    expect_sound(fx.t);
    assert_int_equal(class_of(fx.t, block_size(fx.b[1])), class_of(fx.t, block_size(fx.b[5])));
    return fx;
}

/* The list of f1, f3, f5 in order from its head. */
static unsigned list_class(const fixture_t *fx) { return class_of(fx->t, block_size(fx->b[1])); }

/* ---- B1-B5 ----------------------------------------------------------------- */

/* B1: a size below the minimum, off the grain, or past the end. (With the
 * 16-byte grain on 32-bit the grain is the minimum: the first size below it
 * is off the grain too.) */
static void check_sees_B1(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *b = fx.b[2];
    size_t saved = b->head, flags = saved & FLAGS;
    size_t past_end = (size_t)(blocks_end(fx.t) - (uint8_t *)b) + W;
    size_t below = W < MIN_BLOCK ? W : MIN_BLOCK - H;
    size_t bad[] = {below | flags, 0 | flags, (MIN_BLOCK - W) | flags, past_end | flags,
                    (SIZE_MAX & ~FLAGS) | flags, W >= 8 ? (block_size(b) + 4) | flags : W | flags};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b->head = bad[i];
        expect_broken(fx.t, "B1", b);
        b->head = saved;
        expect_sound(fx.t);
    }
}

/* B2: the previous-free flag disagrees with the block before (also on the
 * first block, which has no free block before it). */
static void check_sees_B2(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *cases[] = {fx.b[2], fx.b[9], fx.b[0]}; /* after a free block, after a used one, first */
    for (size_t i = 0; i < 3; i++) {
        cases[i]->head ^= FLAG_PREV_FREE;
        expect_broken(fx.t, "B2", cases[i]);
        cases[i]->head ^= FLAG_PREV_FREE;
        expect_sound(fx.t);
    }
}

/* B3: u8, between the free f7 and the used u9, made free in every other
 * respect (flag, footer, list, counters): only the coalescing is missing. */
static void check_sees_B3(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *b = fx.b[8];
    size_t size = block_size(b), head = b->head;
    uint8_t saved_payload[3 * sizeof(size_t)];
    memcpy(saved_payload, block_payload(b), sizeof saved_payload);
    b->head = size | FLAG_FREE | FLAG_PREV_FREE;
    *block_footer(b) = size;
    block_next(b)->head |= FLAG_PREV_FREE;
    list_insert(fx.t, b, class_of(fx.t, size));
    fx.t->n.used_blocks--, fx.t->n.free_bytes += size - H;
    expect_broken(fx.t, "B3", b);
    list_remove(fx.t, b);
    fx.t->n.used_blocks++, fx.t->n.free_bytes -= size - H;
    block_next(b)->head &= ~FLAG_PREV_FREE;
    b->head = head;
    memcpy(block_payload(b), saved_payload, sizeof saved_payload);
    expect_sound(fx.t);
}

/* B4: a free block's footer differs from its size (f3 in a list, the tail). */
static void check_sees_B4(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *cases[] = {fx.b[3], fx.tail};
    for (size_t i = 0; i < 2; i++) {
        *block_footer(cases[i]) += W;
        expect_broken(fx.t, "B4", cases[i]);
        *block_footer(cases[i]) -= W;
        expect_sound(fx.t);
    }
}

/* B5: a free block on no list, on the list of another class, or a used block
 * on a list. */
static void check_sees_B5(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *f = fx.b[3];
    unsigned c = class_of(fx.t, block_size(f));
    list_remove(fx.t, f); /* on no list */
    expect_broken(fx.t, "B5", fx.t);
    list_insert(fx.t, f, c == 0 ? 1 : c - 1); /* on another class's list */
    expect_broken(fx.t, "B5", f);
    list_remove(fx.t, f);
    list_insert(fx.t, f, c);
    expect_sound(fx.t);

    block_t *u = fx.b[4];
    uint8_t saved_payload[2 * sizeof(void *)];
    memcpy(saved_payload, block_payload(u), sizeof saved_payload);
    list_insert(fx.t, u, class_of(fx.t, block_size(u))); /* a used block listed */
    expect_broken(fx.t, "B5", u);
    list_remove(fx.t, u);
    memcpy(block_payload(u), saved_payload, sizeof saved_payload);
    expect_sound(fx.t);
}

/* B5: a list that leaves the heap, or loops back on itself. */
static void check_sees_broken_list_links(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    unsigned c = list_class(&fx);
    block_t *last = fx.t->heads[c];
    while (last->next_free != NULL) {
        last = last->next_free;
    }
    int outside;
    /* also links the check must not read through: off the grain (a
     * misaligned read faults on some cores), and too near the sentinel for
     * a free block's fields */
    block_t *targets[] = {(block_t *)(void *)&outside,
                          (block_t *)(void *)fx.t,
                          (block_t *)(void *)blocks_end(fx.t),
                          fx.t->heads[c],
                          (block_t *)(void *)((uint8_t *)fx.b[2] + 1),
                          (block_t *)(void *)(blocks_end(fx.t) - W)};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        last->next_free = targets[i];
        expect_broken(fx.t, "B5", targets[i]);
        last->next_free = NULL;
        expect_sound(fx.t);
    }
}

/* ---- C1-C4 ----------------------------------------------------------------- */

/* C1: a class bit set over an empty list or clear over a full one, a summary
 * bit that disagrees with its word, a bit beyond the last class. */
static void check_sees_C1(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    capheap_tlsf_t *t = fx.t;
    unsigned full = list_class(&fx), empty = t->class_min;
    while (t->heads[empty] != NULL) {
        empty++;
    }
    t->bitmap[empty >> 5] ^= 1u << (empty & 31);
    expect_broken(t, "C1", &t->heads[empty]);
    t->bitmap[empty >> 5] ^= 1u << (empty & 31);
    expect_sound(t);
    t->bitmap[full >> 5] ^= 1u << (full & 31);
    expect_broken(t, "C1", &t->heads[full]);
    t->bitmap[full >> 5] ^= 1u << (full & 31);
    expect_sound(t);
    for (unsigned w = 0; w < sizeof t->summary * 8; w++) { /* every bit the summary has */
        t->summary ^= 1u << w;
        expect_broken(t, "C1", &t->summary);
        t->summary ^= 1u << w;
        expect_sound(t);
    }
}

/* C1: no bit at or above class_end, in a heap whose last bitmap word is
 * partly used (found by trying region sizes), and none below class_min. With
 * the 8-byte grain on 32-bit (MIN_BLOCK two grains) only regions beyond
 * REGION merge classes finely enough to leave a class below class_min. */
static void check_sees_C1_beyond_the_last_class(void **state) {
    (void)state;
    const size_t largest = (size_t)1 << 20;
    uint8_t *mem = malloc(largest);
    assert_non_null(mem);
    capheap_tlsf_t *t = NULL;
    for (size_t size = 1024; size <= largest && (t == NULL || class_end_of(t) % 32 == 0 || t->class_min == 0);
         size += 512) {
        t = capheap_tlsf_create(mem, size, 0, 0);
    }
    assert_non_null(t);
    assert_true(class_end_of(t) % 32 != 0 && t->class_min > 0);
    uint32_t *word = &t->bitmap[(class_end_of(t) - 1) / 32];
    for (unsigned bit = class_end_of(t) % 32; bit < 32; bit++) {
        *word ^= 1u << bit;
        expect_broken(t, "C1", word);
        *word ^= 1u << bit;
        expect_sound(t);
    }
    for (unsigned c = 0; c < t->class_min; c++) {
        t->bitmap[c / 32] ^= 1u << (c % 32);
        expect_broken(t, "C1", &t->bitmap[c / 32]);
        t->bitmap[c / 32] ^= 1u << (c % 32);
        expect_sound(t);
    }
    free(mem);
}

/* C2: each counter off by one unit, and the watermark above the free bytes. */
static void check_sees_C2(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    size_t *counters[] = {&fx.t->n.free_bytes, &fx.t->n.used_blocks};
    for (size_t i = 0; i < 2; i++) {
        *counters[i] += 1;
        expect_broken(fx.t, "C2", fx.t);
        *counters[i] -= 2;
        expect_broken(fx.t, "C2", fx.t);
        *counters[i] += 1;
        expect_sound(fx.t);
    }
    size_t mark = fx.t->n.min_free_bytes;
    fx.t->n.min_free_bytes = fx.t->n.free_bytes + 1;
    expect_broken(fx.t, "C2", fx.t);
    fx.t->n.min_free_bytes = mark;
    expect_sound(fx.t);
}

/* C3: the sentinel free, sized, or disagreeing about the block before it. */
static void check_sees_C3(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *sentinel = block_at(blocks_end(fx.t));
    size_t saved = sentinel->head;
    size_t bad[] = {saved | FLAG_FREE, saved | MIN_BLOCK, saved ^ FLAG_PREV_FREE};
    for (size_t i = 0; i < 3; i++) {
        sentinel->head = bad[i];
        expect_broken(fx.t, "C3", sentinel);
        sentinel->head = saved;
        expect_sound(fx.t);
    }
}

/* C4: the first block of a list not linked back to the list's anchor, a later
 * one not linked back to its predecessor. */
static void check_sees_C4(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t *first = fx.t->heads[list_class(&fx)], *second = first->next_free;
    assert_non_null(second);
    block_t *links[] = {first, second};
    block_t *wrong[] = {NULL, second, first->next_free->next_free};
    for (size_t i = 0; i < 2; i++) {
        block_t *saved = links[i]->prev_free;
        for (size_t k = 0; k < 3; k++) {
            if (wrong[k] == saved) {
                continue;
            }
            links[i]->prev_free = wrong[k];
            expect_broken(fx.t, "C4", links[i]);
            links[i]->prev_free = saved;
            expect_sound(fx.t);
        }
    }
}

/* ---- the interface --------------------------------------------------------- */

static void assert_stats(const capheap_tlsf_t *t, size_t free_bytes, size_t free_blocks, size_t used_blocks) {
    capheap_tlsf_stats_t s;
    capheap_tlsf_get_stats(t, &s);
    assert_int_equal(s.free_bytes, free_bytes);
    assert_int_equal(s.free_blocks, free_blocks);
    assert_int_equal(s.used_blocks, used_blocks);
    assert_int_equal(capheap_tlsf_free_bytes(t), free_bytes);
    size_t area = (size_t)(capheap_tlsf_blocks_end(t) - capheap_tlsf_blocks_begin(t));
    assert_int_equal(s.used_bytes, area - (free_blocks + used_blocks) * H - free_bytes);
}

/* NULL iff the region cannot hold the control data and one minimum block;
 * extra bytes in front are left alone; nothing is written outside. */
static void create_bounds(void **state) {
    (void)state;
    assert_null(capheap_tlsf_create(NULL, 4096, 0, 0));
    assert_null(capheap_tlsf_create((void *)(UINTPTR_MAX - 63), 4096, 0, 0)); /* wraps around */
    /* At the top of the address space (no memory there: a write would fault):
     * the start rounded up to the grain, and the control data's end, would
     * wrap around to address 0. */
    assert_null(capheap_tlsf_create((void *)(UINTPTR_MAX - 2), 2, 0, 0));
    assert_null(capheap_tlsf_create((void *)(UINTPTR_MAX - 63), 63, 0, 0));
    assert_null(capheap_tlsf_create((void *)(UINTPTR_MAX - 63), 63, 8, 0));
    assert_null(capheap_tlsf_create((void *)(UINTPTR_MAX - 255), 256, 0, 0));
    assert_null(capheap_tlsf_create(region, 64, 65, 0)); /* more extra bytes than the region has */
    for (size_t extra = 0; extra <= 3 * W; extra += W / 2) {
        size_t min = 0;
        for (size_t size = 0; size < 2048 && min == 0; size++) {
            memset(region, 0x33, 4096);
            capheap_tlsf_t *t = capheap_tlsf_create(region + 1, size, extra, 0);
            if (t != NULL) {
                min = size;
                assert_true((uint8_t *)t >= region + 1 + extra && (uintptr_t)t % W == 0);
                assert_int_equal(capheap_tlsf_free_bytes(t), MIN_BLOCK - H);
                assert_int_equal(capheap_tlsf_overhead(t), (size_t)(capheap_tlsf_blocks_begin(t) - (uint8_t *)t) + H);
                for (size_t i = 0; i <= extra; i++) {
                    assert_int_equal(region[i], 0x33); /* the caller's bytes */
                }
                assert_int_equal(region[1 + size], 0x33);
                expect_sound(t);
            }
        }
        assert_true(min > 0);
        for (size_t size = min; size < min + 4096; size += 7) {
            capheap_tlsf_t *t = capheap_tlsf_create(region + 1, size, extra, 0);
            assert_non_null(t);
            assert_true(capheap_tlsf_blocks_end(t) + H <= region + 1 + size);
            assert_stats(t, (size_t)(capheap_tlsf_blocks_end(t) - capheap_tlsf_blocks_begin(t)) - H, 1, 0);
        }
    }
}

/* The list heads cost at most about 1/128 of the region: control data stays
 * a small share from 1 KiB to 16 MiB. */
static void control_data_share(void **state) {
    (void)state;
    size_t biggest = (size_t)16 << 20;
    uint8_t *mem = malloc(biggest);
    assert_non_null(mem);
    for (size_t size = 1024; size <= biggest; size *= 2) {
        capheap_tlsf_t *t = capheap_tlsf_create(mem, size, 0, 0);
        assert_non_null(t);
        size_t fixed = sizeof(capheap_tlsf_t) + 32 * sizeof(uint32_t) + 2 * W;
        assert_true(capheap_tlsf_overhead(t) <= fixed + size / 128);
        expect_sound(t);
    }
    free(mem);
}

/* The classes are as fine as the share allows: a region's list heads cost at
 * most 1/CONTROL_SHARE of it (unless the classes are merged as far as they
 * go), and one merging step less, twice the classes, would cost more. Regions
 * 64 bytes apart from 1 KiB to REGION reach each step at its edge, where the
 * heads cost exactly the share: at most is inclusive there. */
static void classes_as_fine_as_the_share_allows(void **state) {
    (void)state;
    size_t edges = 0;
    for (size_t size = 1024; size <= REGION; size += 64) {
        capheap_tlsf_t *t = capheap_tlsf_create(region, size, 0, 0);
        assert_non_null(t);
        size_t area = (size_t)(capheap_tlsf_blocks_end(t) + H - (uint8_t *)t); /* what the heads share */
        size_t share = area / CAPHEAP_TLSF_CONTROL_SHARE, cost = (class_end_of(t) - t->class_min) * HEAD_COST;
        assert_true(cost <= share || t->coarsen == FINE_LOG2);
        if (t->coarsen > 0) {
            unsigned min, end = class_end_for(area, t->coarsen - 1u, &min);
            assert_true((end - min) * HEAD_COST > share);
        }
        edges += cost == share;
    }
    assert_true(edges > 0);
}

/* Sizes round up to the grain plus a header, at least the minimum block;
 * size 0 and sizes that cannot fit give NULL. */
static void malloc_sizes(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    size_t free0 = capheap_tlsf_free_bytes(t);
    /* (SIZE_MAX - H - W + 2 rounds up to exactly 0: malloc's first test) */
    const size_t bad[] = {0, SIZE_MAX, SIZE_MAX - W, SIZE_MAX - H - W + 2, SIZE_MAX / 2, free0 + 1, free0 + W,
                          sizeof region};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_null(capheap_tlsf_malloc(t, bad[i]));
    }
    for (size_t n = 1; n < 2000; n++) {
        uint8_t *p = capheap_tlsf_malloc(t, n);
        assert_non_null(p);
        size_t block = (n + H + W - 1) / W * W;
        assert_int_equal(capheap_tlsf_usable_size(p), (block < MIN_BLOCK ? MIN_BLOCK : block) - H);
        assert_int_equal((uintptr_t)p % W, 0);
        assert_int_equal(capheap_tlsf_validate(t, p), CAPHEAP_FAULT_NONE);
        memset(p, 0x44, capheap_tlsf_usable_size(p));
        capheap_tlsf_free(t, p);
        assert_stats(t, free0, 1, 0);
    }
    uint8_t *all = capheap_tlsf_malloc(t, free0);
    assert_non_null(all);
    assert_stats(t, 0, 0, 1);
    expect_sound(t);
}

/* The smallest heaps, whose one free block is a minimum block or a few
 * grains more (a span below MIN_BLOCK + H), refuse size 0 and sizes too
 * large or wrapping as a large heap does, and serve their whole block. */
static void malloc_on_the_smallest_heaps(void **state) {
    (void)state;
    size_t min = 0;
    while (capheap_tlsf_create(region, min, 0, 0) == NULL) {
        min += W;
    }
    for (size_t size = min; size <= min + 4 * W; size += W) {
        capheap_tlsf_t *t = capheap_tlsf_create(region, size, 0, 0);
        size_t room = capheap_tlsf_free_bytes(t);
        assert_true(room >= MIN_BLOCK - H);
        const size_t bad[] = {0, SIZE_MAX, SIZE_MAX - W, SIZE_MAX - H - W + 2, room + 1};
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            assert_null(capheap_tlsf_malloc(t, bad[i]));
            assert_stats(t, room, 1, 0);
        }
        uint8_t *p = capheap_tlsf_malloc(t, room);
        assert_non_null(p);
        assert_int_equal(capheap_tlsf_usable_size(p), room);
        assert_stats(t, 0, 0, 1);
        expect_sound(t);
    }
}

/* capheap_tlsf_free reports the free block it formed: the block alone, or
 * merged with a free successor, predecessor, or both. */
static void free_coalesces(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *p[5];
    for (size_t i = 0; i < 5; i++) {
        p[i] = capheap_tlsf_malloc(t, 100);
    }
    size_t full = capheap_tlsf_usable_size(p[0]) + H;
    capheap_tlsf_span_t s = capheap_tlsf_free(t, p[1]); /* alone */
    assert_ptr_equal(s.start, p[1] - H);
    assert_int_equal(s.size, full);
    s = capheap_tlsf_free(t, p[2]); /* after the free p[1] */
    assert_ptr_equal(s.start, p[1] - H);
    assert_int_equal(s.size, 2 * full);
    s = capheap_tlsf_free(t, p[0]); /* before it */
    assert_ptr_equal(s.start, p[0] - H);
    assert_int_equal(s.size, 3 * full);
    size_t tail = capheap_tlsf_free_bytes(t) - (3 * full - H) + H;
    s = capheap_tlsf_free(t, p[4]); /* between used p[3] and the free tail */
    assert_ptr_equal(s.start, p[4] - H);
    assert_int_equal(s.size, full + tail);
    s = capheap_tlsf_free(t, p[3]); /* between two free blocks */
    assert_ptr_equal(s.start, p[0] - H);
    assert_int_equal(s.size, (size_t)(capheap_tlsf_blocks_end(t) - capheap_tlsf_blocks_begin(t)));
    assert_stats(t, s.size - H, 1, 0);
    expect_sound(t);
}

/* memalign: powers of two only; (payload + offset) aligned; an offset off the
 * grain cannot be served when the alignment is larger than the grain; a front
 * gap becomes a free block of its own. */
static void memalign_alignments_and_offsets(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *keep = capheap_tlsf_malloc(t, 8);
    size_t free1 = capheap_tlsf_free_bytes(t);
    for (size_t align = 0; align <= 8192; align++) {
        bool pow2 = align != 0 && (align & (align - 1)) == 0;
        for (size_t offset = 0; offset < 2 * align + 2 * W; offset += align > 64 ? align / 4 : 1) {
            uint8_t *p = capheap_tlsf_memalign(t, 50, align, offset);
            bool servable = pow2 && (offset & (align - 1) & (W - 1)) == 0;
            if (!servable) {
                assert_null(p);
                assert_stats(t, free1, 1, 1);
                continue;
            }
            assert_non_null(p);
            assert_int_equal(((uintptr_t)p + offset) % align, 0);
            assert_true(capheap_tlsf_usable_size(p) >= 50);
            expect_sound(t);
            capheap_tlsf_free(t, p);
            assert_stats(t, free1, 1, 1);
        }
    }
    capheap_tlsf_free(t, keep);
    assert_null(capheap_tlsf_memalign(t, 50, (size_t)1 << (sizeof(size_t) * 8 - 1), 0));
    assert_null(capheap_tlsf_memalign(t, SIZE_MAX, 64, 0));
    assert_null(capheap_tlsf_memalign(t, 0, 64, 0));
    expect_sound(t);
}

/* The front gap memalign leaves before the first payload of a fresh heap
 * for align and offset (src/tlsf.c's front_gap). */
static size_t gap_at(const capheap_tlsf_t *t, size_t align, size_t offset) {
    size_t gap = (size_t)(0 - ((uintptr_t)t->payload0 + offset)) & (align - 1);
    while (gap != 0 && gap < MIN_BLOCK) { /* the gap must stand as a free block */
        gap += align;
    }
    return gap;
}

/* memalign on a heap whose only free block is its largest: a request is
 * served up to what that block holds after its own front gap (not after the
 * worst gap an alignment can need), and one byte more fails. */
static void memalign_the_largest_block_up_to_its_own_gap(void **state) {
    (void)state;
    for (size_t align = 2 * W; align <= 512; align *= 2) {
        for (size_t offset = 0; offset < align; offset += align / 2) {
            capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
            size_t largest = capheap_tlsf_largest_free(t);
            size_t gap = gap_at(t, align, offset);
            assert_null(capheap_tlsf_memalign(t, largest - gap + 1, align, offset));
            uint8_t *p = capheap_tlsf_memalign(t, largest - gap, align, offset);
            assert_non_null(p);
            assert_int_equal(((uintptr_t)p + offset) % align, 0);
            assert_true(capheap_tlsf_usable_size(p) >= largest - gap);
            expect_sound(t);
        }
    }
}

/* A free block that holds exactly a minimum block after its front gap (here
 * none: the offset puts its payload on the alignment) serves an aligned
 * request of that size, and largest_aligned says so: the only free block of
 * a full heap, too small for the worst gap, so that take_fit fails and the
 * largest blocks' own gaps decide (top_aligned's bound is inclusive). */
static void memalign_takes_a_block_that_is_exactly_a_minimum_block(void **state) {
    (void)state;
    static void *live[REGION / MIN_BLOCK];
    const size_t align = 2 * W, small = MIN_BLOCK - H;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    size_t n = 0;
    while ((live[n] = capheap_tlsf_malloc(t, small)) != NULL) {
        n++;
    }
    assert_true(n > 2);
    uint8_t *p = live[n / 2]; /* used neighbours on both sides */
    size_t offset = (align - (uintptr_t)p % align) % align;
    capheap_tlsf_free(t, p);
    assert_int_equal(capheap_tlsf_largest_aligned(t, align, offset), small);
    assert_ptr_equal(capheap_tlsf_memalign(t, small, align, offset), p);
    assert_int_equal(capheap_tlsf_largest_free(t), 0);
    expect_sound(t);
}

/* An aligned request that a small free block holds even with the worst
 * front gap is served from it, found by its class as malloc finds a block
 * (good fit), not from the largest block: the large free tail stays whole. */
static void memalign_finds_a_fitting_block_by_its_class(void **state) {
    (void)state;
    const size_t align = 64, size = 64;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *small = capheap_tlsf_malloc(t, size + 2 * align + MIN_BLOCK); /* room for any gap */
    void *sep = capheap_tlsf_malloc(t, 8); /* keeps it apart from the tail */
    size_t small_size = capheap_tlsf_usable_size(small);
    capheap_tlsf_free(t, small);
    size_t tail = capheap_tlsf_largest_free(t);
    assert_true(tail > small_size);
    uint8_t *p = capheap_tlsf_memalign(t, size, align, 0);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % align, 0);
    assert_true(p >= small && p + size <= small + small_size);
    assert_int_equal(capheap_tlsf_largest_free(t), tail);
    (void)sep;
    expect_sound(t);
}

/* The blocks of a heap in address order, for a layout test. */
typedef struct {
    size_t n;
    uint8_t *payload[4];
    size_t usable[4];
    bool used[4];
} layout_t;

static bool note_block(void *payload, size_t usable, bool used, void *user) {
    layout_t *l = user;
    assert_true(l->n < 4);
    l->payload[l->n] = payload;
    l->usable[l->n] = usable;
    l->used[l->n++] = used;
    return true;
}

/* memalign carves its block out of one free block: a free front gap when the
 * payload is not aligned already, the used block, and a free tail when the
 * rest is enough for a block (else the used block keeps it). Each shape on a
 * fresh heap, whose only free block spans it. */
static void memalign_carves_gap_block_and_tail(void **state) {
    (void)state;
    const size_t align = 64;
    for (int shape = 0; shape < 4; shape++) {
        bool with_gap = shape & 1, with_tail = shape & 2;
        capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
        /* an offset that gives the first payload a gap, or none */
        size_t aligned_at = (size_t)(0 - (uintptr_t)t->payload0) & (align - 1);
        size_t offset = !with_gap ? aligned_at : gap_at(t, align, 0) != 0 ? 0 : align - MIN_BLOCK;
        size_t gap = gap_at(t, align, offset);
        assert_true((gap != 0) == with_gap);
        size_t size = with_tail ? 100 : capheap_tlsf_largest_free(t) - gap;
        uint8_t *p = capheap_tlsf_memalign(t, size, align, offset);
        assert_non_null(p);
        assert_int_equal(((uintptr_t)p + offset) % align, 0);
        layout_t l = {0};
        capheap_tlsf_walk(t, note_block, &l);
        size_t i = 0;
        if (with_gap) {
            assert_false(l.used[0]);
            assert_int_equal(l.usable[0] + H, gap);
            i = 1;
        }
        assert_ptr_equal(l.payload[i], p);
        assert_true(l.used[i]);
        assert_int_equal(l.n, i + 1 + with_tail);
        if (with_tail) {
            assert_false(l.used[i + 1]);
            assert_int_equal(l.usable[i], (size + H + W - 1) / W * W - H);
        }
        expect_sound(t);
        capheap_tlsf_free(t, p);
        assert_stats(t, capheap_tlsf_largest_free(t), 1, 0);
        expect_sound(t);
    }
}

/* realloc: shrinks and grows in place when the successor allows, else moves
 * keeping the contents; on failure NULL with the block untouched. */
static void realloc_in_place_and_moving(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *a = capheap_tlsf_malloc(t, 200), *b = capheap_tlsf_malloc(t, 200);
    memset(a, 0xA1, 200);
    assert_ptr_equal(capheap_tlsf_realloc(t, a, 100), a); /* shrink: the tail is a free block */
    assert_stats(t, capheap_tlsf_free_bytes(t), 2, 2);
    size_t kept = capheap_tlsf_usable_size(a); /* what survives the shrink */
    assert_ptr_equal(capheap_tlsf_realloc(t, a, 200), a); /* grows back into it */
    assert_stats(t, capheap_tlsf_free_bytes(t), 1, 2);
    uint8_t *a2 = capheap_tlsf_realloc(t, a, 400); /* b is in the way */
    assert_non_null(a2);
    assert_true(a2 != a);
    for (size_t i = 0; i < kept; i++) {
        assert_int_equal(a2[i], 0xA1);
    }
    memset(b, 0xB2, 200);
    size_t room = capheap_tlsf_free_bytes(t);
    assert_null(capheap_tlsf_realloc(t, b, sizeof region));
    assert_null(capheap_tlsf_realloc(t, b, SIZE_MAX));
    assert_int_equal(capheap_tlsf_free_bytes(t), room);
    for (size_t i = 0; i < 200; i++) {
        assert_int_equal(b[i], 0xB2);
    }
    expect_sound(t);
}

/* validate names what is wrong with a pointer; free_checked reports it and
 * changes nothing. */
static int reported;
static const void *reported_at;
static void on_report(const void *addr, const char *what, void *user) {
    (void)what, (void)user;
    reported++;
    reported_at = addr;
}

static void validate_and_free_checked(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *p = capheap_tlsf_malloc(t, 100), *q = capheap_tlsf_malloc(t, 100), *r = capheap_tlsf_malloc(t, 100);
    capheap_tlsf_free(t, q);
    uint8_t *begin = capheap_tlsf_blocks_begin(t), *end = capheap_tlsf_blocks_end(t);
    memset(r, 0, 100);
    size_t forged = W >= 8 ? 5 * W + 4 : 3; /* off the grain, or flagged free */
    memcpy(r + 3 * W - H, &forged, sizeof forged); /* the header of r + 3 * W */
    const struct {
        void *p;
        capheap_fault_t fault;
    } cases[] = {
        {begin, CAPHEAP_FAULT_OUTSIDE},       {end, CAPHEAP_FAULT_OUTSIDE},
        {(uint8_t *)t, CAPHEAP_FAULT_OUTSIDE}, {p + 1, CAPHEAP_FAULT_MISALIGNED},
        {p + W / 2, CAPHEAP_FAULT_MISALIGNED}, {q, CAPHEAP_FAULT_DOUBLE_FREE},
        {r + W, CAPHEAP_FAULT_NOT_A_BLOCK},
        {r + 3 * W, W >= 8 ? CAPHEAP_FAULT_NOT_A_BLOCK : CAPHEAP_FAULT_DOUBLE_FREE},
    };
    capheap_set_corruption_handler(on_report, NULL);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(capheap_tlsf_validate(t, cases[i].p), cases[i].fault);
        reported = 0;
        capheap_tlsf_free_checked(t, cases[i].p);
        assert_int_equal(reported, 1);
        assert_ptr_equal(reported_at, cases[i].p);
        assert_stats(t, capheap_tlsf_free_bytes(t), 2, 2);
        expect_sound(t);
    }
    void *volatile null = NULL; /* not a constant: gcc would warn about the header read it never makes */
    assert_int_equal(capheap_tlsf_validate(t, null), CAPHEAP_FAULT_OUTSIDE);
    reported = 0;
    capheap_tlsf_free_checked(t, null); /* does nothing, reports nothing */
    assert_int_equal(reported, 0);
    assert_stats(t, capheap_tlsf_free_bytes(t), 2, 2);
    expect_sound(t);
    assert_int_equal(capheap_tlsf_validate(t, p), CAPHEAP_FAULT_NONE);
    reported = 0;
    capheap_tlsf_free_checked(t, p);
    assert_int_equal(reported, 0);
    assert_stats(t, capheap_tlsf_free_bytes(t), 2, 1);
    capheap_set_corruption_handler(NULL, NULL);
    expect_sound(t);
}

/* free_checked of a used block whose word at w was overwritten with value:
 * reported at the block's payload as no block, the heap unchanged; with the
 * word restored, the heap is sound. */
static void expect_merge_refused(capheap_tlsf_t *t, block_t *b, size_t *w, size_t value) {
    size_t saved = *w;
    capheap_tlsf_stats_t before, after;
    capheap_tlsf_get_stats(t, &before);
    *w = value;
    assert_int_equal(capheap_tlsf_validate(t, block_payload(b)), CAPHEAP_FAULT_NOT_A_BLOCK);
    reported = 0;
    capheap_tlsf_free_checked(t, block_payload(b));
    assert_int_equal(reported, 1);
    assert_ptr_equal(reported_at, block_payload(b));
    *w = saved;
    capheap_tlsf_get_stats(t, &after);
    assert_memory_equal(&before, &after, sizeof before);
    expect_sound(t);
}

/* A free merges only with blocks: a header overwritten by an overrun of the
 * block before it (a flag, or the low bits of the size), and a free
 * neighbour whose header or footer was written after it was freed, are
 * reported before the free follows them (else it would unlink what no list
 * holds: a crash, or a corrupt heap). On the fixture
 * u0 f1 u2 f3 u4 f5 u6 f7 u8 u9 [tail]. */
static void free_merges_only_with_blocks(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    block_t **b = fx.b;
    capheap_set_corruption_handler(on_report, NULL);
    /* b's header says the block before is free: u8 is used (its last word
     * holds its own size, as a footer would), and u0 has nothing before it */
    ((size_t *)b[9])[-1] = block_size(b[8]);
    expect_merge_refused(fx.t, b[9], &b[9]->head, b[9]->head | FLAG_PREV_FREE);
    expect_merge_refused(fx.t, b[0], &b[0]->head, b[0]->head | FLAG_PREV_FREE);
    /* b's size shrunk, so that its successor is in its own payload, whose
     * bytes read as a free header of a size beyond the region */
    memset(block_payload(b[4]), 0x41, block_size(b[4]) - H);
    expect_merge_refused(fx.t, b[4], &b[4]->head, block_size(b[4]) - 2 * W);
    /* the free neighbours of u2, written after they were freed: f1's footer,
     * f3's footer, f3's size (beyond the region, and one grain more) */
    expect_merge_refused(fx.t, b[2], block_footer(b[1]), block_size(b[1]) + W);
    expect_merge_refused(fx.t, b[2], block_footer(b[3]), 0);
    expect_merge_refused(fx.t, b[2], &b[3]->head, (REGION * 2) | FLAG_FREE);
    expect_merge_refused(fx.t, b[2], &b[3]->head, (block_size(b[3]) + W) | FLAG_FREE);
    reported = 0;
    capheap_tlsf_free_checked(fx.t, block_payload(b[2])); /* the heap as it was: merges both */
    assert_int_equal(reported, 0);
    capheap_set_corruption_handler(NULL, NULL);
    expect_sound(fx.t);
}

/* A used block whose size was grown past the sentinel is no block, even
 * where the bytes past the region read as a used header (zeros: the heap
 * takes the first half of the buffer). Tried on the second block, whose
 * distance from the first payload must count against the room left. */
static void free_refuses_a_size_past_the_end(void **state) {
    (void)state;
    memset(region, 0, sizeof region);
    capheap_tlsf_t *t = capheap_tlsf_create(region, REGION / 2, 0, 0);
    uint8_t *first = capheap_tlsf_malloc(t, 100), *second = capheap_tlsf_malloc(t, 100);
    block_t *b = block_of(second);
    size_t to_sentinel = (size_t)(capheap_tlsf_blocks_end(t) - (uint8_t *)b); /* the largest size it may have */
    capheap_set_corruption_handler(on_report, NULL);
    for (size_t past = W; past <= 4 * W; past += W) {
        expect_merge_refused(t, b, &b->head, to_sentinel + past);
    }
    capheap_set_corruption_handler(NULL, NULL);
    (void)first;
}

/* A block freed into its free predecessor is gone, but a second free of it
 * is still seen as one: its old header, now inside the merged free block,
 * says free. validate says already free; free_checked reports it at the
 * pointer and changes nothing. */
static void double_free_after_a_merge_is_seen(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    uint8_t *a = capheap_tlsf_malloc(t, 100), *b = capheap_tlsf_malloc(t, 100), *c = capheap_tlsf_malloc(t, 100);
    capheap_tlsf_free(t, a);
    capheap_tlsf_free(t, b); /* merges into a's block; c stays used after it */
    assert_int_equal(capheap_tlsf_validate(t, b), CAPHEAP_FAULT_DOUBLE_FREE);
    capheap_tlsf_stats_t before, after;
    capheap_tlsf_get_stats(t, &before);
    capheap_set_corruption_handler(on_report, NULL);
    reported = 0;
    capheap_tlsf_free_checked(t, b);
    assert_int_equal(reported, 1);
    assert_ptr_equal(reported_at, b);
    capheap_set_corruption_handler(NULL, NULL);
    capheap_tlsf_get_stats(t, &after);
    assert_memory_equal(&before, &after, sizeof before);
    (void)c;
    expect_sound(t);
}

/* largest_free is exact: a malloc of it succeeds and of one byte more fails;
 * malloc of it and free leave the counters as they were. */
static void assert_largest_exact(capheap_tlsf_t *t) {
    capheap_tlsf_stats_t before, after;
    capheap_tlsf_get_stats(t, &before);
    size_t largest = capheap_tlsf_largest_free(t);
    assert_true(largest <= before.free_bytes);
    assert_null(capheap_tlsf_malloc(t, largest + 1));
    if (largest > 0) {
        void *p = capheap_tlsf_malloc(t, largest);
        assert_non_null(p);
        capheap_tlsf_free(t, p);
    } else {
        assert_null(capheap_tlsf_malloc(t, 1));
    }
    capheap_tlsf_get_stats(t, &after);
    assert_memory_equal(&before, &after, sizeof before);
}

/* In random states, and with long lists in the top class whose largest block
 * sits at every depth (the search looks only at the first two blocks of a list). */
#define LONG_LIST 16

/* One random step on 256 slots (xorshift state *s): a slot that holds a
 * block frees it, an empty one allocates 1..3000 bytes, with aligned
 * requests among them (a quarter, up to 256-aligned) when aligned. */
static void random_step(capheap_tlsf_t *t, void *live[256], uint64_t *s, bool aligned) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    size_t slot = (*s >> 10) % 256;
    if (live[slot] != NULL) {
        capheap_tlsf_free(t, live[slot]);
        live[slot] = NULL;
    } else if (aligned && (*s >> 50) % 4 == 0) {
        live[slot] = capheap_tlsf_memalign(t, 1 + (*s >> 20) % 2000, (size_t)8 << (*s >> 40) % 6, 0);
    } else {
        live[slot] = capheap_tlsf_malloc(t, 1 + (*s >> 20) % ((*s >> 40) % 4 == 0 ? 3000 : 200));
    }
}

static void largest_free_is_exact(void **state) {
    (void)state;
    uint64_t s = 0xFEEDFACE;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    void *live[256] = {0};
    for (int step = 0; step < 20000; step++) {
        random_step(t, live, &s, false);
        assert_largest_exact(t);
    }
    expect_sound(t);
    for (size_t depth = 0; depth < LONG_LIST; depth++) {
        t = capheap_tlsf_create(region, sizeof region, 0, 0);
        void *big[LONG_LIST + 1], *sep[LONG_LIST + 1];
        for (size_t i = 0; i <= LONG_LIST; i++) {
            big[i] = capheap_tlsf_malloc(t, 1024 + (i == depth ? 64 : 8 * (i % 4)));
            sep[i] = capheap_tlsf_malloc(t, 8);
        }
        while (capheap_tlsf_malloc(t, 8) != NULL) {
        }
        for (size_t i = 0; i <= LONG_LIST; i++) {
            capheap_tlsf_free(t, big[LONG_LIST - i]); /* the list ends up in address order */
            assert_largest_exact(t);
        }
        (void)sep;
        expect_sound(t);
    }
}

/* largest_aligned is exact for align and offset: a memalign of it succeeds,
 * aligned, and of one byte more fails; 0 when none is served. */
static void assert_largest_aligned_exact(capheap_tlsf_t *t, size_t align, size_t offset) {
    capheap_tlsf_stats_t before, after;
    capheap_tlsf_get_stats(t, &before);
    size_t largest = capheap_tlsf_largest_aligned(t, align, offset);
    assert_null(capheap_tlsf_memalign(t, largest + 1, align, offset));
    uint8_t *p = capheap_tlsf_memalign(t, largest > 0 ? largest : 1, align, offset);
    assert_true((p != NULL) == (largest > 0));
    if (p != NULL) {
        assert_int_equal(((uintptr_t)p + offset) % align, 0);
        capheap_tlsf_free(t, p);
    }
    capheap_tlsf_get_stats(t, &after);
    assert_memory_equal(&before, &after, sizeof before);
}

/* In random states, for alignments above the grain (with offsets on it) and
 * at it (the plain largest); at the end also every alignment below the grain,
 * 1 included, which memalign serves as malloc does: the plain largest too.
 * 0 for what memalign refuses. */
static void largest_aligned_is_exact(void **state) {
    (void)state;
    static const size_t pairs[][2] = {{W, 0}, {2 * W, 0}, {64, 0}, {64, W}, {256, 8 * W}, {4096, 0}};
    uint64_t s = 0xC0FFEE;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    void *live[256] = {0};
    for (int step = 0; step < 5000; step++) {
        random_step(t, live, &s, true);
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            assert_largest_aligned_exact(t, pairs[i][0], pairs[i][1]);
        }
    }
    for (size_t align = 1; align <= W; align *= 2) { /* memalign serves these as malloc does */
        assert_int_equal(capheap_tlsf_largest_aligned(t, align, 0), capheap_tlsf_largest_free(t));
    }
    assert_int_equal(capheap_tlsf_largest_aligned(t, 0, 0), 0);
    assert_int_equal(capheap_tlsf_largest_aligned(t, 96, 0), 0);
    assert_int_equal(capheap_tlsf_largest_aligned(t, 64, 1), 0); /* a block cannot start off the grain */
    expect_sound(t);
}

/* The search reads the first two blocks of a list only: with three free
 * blocks of one class, the largest behind two smaller ones, a request for the
 * largest fails until one of them is taken, and largest_free says so; a
 * request the second block fits takes it, not the first. (Sizes 16 bytes
 * apart: distinct blocks at every grain, one class at every coarsening.) */
static void first_two_blocks_of_a_class_decide(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    void *small = capheap_tlsf_malloc(t, 1096);
    void *sep1 = capheap_tlsf_malloc(t, 8);
    void *medium = capheap_tlsf_malloc(t, 1112);
    void *sep2 = capheap_tlsf_malloc(t, 8);
    void *large = capheap_tlsf_malloc(t, 1128);
    void *sep3 = capheap_tlsf_malloc(t, 8);
    while (capheap_tlsf_malloc(t, 8) != NULL) {
    }
    unsigned c = class_of(t, block_size(block_of(small)));
    assert_int_equal(class_of(t, block_size(block_of(medium))), c);
    assert_int_equal(class_of(t, block_size(block_of(large))), c);
    size_t small_size = capheap_tlsf_usable_size(small), medium_size = capheap_tlsf_usable_size(medium),
           large_size = capheap_tlsf_usable_size(large);
    capheap_tlsf_free(t, large);
    capheap_tlsf_free(t, medium);
    capheap_tlsf_free(t, small); /* the list: small, medium, large */
    assert_int_equal(capheap_tlsf_largest_free(t), medium_size);
    assert_null(capheap_tlsf_malloc(t, large_size));
    assert_ptr_equal(capheap_tlsf_malloc(t, medium_size), medium); /* the second fits, the first not */
    assert_int_equal(capheap_tlsf_largest_free(t), large_size); /* small, large */
    assert_ptr_equal(capheap_tlsf_malloc(t, large_size), large);
    assert_int_equal(capheap_tlsf_largest_free(t), small_size);
    (void)sep1, (void)sep2, (void)sep3;
    expect_sound(t);
}

/* The watermark follows the lowest free bytes; set_min_free never lifts it
 * above the current free bytes and returns the old value. */
static void watermark(void **state) {
    (void)state;
    capheap_tlsf_t *t = capheap_tlsf_create(region, sizeof region, 0, 0);
    const capheap_tlsf_counters_t *n = capheap_tlsf_counters(t);
    size_t free0 = n->free_bytes;
    assert_int_equal(n->min_free_bytes, free0);
    void *p = capheap_tlsf_malloc(t, 1000);
    size_t low = n->free_bytes;
    assert_int_equal(n->min_free_bytes, low);
    capheap_tlsf_free(t, p);
    assert_int_equal(n->min_free_bytes, low);
    assert_int_equal(capheap_tlsf_set_min_free(t, SIZE_MAX), low);
    assert_int_equal(n->min_free_bytes, free0);
    assert_int_equal(capheap_tlsf_set_min_free(t, 5), free0);
    assert_int_equal(n->min_free_bytes, 5);
    expect_sound(t);
}

typedef struct {
    size_t calls, stop, used;
    uint8_t *next;
} walk_t;

static bool walk_cb(void *payload, size_t usable, bool used, void *user) {
    walk_t *w = user;
    assert_ptr_equal((uint8_t *)payload - H, w->next); /* the blocks tile the area */
    w->next = (uint8_t *)payload + usable;
    w->used += used;
    return ++w->calls != w->stop;
}

/* walk visits the blocks in address order, each once, and stops on false. */
static void walk_in_order(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    walk_t w = {.next = capheap_tlsf_blocks_begin(fx.t)};
    capheap_tlsf_walk(fx.t, walk_cb, &w);
    assert_int_equal(w.calls, 11);
    assert_int_equal(w.used, 6);
    assert_ptr_equal(w.next, capheap_tlsf_blocks_end(fx.t));
    for (size_t stop = 1; stop <= 11; stop++) {
        walk_t part = {.stop = stop, .next = capheap_tlsf_blocks_begin(fx.t)};
        capheap_tlsf_walk(fx.t, walk_cb, &part);
        assert_int_equal(part.calls, stop);
    }
}

/* walk ends at a header of size 0, which only the sentinel has (B1): a dump
 * of a heap whose header was overwritten with zeros stops there instead of
 * visiting the same block for ever. (The callback gives up after 100 calls.) */
static void walk_stops_at_a_zero_size(void **state) {
    (void)state;
    fixture_t fx = make_fixture();
    size_t saved = fx.b[4]->head;
    fx.b[4]->head = 0;
    walk_t w = {.stop = 100, .next = capheap_tlsf_blocks_begin(fx.t)};
    capheap_tlsf_walk(fx.t, walk_cb, &w);
    assert_int_equal(w.calls, 4); /* u0 f1 u2 f3 */
    assert_ptr_equal(w.next, (uint8_t *)fx.b[4]);
    fx.b[4]->head = saved;
    expect_sound(fx.t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_sees_B1),
        cmocka_unit_test(check_sees_B2),
        cmocka_unit_test(check_sees_B3),
        cmocka_unit_test(check_sees_B4),
        cmocka_unit_test(check_sees_B5),
        cmocka_unit_test(check_sees_broken_list_links),
        cmocka_unit_test(check_sees_C1),
        cmocka_unit_test(check_sees_C1_beyond_the_last_class),
        cmocka_unit_test(check_sees_C2),
        cmocka_unit_test(check_sees_C3),
        cmocka_unit_test(check_sees_C4),
        cmocka_unit_test(create_bounds),
        cmocka_unit_test(control_data_share),
        cmocka_unit_test(classes_as_fine_as_the_share_allows),
        cmocka_unit_test(malloc_sizes),
        cmocka_unit_test(malloc_on_the_smallest_heaps),
        cmocka_unit_test(free_coalesces),
        cmocka_unit_test(memalign_alignments_and_offsets),
        cmocka_unit_test(memalign_the_largest_block_up_to_its_own_gap),
        cmocka_unit_test(memalign_carves_gap_block_and_tail),
        cmocka_unit_test(memalign_finds_a_fitting_block_by_its_class),
        cmocka_unit_test(realloc_in_place_and_moving),
        cmocka_unit_test(validate_and_free_checked),
        cmocka_unit_test(free_merges_only_with_blocks),
        cmocka_unit_test(free_refuses_a_size_past_the_end),
        cmocka_unit_test(double_free_after_a_merge_is_seen),
        cmocka_unit_test(largest_free_is_exact),
        cmocka_unit_test(largest_aligned_is_exact),
        cmocka_unit_test(memalign_takes_a_block_that_is_exactly_a_minimum_block),
        cmocka_unit_test(first_two_blocks_of_a_class_decide),
        cmocka_unit_test(watermark),
        cmocka_unit_test(walk_in_order),
        cmocka_unit_test(walk_stops_at_a_zero_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
