# Runs at install time (install(SCRIPT) from Packaging.cmake): installs mnemod.service with the
# real path of mnemod, and the options file that the unit reads. The prefix /usr (the Debian
# package, or `cmake --install --prefix /usr`) puts that file in /etc/default; any other prefix
# (/usr/local, a test's temporary directory) in PREFIX/etc/default. file(INSTALL) adds DESTDIR
# itself, which is how CPack stages the package.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(MNEMOD_ETC /etc)
else()
  set(MNEMOD_ETC "${prefix}/etc")
endif()
set(MNEMOD_BIN "${prefix}/bin")
set(unit "${MNEMO_PACKAGING_BINARY_DIR}/mnemod.service")
configure_file("${MNEMO_PACKAGING_DIR}/mnemod.service.in" "${unit}" @ONLY)
file(INSTALL "${unit}" DESTINATION "${prefix}/lib/systemd/system")
file(INSTALL "${MNEMO_PACKAGING_DIR}/mnemod.default" DESTINATION "${MNEMOD_ETC}/default"
  RENAME mnemod)
