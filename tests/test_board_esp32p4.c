/*
 * test_board_esp32p4.c: the esp32p4 boards' placement rules on the host
 * model. L2 memory minus the cache, the application and the ROM's data in
 * two heaps (RETENT_RAM, then the start-up stack's RAM), the TCM and LP SRAM
 * after them: malloc takes L2 memory in address order, then the TCM, then
 * LP SRAM. DMA and SIMD stay in L2 memory, DMA in whole 64-byte cache lines;
 * RETENTION only in RETENT_RAM; ESP-IDF's TCM/SCP names reach the TCM;
 * nothing is executable (esp32p4-noprot: L2 memory and LP SRAM serve EXEC
 * at their own addresses). esp32p4-psram adds 32 MiB of PSRAM under the
 * default malloc policy; esp32p4-rev1 is the v1.x chip, whose cache is at
 * the top of L2 memory and whose ROM data lies inside the stack's region.
 */
#define BOARD_NAME "esp32p4"
#include "test_board_common.h"

static const chip_range_t tcm = {0x30100000, 0x30102000};
static const chip_range_t retent = {0x4FF2F000, 0x4FFBAFC0}; /* after code and data, up to the stack's block */
static const chip_range_t stack = {0x4FFBAFC0, 0x4FFBFBB0}; /* the stack's block below the ROM's data */
static const chip_range_t lp = {0x50108018, 0x50110000};    /* LP SRAM after its reserved segment */
static const chip_range_t l2mem = {0x4FF00000, 0x4FFC0000};  /* all of it, on either revision */
static const chip_range_t app_cache_and_rom[] = {
    {0x4FF00000, 0x4FF20000}, /* the L2 cache */
    {0x4FF20000, 0x4FF2F000}, /* IRAM code, .data/.bss */
    {0x4FFBFBB0, 0x4FFC0000}, /* ROM .bss/.data */
    {0x50108000, 0x50108018}, /* RTC timer data */
};

#define RANGE_SIZE(r)  ((size_t)((r).end - (r).start))
#define COMMON_CAPS    (MALLOC_CAP_DEFAULT | MALLOC_CAP_32BIT | MALLOC_CAP_8BIT)
#define L2MEM_CAPS     (COMMON_CAPS | MALLOC_CAP_INTERNAL | MALLOC_CAP_DMA | MALLOC_CAP_SIMD)
#define LINE           64u

/* 512-byte blocks each heap holds at least, with every grain and poisoning
 * level and with task tracking (573,376, 19,440, 8,192 and 32,744 bytes: 1,111, 37, 15 and 63
 * blocks with 4-byte headers, a few less with wider grains and canaries).
 * On a 64-byte line a block takes 576 bytes: 995 and 33 in L2 memory. */
static const size_t most_retent = 1000, most_stack = 30, most_tcm = 12, most_lp = 55;
static const size_t most_retent_lines = 880;

static drained_t d;

static int rev1_setup(void **state) {
    (void)state;
    assert_int_equal(capheap_init(BOARD_NAME "-rev1"), ESP_OK);
    return 0;
}

static void heaps_follow_the_map(void **state) {
    (void)state;
    const chip_range_t expected[] = {tcm, retent, stack, lp};
    assert_heaps(expected, 4);
    size_t l2 = RANGE_SIZE(retent) + RANGE_SIZE(stack);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_8BIT), l2 + RANGE_SIZE(tcm) + RANGE_SIZE(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA), l2);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SIMD), l2);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), RANGE_SIZE(retent));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_TCM), RANGE_SIZE(tcm));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RTCRAM), RANGE_SIZE(lp));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), 0);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), 0);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC));
}

/* L2 memory's types have their caps at priority 0, the TCM's common caps
 * are at 1 and LP SRAM's at 2: malloc fills them in that order, and never
 * the cache, the application or the ROM's data. */
static void l2_memory_then_tcm_then_lp_sram(void **state) {
    (void)state;
    const chip_range_t order[] = {retent, stack, tcm, lp};
    const size_t min[] = {most_retent, most_stack, most_tcm, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 4);
    assert_drain_order(&d, 512, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT, order, min, 4);
    assert_drain_order(&d, 512, MALLOC_CAP_32BIT, order, min, 4);
    drain(&d, 512, MALLOC_CAP_DEFAULT);
    assert_none_in(&d, app_cache_and_rom, sizeof app_cache_and_rom / sizeof app_cache_and_rom[0]);
    release(&d);
}

/* DMA: L2 memory only, each block whole cache lines; so is SIMD (at least
 * 16-aligned, the line here). */
