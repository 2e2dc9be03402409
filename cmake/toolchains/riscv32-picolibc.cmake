# Cross-compiling capheap for 32-bit RISC-V (RV32IMAC, ilp32) with Debian's
# riscv64-unknown-elf-gcc and picolibc (gcc-riscv64-unknown-elf,
# picolibc-riscv64-unknown-elf). The compiler is multilib: -march/-mabi select
# the 32-bit libraries.
#
#   cmake -S . -B build/rv32 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/riscv32-picolibc.cmake \
#         -DCAPHEAP_PORT=baremetal -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=MinSizeRel
#   cmake --build build/rv32 --target capheap
#
# The CPU flags go into CMAKE_C_FLAGS' initial value: setting CMAKE_C_FLAGS on
# the command line would replace them; pick the optimisation by build type.
#
# CAPHEAP_TARGET_CPU: rv32imac (the default) or rv32imc, rv32imafc.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_ASM_COMPILER riscv64-unknown-elf-gcc)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(NOT CAPHEAP_TARGET_CPU)
  set(CAPHEAP_TARGET_CPU rv32imac)
endif()
set(CAPHEAP_TARGET_CPU "${CAPHEAP_TARGET_CPU}" CACHE STRING "RISC-V -march to build for")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CAPHEAP_TARGET_CPU)
if(CAPHEAP_TARGET_CPU MATCHES "f")
  set(_capheap_abi ilp32f)
else()
  set(_capheap_abi ilp32)
endif()
# picolibc.specs supplies the C library's headers and, for programs, its crt0
# and linker script.
set(CMAKE_C_FLAGS_INIT "-march=${CAPHEAP_TARGET_CPU} -mabi=${_capheap_abi} -mcmodel=medany --specs=picolibc.specs")
set(CMAKE_ASM_FLAGS_INIT "${CMAKE_C_FLAGS_INIT}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
