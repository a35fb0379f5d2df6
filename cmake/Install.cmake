# Exported CMake package: find_package(rein) gives rein::tensor, rein::autograd, rein::envs,
# rein::rl, rein::tracker and rein::session.
include(CMakePackageConfigHelpers)
install(EXPORT reinTargets NAMESPACE rein:: DESTINATION ${REIN_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/reinConfig.cmake.in
  ${CMAKE_BINARY_DIR}/reinConfig.cmake INSTALL_DESTINATION ${REIN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/reinConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/reinConfig.cmake ${CMAKE_BINARY_DIR}/reinConfigVersion.cmake
        DESTINATION ${REIN_INSTALL_CMAKEDIR})
# The licence travels with the installed package.
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})
