# The library's sources: the core, the poisoning layer when enabled, and the port.
set(CAPHEAP_SOURCES
  src/tlsf.c
  src/multi_heap.c
  src/multi_heap_diag.c
  src/log.c
  src/corruption.c)
# The capabilities layer (registry, heap_caps, boards, seed-era API).
list(APPEND CAPHEAP_SOURCES
  src/registry.c
  src/registry_lists.c
  src/board_layout.c
  src/heap_caps.c
  src/heap_caps_block.c
  src/heap_caps_hw.c
  src/heap_caps_alias.c
  src/heap_caps_prefer.c
  src/heap_caps_info.c
  src/heap_caps_init.c
  src/memory_utils.c
  src/esp_system_heap.c
  src/legacy.c
  src/fail_inject.c
  src/trace.c
  src/trace_dump.c
  boards/builtin.c
  boards/esp32.c
  boards/esp32s2.c
  boards/esp32s3.c
  boards/esp32c2.c
  boards/esp32c3.c
  boards/esp32c6.c
  boards/esp32c5.c
  boards/esp32c61.c
  boards/esp32h2.c
  boards/esp32p4.c
  boards/esp8266.c
  boards/stm32h743.c
  boards/stm32f407.c
  boards/rp2040.c
  boards/imxrt1062.c
  boards/qemu_mps2_an385.c)
if(CAPHEAP_POISONING_LEVEL GREATER 0)
  list(APPEND CAPHEAP_SOURCES src/poison.c)
endif()
if(CAPHEAP_HEAP_HOOKS)
  list(APPEND CAPHEAP_SOURCES src/heap_hooks.c)
endif()
if(CAPHEAP_TASK_TRACKING)
  list(APPEND CAPHEAP_SOURCES src/heap_caps_task_info.c src/task_stats.c src/heap_caps_task_stat.c
       src/heap_caps_task_stat_print.c)
endif()
if(CAPHEAP_ASSERTIONS GREATER 0)
  list(APPEND CAPHEAP_SOURCES src/assertions.c)
endif()
if(CAPHEAP_PORT STREQUAL "posix")
  list(APPEND CAPHEAP_SOURCES ports/posix/port_posix.c ports/posix/memory_posix.c ports/posix/fork_posix.c
       src/registry_hold.c)
elseif(CAPHEAP_PORT STREQUAL "baremetal")
  list(APPEND CAPHEAP_SOURCES ports/baremetal/port_baremetal.c ports/baremetal/memory_baremetal.c)
  if(CAPHEAP_BAREMETAL_SMP AND CAPHEAP_BAREMETAL_HW_SPINLOCK STREQUAL "rp2040")
    list(APPEND CAPHEAP_SOURCES ports/baremetal/spinlock_rp2040.c)
  endif()
endif()
# The C library's malloc family served by capheap, for firmware (newlib,
# picolibc). Not on a host: there the program's own malloc would be replaced
# before anything initialised capheap (the preload library is for that).
option(CAPHEAP_MALLOC "Provide malloc/free/... (and newlib's _malloc_r...) from capheap" OFF)
if(CAPHEAP_MALLOC)
  if(CAPHEAP_PORT STREQUAL "posix")
    message(FATAL_ERROR "CAPHEAP_MALLOC is for targets (CAPHEAP_PORT baremetal or none)")
  endif()
  list(APPEND CAPHEAP_SOURCES ports/baremetal/malloc_family.c)
endif()
