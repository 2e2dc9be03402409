/*
 * boards.h (private): the built-in boards (one file per chip in boards/), found by name.
 */
#ifndef CAPHEAP_BOARDS_H
#define CAPHEAP_BOARDS_H

#include "capheap.h"
#include "internal.h"

/** Every built-in board, ending with NULL (boards/builtin.c). */
CAPHEAP_INTERNAL extern const capheap_board_t *const capheap_builtin_boards[];

CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32s2;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32s2_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32s3;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32s3_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32s3_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c2;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c2_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c3;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c3_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c6;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c6_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c5;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c5_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c5_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c61;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c61_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32c61_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32h2;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32h2_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32p4;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32p4_psram;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32p4_noprot;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp32p4_rev1;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_stm32h743;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_stm32f407;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_esp8266;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_rp2040;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_imxrt1062;
CAPHEAP_INTERNAL extern const capheap_board_t capheap_board_qemu_mps2_an385;

#endif /* CAPHEAP_BOARDS_H */
