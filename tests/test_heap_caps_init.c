/*
 * test_heap_caps_init.c: esp_heap_caps_init.h on the esp32 board: regions
 * added at run time (heap_caps_add_region takes the caps of the board's region,
 * and its instruction-bus window), with each documented error; a heap added
 * while in use, and one made of a live allocation; heap_caps_init and the
 * start-up stacks (see also test_boards).
 */
#define _POSIX_C_SOURCE 200809L
#include "caps_test.h"
#include "heap_caps_internal.h"

static intptr_t chip(uintptr_t a) { return (intptr_t)caps_host(a); }

static void add_region_takes_the_board_caps(void **state) {
    (void)state;
    size_t dram_before = heap_caps_get_total_size(MALLOC_CAP_DMA);
    /* the application's .bss range, released (say, by a bootloader stage) */
    assert_int_equal(heap_caps_add_region(chip(0x3FFB0000), chip(0x3FFB3000)), ESP_OK);
    capheap_heap_t *h = caps_heap_at(caps_host(0x3FFB0000));
    assert_non_null(h);
    assert_string_equal(h->name, "DRAM");
    assert_int_equal(h->caps[0], MALLOC_CAP_8BIT | MALLOC_CAP_DEFAULT);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), dram_before + 0x3000);
    /* last in registry order: the other DRAM heaps come first */
    void *p = heap_caps_malloc(64, MALLOC_CAP_8BIT);
    assert_ptr_not_equal(caps_heap_of(p), h);
    heap_caps_free(p);
    void *q = heap_caps_malloc(0x2000, MALLOC_CAP_8BIT);
    heap_caps_free(q);
}

static void add_region_errors(void **state) {
    (void)state;
    assert_int_equal(heap_caps_add_region(0, chip(0x3FFB3000)), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region(chip(0x3FFB1000), chip(0x3FFB0000)), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region(chip(0x3FFB1000), 0), ESP_ERR_INVALID_ARG);
    assert_int_equal(heap_caps_add_region(chip(0x40000000), chip(0x40001000)), ESP_ERR_NOT_FOUND);
    assert_int_equal(heap_caps_add_region(chip(0x3FFB2000), chip(0x3FFB4000)), ESP_FAIL); /* a heap's start */
    assert_int_equal(heap_caps_add_region(chip(0x3FFB4000), chip(0x3FFB5000)), ESP_FAIL); /* a heap's free memory */
    assert_int_equal(heap_caps_add_region(chip(0x3FFB3000), chip(0x3FFE0000)), ESP_FAIL); /* the same */
    assert_int_equal(heap_caps_add_region(chip(0x3FFAFFF0), chip(0x3FFB0010)), ESP_FAIL); /* an end */
    assert_int_equal(heap_caps_add_region(chip(0x3FFAE000), chip(0x3FFAE010)), ESP_ERR_NO_MEM); /* too small */
    /* a window address is not a region of the board's data bus */
    assert_int_equal(heap_caps_add_region(chip(0x400A0100), chip(0x400A0200)), ESP_ERR_NOT_FOUND);
    const uint32_t caps[3] = {MALLOC_CAP_8BIT, 0, 0};
    /* a range over D/IRAM's window overlaps that heap's instruction-bus addresses */
    assert_int_equal(heap_caps_add_region_with_caps(caps, chip(0x400A0000), chip(0x400A1000)), ESP_FAIL);
    assert_int_equal(capheap_registry_count(), 5);
}

/* With no lock left in the port, a region is refused as out of memory and
 * nothing of it becomes a heap: its memory is as it was, a free inside it is
 * a foreign pointer, the heaps there serve as before. With a lock again, the
 * same call makes it. */
static void add_region_without_a_lock(void **state) {
    (void)state;
    size_t heaps = capheap_registry_count();
    size_t total = heap_caps_get_total_size(MALLOC_CAP_DMA);
    uint8_t *range = caps_ptr(0x3FFB0000);
    memset(range, 0x5A, 0x3000);
    caps_locks_t locks;
    caps_take_every_lock(&locks);
    assert_int_equal(heap_caps_add_region(chip(0x3FFB0000), chip(0x3FFB3000)), ESP_ERR_NO_MEM);
    for (size_t i = 0; i < 0x3000; i++) {
        assert_int_equal(range[i], 0x5A);
    }
    assert_int_equal(capheap_registry_count(), heaps);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), total);
    assert_null(caps_heap_at(caps_host(0x3FFB0000)));
    heap_caps_free(caps_ptr(0x3FFB0100));
    assert_int_equal(caps_reports.count, 1);
    assert_ptr_equal(caps_reports.addr, caps_ptr(0x3FFB0100));
    void *p = heap_caps_malloc(64, MALLOC_CAP_DMA);
    assert_non_null(p);
    heap_caps_free(p);
    caps_give_locks(&locks, 0);
    /* heap_caps_enable_nonos_stack_heaps on another thread, which read the
     * count while the refused record was counted, enables nothing of it once
     * a lock is free again: the record past the count is no heap. */
    assert_int_equal(capheap_registry_enable(capheap_registry_at(heaps)), ESP_ERR_INVALID_STATE);
    assert_int_equal(capheap_registry_count(), heaps);
    assert_null(caps_heap_at(caps_host(0x3FFB0000)));
    assert_int_equal(range[0], 0x5A);
    assert_int_equal(heap_caps_add_region(chip(0x3FFB0000), chip(0x3FFB3000)), ESP_OK);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), total + 0x3000);
    assert_int_equal(caps_reports.count, 1);
    assert_true(heap_caps_check_integrity_all(true));
}