static void assert_lines(uint32_t caps) {
    for (size_t size = 1; size <= 300; size += 37) {
        uint8_t *p = heap_caps_malloc(size, caps);
        assert_true(p != NULL && in_range(p, l2mem));
        assert_int_equal(chip_addr(p) % LINE, 0);
        size_t lines = (size + LINE - 1) & ~(size_t)(LINE - 1); /* the block ends on a line too */
        if (CAPHEAP_POISONING_LEVEL > 0) {
            assert_int_equal(heap_caps_get_allocated_size(p), lines); /* poisoning keeps the size asked */
        } else {
            assert_true(heap_caps_get_allocated_size(p) >= lines); /* a block of the grain, its header past */
        }
        heap_caps_free(p);
    }
}

static void dma_and_simd_in_l2_memory_lines(void **state) {
    (void)state;
    assert_lines(MALLOC_CAP_DMA);
    assert_lines(MALLOC_CAP_DMA_DESC_AXI);
    assert_lines(MALLOC_CAP_SIMD);
    assert_lines(MALLOC_CAP_CACHE_ALIGNED | MALLOC_CAP_8BIT);
    const chip_range_t order[] = {retent, stack};
    const size_t min[] = {most_retent_lines, most_stack};
    assert_drain_order(&d, 512, MALLOC_CAP_DMA, order, min, 2);
    assert_drain_order(&d, 512, MALLOC_CAP_SIMD, order, min, 2);
    assert_null(heap_caps_malloc(64, MALLOC_CAP_DMA | MALLOC_CAP_RTCRAM));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_DMA | MALLOC_CAP_TCM));
    assert_true(heap_caps_check_integrity_all(true));
}

/* The largest DMA or SIMD request is exact in whole lines: it is served, and
 * a byte more (a line more) is not; whatever the top block's alignment (an
 * 8BIT block of each size in front of it). */
static void largest_line_request_is_exact(void **state) {
    (void)state;
    static const uint32_t masks[] = {MALLOC_CAP_DMA, MALLOC_CAP_SIMD, MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL};
    for (size_t front = 0; front <= 2 * LINE; front += 12) {
        void *shift = front != 0 ? heap_caps_malloc(front, MALLOC_CAP_8BIT) : NULL;
        for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
            size_t largest = heap_caps_get_largest_free_block(masks[m]);
            assert_true(largest > 0 && largest % LINE == 0);
            assert_null(heap_caps_malloc(largest + 1, masks[m]));
            void *p = heap_caps_malloc(largest, masks[m]);
            assert_non_null(p);
            heap_caps_free(p);
        }
        heap_caps_free(shift);
    }
}

static void retention_tcm_and_lp_sram(void **state) {
    (void)state;
    const chip_range_t retained[] = {retent};
    const size_t min_retained[] = {most_retent};
    assert_drain_order(&d, 512, MALLOC_CAP_RETENTION, retained, min_retained, 1);
    /* ESP-IDF's two names of bit 16, and capheap's */
    assert_int_equal(MALLOC_CAP_TCM, MALLOC_CAP_SPM);
    assert_int_equal(MALLOC_CAP_SCP, MALLOC_CAP_SPM);
    void *t = heap_caps_malloc(100, MALLOC_CAP_TCM);
    assert_true(t != NULL && in_range(t, tcm));
    assert_int_equal(capheap_ptr_caps(t), MALLOC_CAP_SPM | COMMON_CAPS | MALLOC_CAP_INTERNAL);
    void *r = heap_caps_malloc(100, MALLOC_CAP_RTCRAM);
    assert_true(r != NULL && in_range(r, lp));
    assert_int_equal(capheap_ptr_caps(r), MALLOC_CAP_RTCRAM | COMMON_CAPS | MALLOC_CAP_INTERNAL);
    void *m = heap_caps_malloc(100, MALLOC_CAP_DEFAULT);
    assert_true(m != NULL && in_range(m, retent));
    assert_int_equal(capheap_ptr_caps(m), L2MEM_CAPS | MALLOC_CAP_RETENTION);
    heap_caps_free(t);
    heap_caps_free(r);
    heap_caps_free(m);
}

/* heap_caps_free of each block gives every byte back, whatever its heap. */
static void assert_every_block_freed(uint32_t caps) {
    size_t before = heap_caps_get_free_size(MALLOC_CAP_8BIT);
    drain(&d, 200, caps);
    assert_true(count_in(&d, l2mem) > 0 && count_in(&d, tcm) > 0 && count_in(&d, lp) > 0);
    release(&d);
    assert_int_equal(heap_caps_get_free_size(MALLOC_CAP_8BIT), before);
    assert_true(heap_caps_check_integrity_all(true));
}

static void every_block_freed(void **state) {
    (void)state;
    assert_every_block_freed(MALLOC_CAP_DEFAULT);
}

/* With PSRAM, DEFAULT alone would fill 32 MiB first (its type has DEFAULT
 * at priority 0, at the lowest address): internal memory is asked for. */
