/*
 * builtin.c: the list of built-in boards, in the order capheap_board_name
 * gives them. A new board file adds its board here.
 */
#include "boards.h"

const capheap_board_t *const capheap_builtin_boards[] = {
    &capheap_board_esp32,
    &capheap_board_esp32_psram,
    &capheap_board_esp32s2,
    &capheap_board_esp32s2_psram,
    &capheap_board_esp32s3,
    &capheap_board_esp32s3_psram,
    &capheap_board_esp32s3_noprot,
    &capheap_board_esp32c2,
    &capheap_board_esp32c2_noprot,
    &capheap_board_esp32c3,
    &capheap_board_esp32c3_noprot,
    &capheap_board_esp32c6,
    &capheap_board_esp32c6_noprot,
    &capheap_board_esp32c5,
    &capheap_board_esp32c5_psram,
    &capheap_board_esp32c5_noprot,
    &capheap_board_esp32c61,
    &capheap_board_esp32c61_psram,
    &capheap_board_esp32c61_noprot,
    &capheap_board_esp32h2,
    &capheap_board_esp32h2_noprot,
    &capheap_board_esp32p4,
    &capheap_board_esp32p4_psram,
    &capheap_board_esp32p4_noprot,
    &capheap_board_esp32p4_rev1,
    &capheap_board_esp8266,
    &capheap_board_stm32h743,
    &capheap_board_stm32f407,
    &capheap_board_rp2040,
    &capheap_board_imxrt1062,
    &capheap_board_qemu_mps2_an385,
    NULL,
};
