/*
 * esp32.c: the classic ESP32 as a typical application sees it after start-up
 * (BOARDS.md), with and without 4 MiB of PSRAM. Addresses are the chip's own,
 * from its memory map as ESP-IDF describes it; ESP-IDF lists the RAM in 8-32 KiB
 * pieces, given here already merged.
 */
#include "boards.h"

enum { DRAM, DIRAM, IRAM, SPIRAM, RTCRAM, DRAM_KEPT_BACK, TYPE_COUNT };

#define CAP(x) MALLOC_CAP_##x

static const capheap_memory_type_t types[TYPE_COUNT] = {
    [DRAM] = {"DRAM", {CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(DMA) | CAP(32BIT), 0}},
    [DIRAM] = {"D/IRAM", {0, CAP(DMA) | CAP(8BIT) | CAP(INTERNAL) | CAP(DEFAULT), CAP(32BIT) | CAP(EXEC)}},
    [IRAM] = {"IRAM", {CAP(INTERNAL) | CAP(EXEC) | CAP(32BIT), 0, 0}},
    [SPIRAM] = {"SPIRAM", {CAP(SPIRAM) | CAP(DEFAULT), 0, CAP(8BIT) | CAP(32BIT)}},
    [RTCRAM] = {"RTCRAM", {CAP(RTCRAM), CAP(8BIT) | CAP(DEFAULT), CAP(INTERNAL) | CAP(32BIT) | CAP(EXEC)}},
    /* Internal RAM that esp32-psram keeps back for INTERNAL or DMA requests:
     * without DEFAULT malloc() takes it only after external RAM, and with its
     * caps in the last priority every INTERNAL, DMA or 8BIT request takes it
     * after all other memory that has those caps. */
    [DRAM_KEPT_BACK] = {"DRAM (kept back)", {0, 0, CAP(DMA) | CAP(INTERNAL) | CAP(8BIT) | CAP(32BIT)}},
};

/* The D/IRAM block is also on the instruction bus at 0x400A0000-0x400C0000,
 * word order inverted: iram = 0x400A0000 + (0x40000000 - dram) - 4. */
#define DIRAM_WINDOW {CAPHEAP_ALIAS_INVERTED, 0x400A0000}

/* RTC fast memory (0x3FF80000-0x3FF82000) is off unless an application enables
 * it; a board of one's own can list it with type RTCRAM. */
#define ESP32_COMMON_TAIL                                                                                  \
    {0x3FFE0000, 0x20000, DIRAM, CAPHEAP_REGION_STARTUP_STACK, DIRAM_WINDOW},                             \
        {0x40070000, 0x10000, IRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},                                         \
        {0x40080000, 0x20000, IRAM, 0, {CAPHEAP_ALIAS_NONE, 0}}

static const capheap_region_t esp32_regions[] = {
    {0x3FFAE000, 0x2000, DRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {0x3FFB0000, 0x30000, DRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    ESP32_COMMON_TAIL,
};

static const capheap_region_t esp32_psram_regions[] = {
    {0x3F800000, 0x400000, SPIRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {0x3FFAE000, 0x2000, DRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {0x3FFB0000, 0x28000, DRAM, 0, {CAPHEAP_ALIAS_NONE, 0}},
    {0x3FFD8000, 0x8000, DRAM_KEPT_BACK, 0, {CAPHEAP_ALIAS_NONE, 0}}, /* 32 KiB */
    ESP32_COMMON_TAIL,
};

/* .data/.bss and application IRAM code are those of a typical application. */
static const capheap_reserved_t reserved[] = {
    {0x3FFAE000, 0x3FFAE6E0, "ROM data"},
    {0x3FFB0000, 0x3FFB3000, "application .data/.bss"},
    {0x3FFE0000, 0x3FFE0440, "ROM PRO CPU data"},
    {0x3FFE3F20, 0x3FFE4350, "ROM APP CPU data"},
    {0x40070000, 0x40080000, "CPU0/CPU1 instruction cache"},
    {0x40080000, 0x40089800, "application IRAM code"},
};

/* Cache lines as ESP-IDF's esp_cache_get_alignment reports them on the ESP32
 * (components/hal/esp32/cache_hal_esp32.c, cache_hal_get_cache_line_size): 0
 * for internal memory, which no cache stands in front of, and 4 for external
 * memory. Neither asks more than the grain: DMA and CACHE_ALIGNED requests
 * are not aligned further, as in ESP-IDF. */
#define ESP32_CACHE_LINES {.internal_line = 0, .external_line = 4}

const capheap_board_t capheap_board_esp32 = {
    .name = "esp32",
    CAPHEAP_BOARD_TABLES(types, esp32_regions, reserved),
    .extmem = {0},
    .cache = ESP32_CACHE_LINES,
};

const capheap_board_t capheap_board_esp32_psram = {
    .name = "esp32-psram",
    CAPHEAP_BOARD_TABLES(types, esp32_psram_regions, reserved),
    .extmem = {.internal_below = 16384},
    .cache = ESP32_CACHE_LINES,
};
