/*
 * word_only_demo.c: a host program over the host model of a chip that uses
 * its word-only memory, run by scripts/word-only.sh under QEMU's user-mode
 * emulator (tests/CMakeLists.txt registers the runs):
 *
 *   word_only_demo esp32    MALLOC_CAP_32BIT and EXEC blocks (IRAM, D/IRAM
 *                           through its instruction-bus window) written and
 *                           read in words, realloc'ed, calloc'ed, freed
 *   word_only_demo esp8266  plain malloc's blocks (IRAM first there) likewise
 *   word_only_demo byte     the esp32 program, and then one byte stored into
 *                           an IRAM block: the check must fail it
 *
 * Exits 0 when every step did what it should (the word-only verdict is the
 * script's), 1 when one did not, 2 on a bad argument.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capheap.h"
#include "esp_heap_caps.h"

static int failed;

static void check(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "word_only_demo: %s\n", what);
        failed = 1;
    }
}

/* n words written, read back, moved by realloc and read again. */
static uint32_t *words_through(uint32_t *w, size_t n, uint32_t caps) {
    for (size_t i = 0; i < n; i++) {
        w[i] = 0x9E3779B9u * (uint32_t)(i + 1);
    }
    w = heap_caps_realloc(w, 4 * n * sizeof *w, caps);
    check(w != NULL, "realloc");
    for (size_t i = 0; w != NULL && i < n; i++) {
        check(w[i] == 0x9E3779B9u * (uint32_t)(i + 1), "a word changed on the move");
    }
    return w;
}

static void use_esp32(void) {
    check(capheap_init("esp32") == ESP_OK && capheap_host_offset() == 0, "esp32 at the chip's addresses");
    uint32_t *table = heap_caps_malloc(64 * sizeof *table, MALLOC_CAP_32BIT); /* IRAM */
    uint32_t *code = heap_caps_malloc(100 * 1024, MALLOC_CAP_EXEC);         /* D/IRAM, instruction bus */
    check(table != NULL && (uintptr_t)table >= 0x40070000u && (uintptr_t)table < 0x400A0000u, "32BIT in IRAM");
    check(code != NULL && (uintptr_t)code >= 0x400A0000u && (uintptr_t)code < 0x400C0000u, "EXEC in the window");
    table = words_through(table, 64, MALLOC_CAP_32BIT);
    for (size_t i = 0; code != NULL && i < 16; i++) {
        code[i] = (uint32_t)i;
    }
    uint32_t *zeroed = heap_caps_calloc(32, sizeof *zeroed, MALLOC_CAP_32BIT);
    check(zeroed != NULL && zeroed[31] == 0, "calloc in IRAM");
    check(heap_caps_check_integrity_all(true), "integrity");
    heap_caps_free(zeroed);
    heap_caps_free(code);
    heap_caps_free(table);
}

static void use_esp8266(void) {
    check(capheap_init("esp8266") == ESP_OK && capheap_host_offset() == 0, "esp8266 at the chip's addresses");
    uint32_t *w = heap_caps_malloc_default(64 * sizeof *w); /* IRAM first, as the SDK's malloc */
    check(w != NULL && (uintptr_t)w >= 0x40100000u && (uintptr_t)w < 0x4010C000u, "malloc in IRAM");
    w = words_through(w, 64, MALLOC_CAP_32BIT);
    heap_caps_free(w);
    check(heap_caps_check_integrity_all(true), "integrity");
}

int main(int argc, char **argv) {
    const char *mode = argc == 2 ? argv[1] : "";
    if (strcmp(mode, "esp32") == 0 || strcmp(mode, "byte") == 0) {
        use_esp32();
        if (strcmp(mode, "byte") == 0) {
            uint8_t *bytes = heap_caps_malloc(16, MALLOC_CAP_32BIT);
            check(bytes != NULL, "a 32BIT block for the byte");
            if (bytes != NULL) {
                bytes[1] = 0x5A; /* a LoadStoreError on the chip */
                heap_caps_free(bytes);
            }
        }
    } else if (strcmp(mode, "esp8266") == 0) {
        use_esp8266();
    } else {
        fprintf(stderr, "usage: word_only_demo esp32|esp8266|byte\n");
        return 2;
    }
    capheap_deinit();
    return failed;
}
