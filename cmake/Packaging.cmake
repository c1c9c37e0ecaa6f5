# The daemon as an installable service, and the Debian package (`cpack -G DEB` in a build
# directory). Installs mnemod, its manual page, the systemd unit and the options file the unit
# reads (packaging/); MnemoInstall.cmake and the tools install the library and the clients.
include(GNUInstallDirs)

if(TARGET mnemod)
  install(TARGETS mnemod RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

  # The manual page, whose OPTIONS are `mnemod -h`.
  set(mnemod_man ${PROJECT_BINARY_DIR}/man/mnemod.1)
  add_custom_command(OUTPUT ${mnemod_man}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND ${PROJECT_SOURCE_DIR}/packaging/mnemod.1.sh $<TARGET_FILE:mnemod> ${mnemod_man}
    DEPENDS mnemod ${PROJECT_SOURCE_DIR}/packaging/mnemod.1.sh
    COMMENT "Generating mnemod.1")
  add_custom_target(mnemod_man ALL DEPENDS ${mnemod_man})
  install(FILES ${mnemod_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

  # The unit names mnemod's path and /etc/default, and /etc is not under the prefix: both are
  # only known at install time (cmake --install --prefix, or CPack's staging directory).
  install(CODE "set(MNEMO_PACKAGING_DIR \"${PROJECT_SOURCE_DIR}/packaging\")
    set(MNEMO_PACKAGING_BINARY_DIR \"${PROJECT_BINARY_DIR}/packaging\")")
  install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/PackagingInstallService.cmake)
endif()

set(CPACK_PACKAGE_NAME mnemo)
set(CPACK_PACKAGE_VENDOR "Mnemo")
set(CPACK_PACKAGE_CONTACT "Mnemo maintainers <mnemo@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "memcached-compatible cache server, client and library")
set(CPACK_PACKAGE_DESCRIPTION "mnemod is a drop-in replacement for the memcached daemon \
(ASCII, meta and binary protocols) with warm restarts and Prometheus metrics; mclient is \
memcached from the shell; libmnemo is the protocol library (static, with headers, pkg-config \
and CMake files).")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
# The build may carry debug information (RelWithDebInfo); the package does not.
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/mnemo")
# /etc/default/mnemod is the administrator's: an upgrade keeps their edits.
configure_file(${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_BINARY_DIR}/packaging/conffiles
  COPYONLY)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_BINARY_DIR}/packaging/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/postinst
  ${PROJECT_SOURCE_DIR}/packaging/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