static void added_diram_range_gets_its_window(void **state) {
    (void)state;
    /* ROM APP CPU data, once the second core no longer needs it: D/IRAM */
    assert_int_equal(heap_caps_add_region(chip(0x3FFE3F20), chip(0x3FFE4350)), ESP_OK);
    capheap_heap_t *h = caps_heap_at(caps_host(0x3FFE3F20));
    assert_non_null(h);
    assert_string_equal(h->name, "D/IRAM");
    assert_int_equal(h->alias.start, caps_host(0x400A0000 + (0x40000000 - 0x3FFE4350)));
    /* fill IRAM and the other D/IRAM heaps' room for small blocks... */
    uint32_t *x = NULL;
    void *blocks[3000];
    int n = 0;
    while ((x = heap_caps_malloc(256, MALLOC_CAP_EXEC)) != NULL && caps_heap_of_window(x) != h) {
        blocks[n++] = x;
        assert_true(n < 3000);
    }
    /* ...and the next one comes from the new heap, through its window */
    assert_non_null(x);
    for (int i = 0; i < 64; i++) {
        x[i] = 0xE1E2E3E4u;
    }
    assert_int_equal(capheap_ptr_caps(x) & MALLOC_CAP_EXEC, MALLOC_CAP_EXEC);
    heap_caps_free(x);
    for (int i = 0; i < n; i++) {
        heap_caps_free(blocks[i]);
    }
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}

static void add_region_with_caps_of_ones_own(void **state) {
    (void)state;
    const uint32_t caps[3] = {MALLOC_CAP_RETENTION, 0, MALLOC_CAP_8BIT};
    assert_int_equal(heap_caps_add_region_with_caps(caps, chip(0x3FFB0000), chip(0x3FFB3000)), ESP_OK);
    capheap_heap_t *h = caps_heap_at(caps_host(0x3FFB0000));
    assert_string_equal(h->name, "heap"); /* caps of no board type */
    void *r = heap_caps_malloc(100, MALLOC_CAP_RETENTION);
    assert_ptr_equal(caps_heap_of(r), h);
    assert_int_equal(capheap_ptr_caps(r), capheap_ptr_caps(caps_ptr(0x3FFB3000))); /* still DRAM */
    heap_caps_free(r);
}

#if CAPHEAP_NESTED_HEAPS > 0
/* A live allocation made a heap of its own (as ESP-IDF allows): in DRAM with
 * the board's caps (test_registry_nested.c tests the rest). */
static void add_region_inside_an_allocation(void **state) {
    (void)state;
    uint8_t *p = heap_caps_malloc(4096, MALLOC_CAP_8BIT | MALLOC_CAP_INTERNAL);
    assert_non_null(p);
    assert_string_equal(caps_heap_of(p)->name, "DRAM");
    size_t dram_free = heap_caps_get_free_size(MALLOC_CAP_DMA);
    assert_int_equal(heap_caps_add_region((intptr_t)p, (intptr_t)(p + 4096)), ESP_OK);
    assert_true(heap_caps_get_free_size(MALLOC_CAP_DMA) > dram_free); /* a new DRAM heap */
    heap_caps_free(p);
    assert_int_equal(caps_reports.count, 1); /* the allocation is the new heap's now */
    assert_true(heap_caps_check_integrity_all(true));
}

/* The heap that owns address p, as frees find it. */
static capheap_heap_t *owner_of(const void *p) {
    const capheap_range_t *r = capheap_registry_owner_search((uintptr_t)p);
    return r != NULL ? r->heap : NULL;
}

/* A 4 KiB allocation q of the D/IRAM heap after the ROM's APP CPU data (an
 * inverted window), between two EXEC blocks of the same heap (before, after),
 * q's usable bytes, and where the instruction bus shows q's block:
 * [image, image + usable), q's last word first. */
typedef struct {
    capheap_heap_t *diram;
    void *before, *after;
    uint8_t *q;
    size_t usable;
    uintptr_t image;
} windowed_t;

static windowed_t windowed_allocation(void) {
    windowed_t w = {caps_heap_at(caps_host(0x3FFE4350)), NULL, NULL, NULL, 0, 0};
    assert_non_null(w.diram);
    assert_int_equal(w.diram->alias_kind, CAPHEAP_ALIAS_INVERTED);
    w.before = capheap_alias_alloc(w.diram, 256, 0);
    w.q = multi_heap_malloc(capheap_heap_handle(w.diram), 4096);
    w.after = capheap_alias_alloc(w.diram, 256, 0);
    assert_true(w.before != NULL && w.q != NULL && w.after != NULL);
    w.usable = multi_heap_get_allocated_size(capheap_heap_handle(w.diram), w.q);
    w.image = w.diram->alias_k - ((uintptr_t)w.q + w.usable);
    return w;
}

