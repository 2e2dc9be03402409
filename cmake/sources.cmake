# The library's sources: the core, the poisoning layer when enabled, and the port.
set(CAPHEAP_SOURCES
  src/tlsf.c
  src/multi_heap.c
  src/multi_heap_diag.c
  src/log.c
  src/corruption.c)
if(CAPHEAP_POISONING_LEVEL GREATER 0)
  list(APPEND CAPHEAP_SOURCES src/poison.c)
endif()
if(CAPHEAP_PORT STREQUAL "posix")
  list(APPEND CAPHEAP_SOURCES ports/posix/port_posix.c)
elseif(CAPHEAP_PORT STREQUAL "baremetal")
  list(APPEND CAPHEAP_SOURCES ports/baremetal/port_baremetal.c)
endif()
