/*
 * capheap/config.h: build options that the public headers must agree on with
 * the library.
 *
 * CAPHEAP_GRAIN: the granularity of block sizes and of the addresses malloc
 * returns, in bytes (MULTI_HEAP_ALIGN). The default is sizeof(size_t): 4 on
 * 32-bit targets, 8 on 64-bit ones. A 32-bit build may ask for 8 (CMake
 * option CAPHEAP_GRAIN=8), so that every payload is 8-aligned as
 * _Alignof(max_align_t) is on Arm EABI, and any build for 16
 * (CAPHEAP_GRAIN=16), as _Alignof(max_align_t) is on RV32, x86-64 and
 * AArch64; the header of a used block stays one size_t word. CMake passes the option to the library and, as a public
 * definition, to everything that links capheap::capheap; the pkg-config
 * file carries it too. Code compiled with another value than the library's
 * sees a wrong MULTI_HEAP_ALIGN. The default is a sizeof, not for #if.
 */
#ifndef CAPHEAP_CONFIG_H
#define CAPHEAP_CONFIG_H

#include <stddef.h>

#ifndef CAPHEAP_GRAIN
#define CAPHEAP_GRAIN sizeof(size_t)
#endif

#endif /* CAPHEAP_CONFIG_H */
