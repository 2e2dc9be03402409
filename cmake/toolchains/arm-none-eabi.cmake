# Cross-compiling capheap for Cortex-M with arm-none-eabi-gcc (Debian:
# gcc-arm-none-eabi, libnewlib-arm-none-eabi).
#
#   cmake -S . -B build/cm4 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi.cmake \
#         -DCAPHEAP_TARGET_CPU=cortex-m4f -DCAPHEAP_PORT=baremetal \
#         -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=MinSizeRel
#   cmake --build build/... --target capheap
#
# The CPU flags go into CMAKE_C_FLAGS' initial value: setting CMAKE_C_FLAGS on
# the command line would replace them; pick the optimisation by build type.
#
# CAPHEAP_TARGET_CPU: cortex-m0plus, cortex-m3, cortex-m4 (no FPU), cortex-m4f,
# cortex-m7f, cortex-m33 (no FPU) or cortex-m33f. The flags go into the compile
# and link lines alike, so the linker picks the matching newlib multilib.
# Executables need a startup, a linker script and a specs choice of their own
# (tests/target shows one for QEMU mps2-an385).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
# Compiler checks must not try to link a program without startup code.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

if(NOT CAPHEAP_TARGET_CPU)
  set(CAPHEAP_TARGET_CPU cortex-m4f)
endif()
set(CAPHEAP_TARGET_CPU "${CAPHEAP_TARGET_CPU}" CACHE STRING "Cortex-M core to build for")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES CAPHEAP_TARGET_CPU)

set(_capheap_cpu_flags_cortex-m0plus "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft")
set(_capheap_cpu_flags_cortex-m3 "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft")
set(_capheap_cpu_flags_cortex-m4 "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft")
set(_capheap_cpu_flags_cortex-m4f "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard")
set(_capheap_cpu_flags_cortex-m7f "-mcpu=cortex-m7 -mthumb -mfpu=fpv5-d16 -mfloat-abi=hard")
set(_capheap_cpu_flags_cortex-m33 "-mcpu=cortex-m33+nodsp -mthumb -mfloat-abi=soft")
set(_capheap_cpu_flags_cortex-m33f "-mcpu=cortex-m33 -mthumb -mfpu=fpv5-sp-d16 -mfloat-abi=hard")
if(NOT DEFINED _capheap_cpu_flags_${CAPHEAP_TARGET_CPU})
  message(FATAL_ERROR "CAPHEAP_TARGET_CPU '${CAPHEAP_TARGET_CPU}' is not one this toolchain file knows")
endif()
set(CMAKE_C_FLAGS_INIT "${_capheap_cpu_flags_${CAPHEAP_TARGET_CPU}}")
set(CMAKE_ASM_FLAGS_INIT "${_capheap_cpu_flags_${CAPHEAP_TARGET_CPU}}")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
