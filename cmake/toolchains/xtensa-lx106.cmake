# Cross-compiling capheap for Xtensa with Debian's xtensa-lx106-elf-gcc and
# picolibc (gcc-xtensa-lx106, picolibc-xtensa-lx106-elf): the lx106 core, the
# ESP8266's, an Xtensa LX core with the exception architecture (XEA2) and
# interrupt levels of the ESP32's LX6, without its register windows (call0
# ABI) and without atomic instructions.
#
#   cmake -S . -B build/lx106 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/xtensa-lx106.cmake \
#         -DCAPHEAP_PORT=baremetal -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=MinSizeRel
#   cmake --build build/lx106 --target capheap
#
# picolibc for this core has no start-up code that sets a stack nor any
# console, and Debian's libgcc for it lacks 32-bit division and the 64-bit and
# double-precision helpers (__udivsi3, __muldi3, __adddf3, ...): programs bring
# start-up and console, and whatever helpers their code calls. capheap itself
# calls __udivsi3 and __umodsi3 (its log's numbers) and 64-bit division (the
# heap trace's dump). tests/target/xtensa has all of it for QEMU's sim machine.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR xtensa)
set(CMAKE_C_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_ASM_COMPILER xtensa-lx106-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CAPHEAP_TARGET_CPU lx106 CACHE STRING "Xtensa core to build for (lx106 only)")
if(NOT CAPHEAP_TARGET_CPU STREQUAL "lx106")
  message(FATAL_ERROR "CAPHEAP_TARGET_CPU '${CAPHEAP_TARGET_CPU}': this toolchain file knows lx106 only")
endif()
# -mlongcalls: calls through a register, so that code may sit anywhere (call0
# reaches 512 KiB). picolibc.specs supplies the C library's headers; this
# compiler does not look for it where Debian puts it, hence the whole path.
set(CAPHEAP_XTENSA_PICOLIBC_SPECS /usr/lib/xtensa-lx106-elf/picolibc.specs)
set(CMAKE_C_FLAGS_INIT "-mlongcalls --specs=${CAPHEAP_XTENSA_PICOLIBC_SPECS}")
set(CMAKE_ASM_FLAGS_INIT "${CMAKE_C_FLAGS_INIT}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