static void psram_every_internal_block_freed(void **state) {
    (void)state;
    assert_every_block_freed(MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
}

/* ---- esp32p4-psram ------------------------------------------------------ */

static const chip_range_t psram = {0x48000000, 0x4A000000};
static const chip_range_t psram_retent = {0x4FF2F000, 0x4FFB2FC0}; /* below the 32 KiB kept back */

static void psram_malloc_policy(void **state) {
    (void)state;
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_SPIRAM), RANGE_SIZE(psram));
    assert_psram_malloc_policy(psram, psram_retent);
    assert_psram_dma_in_lines(psram, LINE);
}

/* PSRAM offers SIMD at its last priority: L2 memory serves it first, PSRAM
 * when asked by name, in whole lines of the L2 cache. */
static void psram_simd(void **state) {
    (void)state;
    void *internal = heap_caps_malloc(100, MALLOC_CAP_SIMD);
    assert_true(internal != NULL && in_range(internal, psram_retent));
    uint8_t *external = heap_caps_malloc(100, MALLOC_CAP_SIMD | MALLOC_CAP_SPIRAM);
    assert_true(external != NULL && in_range(external, psram));
    assert_int_equal(chip_addr(external) % LINE, 0);
    assert_false(capheap_ptr_caps(external) & (MALLOC_CAP_DMA | MALLOC_CAP_EXEC | MALLOC_CAP_INTERNAL));
    heap_caps_free(internal);
    heap_caps_free(external);
}

/* ---- esp32p4-noprot ------------------------------------------------------ */

/* Without the PMP split, L2 memory and LP SRAM serve EXEC in malloc's order,
 * at the address data is written through (one address on both buses); the
 * TCM never does. */
static void noprot_serves_exec(void **state) {
    (void)state;
    const chip_range_t order[] = {retent, stack, lp};
    const size_t min[] = {most_retent, most_stack, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_EXEC, order, min, 3);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_EXEC), RANGE_SIZE(retent) + RANGE_SIZE(stack) + RANGE_SIZE(lp));
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_DMA)); /* never both, as in ESP-IDF */
    assert_null(heap_caps_malloc(64, MALLOC_CAP_EXEC | MALLOC_CAP_TCM));
    uint32_t *code = heap_caps_malloc(64, MALLOC_CAP_EXEC);
    assert_true(code != NULL && in_range(code, retent) && chip_addr(code) % 4 == 0);
    assert_int_equal(capheap_ptr_caps(code), L2MEM_CAPS | MALLOC_CAP_RETENTION | MALLOC_CAP_EXEC);
    code[0] = 0x00000013u; /* RV32 "nop", as a loader would write it */
    assert_int_equal(((const uint8_t *)code)[0], 0x13);
    heap_caps_free(code);
    assert_lines(MALLOC_CAP_DMA); /* the lines as before */
    assert_true(heap_caps_check_integrity_all(true));
}

/* ---- esp32p4-rev1 -------------------------------------------------------- */

static const chip_range_t rev1_retent = {0x4FF0F000, 0x4FF3AFC0};
static const chip_range_t rev1_stack = {0x4FF3AFC0, 0x4FF3FBA4}; /* up to the ROM's data */
static const chip_range_t rev1_high = {0x4FF40000, 0x4FFA0000};  /* after it, up to the cache */

static void rev1_heaps_and_order(void **state) {
    (void)state;
    const chip_range_t expected[] = {tcm, rev1_retent, rev1_stack, rev1_high, lp};
    assert_heaps(expected, 5);
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_RETENTION), RANGE_SIZE(rev1_retent));
    assert_int_equal(heap_caps_get_total_size(MALLOC_CAP_DMA),
                     RANGE_SIZE(rev1_retent) + RANGE_SIZE(rev1_stack) + RANGE_SIZE(rev1_high));
    const chip_range_t order[] = {rev1_retent, rev1_stack, rev1_high, tcm, lp};
    const size_t min[] = {300, most_stack, 700, most_tcm, most_lp};
    assert_drain_order(&d, 512, MALLOC_CAP_DEFAULT, order, min, 5);
    const chip_range_t rom[] = {{0x4FF3FBA4, 0x4FF40000}, {0x4FFA0000, 0x4FFC0000}};
    drain(&d, 512, MALLOC_CAP_DEFAULT);
    assert_none_in(&d, rom, 2);
    release(&d);
    assert_lines(MALLOC_CAP_DMA | MALLOC_CAP_INTERNAL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(heaps_follow_the_map, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(l2_memory_then_tcm_then_lp_sram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(dma_and_simd_in_l2_memory_lines, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(largest_line_request_is_exact, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(retention_tcm_and_lp_sram, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, board_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_malloc_policy, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_simd, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(psram_every_internal_block_freed, psram_setup, board_teardown),
        cmocka_unit_test_setup_teardown(noprot_serves_exec, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, noprot_setup, board_teardown),
        cmocka_unit_test_setup_teardown(rev1_heaps_and_order, rev1_setup, board_teardown),
        cmocka_unit_test_setup_teardown(every_block_freed, rev1_setup, board_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
