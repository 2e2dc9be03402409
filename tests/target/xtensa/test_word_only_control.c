/*
 * test_word_only_control.c: the negative control of the word-only check
 * (scripts/target-run.sh --word-only): one byte stored into the ESP8266's
 * instruction RAM, then a clean exit. Run with the check, it must fail; the
 * check would otherwise pass every program, its own failure included.
 */
#include <stdint.h>

#include "harness.h"

int main(void) {
    volatile uint8_t *iram = (volatile uint8_t *)0x4010B000u; /* the esp8266 board's IRAM heap */
    *iram = 0x5A;
    t_printf("stored one byte at %p\n", (void *)iram);
    return 0;
}