/* The heap made of [q, q + len) of w's allocation: a heap of its own, with
 * an inverted window as the host's. */
static capheap_heap_t *heap_inside(const windowed_t *w, size_t len) {
    assert_int_equal(heap_caps_add_region((intptr_t)w->q, (intptr_t)(w->q + len)), ESP_OK);
    capheap_heap_t *inner = owner_of(w->q + 100);
    assert_true(inner != NULL && inner != w->diram && inner->alias_kind == CAPHEAP_ALIAS_INVERTED);
    return inner;
}

/* In D/IRAM, whose instruction bus sees its words in reverse: the new heap
 * takes the allocation's window addresses too. Its EXEC blocks come through
 * the window, from the allocation's image; the host's window blocks on both
 * sides still go back to the host; a window address of the allocation that
 * no EXEC block returned, and the allocation itself, are refused. */
static void add_region_inside_a_windowed_allocation(void **state) {
    (void)state;
    windowed_t w = windowed_allocation();
    capheap_heap_t *diram = w.diram, *inner = heap_inside(&w, 4096);
    void *before = w.before, *after = w.after;
    uint8_t *q = w.q;
    size_t usable = w.usable;
    uintptr_t image = w.image;
    void *e = capheap_alias_alloc(inner, 100, 0);
    assert_non_null(e);
    assert_true((uintptr_t)e - image < usable && owner_of(e) == inner);
    *(volatile uint32_t *)e = 0x12345678u; /* through the window, inside the new heap's memory */
    assert_int_equal(caps_reports.count, 0);
    heap_caps_free((void *)(image + 64)); /* no EXEC block there */
    heap_caps_free(q);                    /* the allocation: the new heap's now */
    assert_int_equal(caps_reports.count, 2);
    assert_true(owner_of(before) == diram && owner_of(after) == diram); /* the window's two sides */
    size_t heaps = capheap_registry_count();
    const uint32_t caps[3] = {MALLOC_CAP_32BIT, 0, 0};
    assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)before, (intptr_t)before + 64), ESP_FAIL);
    assert_int_equal(heap_caps_add_region_with_caps(caps, (intptr_t)after, (intptr_t)after + 64), ESP_FAIL);
    assert_int_equal(capheap_registry_count(), heaps); /* window addresses, either side: the host's still */
    heap_caps_free(e);
    heap_caps_free(before);
    heap_caps_free(after);
    assert_int_equal(caps_reports.count, 2);
    assert_true(heap_caps_check_integrity_all(true));
}

/* The same with a range that ends short of the allocation: the new heap
 * still takes the allocation's whole image on the instruction bus, which
 * in an inverted window starts at the image of the allocation's end, not of
 * the range's (its window record is the allocation's, not the range's).
 * Window addresses of the allocation's first and last words are the new
 * heap's; those just beyond them on either side are still the host's. */
static void a_short_range_inside_a_windowed_allocation_takes_its_whole_image(void **state) {
    (void)state;
    windowed_t w = windowed_allocation();
    capheap_heap_t *diram = w.diram, *inner = heap_inside(&w, 2048);
    void *before = w.before, *after = w.after;
    size_t usable = w.usable;
    uintptr_t image = w.image;
    assert_ptr_equal(owner_of((void *)image), inner);              /* q's last word */
    assert_ptr_equal(owner_of((void *)(image + usable - 4)), inner); /* q's first word */
    assert_ptr_equal(owner_of((void *)(image - 4)), diram);          /* the word after q's block */
    assert_ptr_equal(owner_of((void *)(image + usable)), diram);     /* the word before q */
    void *e = capheap_alias_alloc(inner, 100, 0);
    assert_non_null(e);
    assert_true((uintptr_t)e - image < usable && owner_of(e) == inner);
    heap_caps_free(e);
    heap_caps_free(before);
    heap_caps_free(after);
    assert_int_equal(caps_reports.count, 0);
    assert_true(heap_caps_check_integrity_all(true));
}
#endif

int main(void) {
#define T(t) cmocka_unit_test_setup_teardown(t, caps_setup_esp32, caps_teardown)
    const struct CMUnitTest tests[] = {
        T(add_region_takes_the_board_caps),
        T(add_region_errors),
        T(add_region_without_a_lock),
        T(added_diram_range_gets_its_window),
        T(add_region_with_caps_of_ones_own),
#if CAPHEAP_NESTED_HEAPS > 0 /* else no such heap: test_registry_nested.c tests the refusal */
        T(add_region_inside_an_allocation),
        T(add_region_inside_a_windowed_allocation),
        T(a_short_range_inside_a_windowed_allocation_takes_its_whole_image),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
