# Installs libmnemo's public headers, the static library, a pkg-config file and a CMake package.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS mnemo EXPORT mnemoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/mnemo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT mnemoTargets NAMESPACE mnemo:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mnemo)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mnemoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/mnemoConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mnemo)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mnemoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mnemoConfig.cmake ${PROJECT_BINARY_DIR}/mnemoConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/mnemo)

# Relative to the .pc file's own folder, so an installed tree can be moved (or use a DESTDIR).
file(RELATIVE_PATH MNEMO_PC_PREFIX_FROM_PCDIR "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
configure_file(${PROJECT_SOURCE_DIR}/cmake/mnemo.pc.in ${PROJECT_BINARY_DIR}/mnemo.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mnemo.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
