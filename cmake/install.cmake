# Install rules: headers, the library, a CMake package (find_package(capheap))
# and a pkg-config file (pkg-config --cflags --libs capheap).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS capheap EXPORT capheapTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT capheapTargets NAMESPACE capheap:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/capheap)

configure_package_config_file(cmake/capheapConfig.cmake.in
  ${PROJECT_BINARY_DIR}/capheapConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/capheap)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/capheapConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/capheapConfig.cmake ${PROJECT_BINARY_DIR}/capheapConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/capheap)

set(CAPHEAP_PC_CFLAGS "")
if(CAPHEAP_GRAIN_DEFINE)
  string(APPEND CAPHEAP_PC_CFLAGS " -D${CAPHEAP_GRAIN_DEFINE}")
endif()
if(CAPHEAP_HEAP_HOOKS)
  string(APPEND CAPHEAP_PC_CFLAGS " -DCAPHEAP_HEAP_HOOKS=1")
endif()
if(CAPHEAP_TASK_TRACKING)
  string(APPEND CAPHEAP_PC_CFLAGS " -DCAPHEAP_TASK_TRACKING=1")
endif()
# The prefix is found from where the .pc file lies (pkg-config's pcfiledir),
# so that `cmake --install build --prefix DIR`, a prefix other than the one
# configured, gives a file that points into DIR.
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(CAPHEAP_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  string(REGEX REPLACE "[^/]+" ".." pc_up "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
  set(CAPHEAP_PC_PREFIX "\${pcfiledir}/${pc_up}")
endif()
configure_file(cmake/capheap.pc.in ${PROJECT_BINARY_DIR}/capheap.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/capheap.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
