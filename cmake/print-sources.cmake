# Prints the library's sources (cmake/sources.cmake), one per line, for a port
# and a poisoning level, so that scripts outside CMake (scripts/target-size.sh)
# follow the same list:
#   cmake -DCAPHEAP_PORT=baremetal -DCAPHEAP_POISONING_LEVEL=1 -P cmake/print-sources.cmake
include(${CMAKE_CURRENT_LIST_DIR}/sources.cmake)
foreach(source IN LISTS CAPHEAP_SOURCES)
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${source}")
endforeach()
