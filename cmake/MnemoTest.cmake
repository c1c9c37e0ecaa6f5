# mnemo_test(NAME SOURCES... LIBS ... [LABELS ...] [FILTER expr]): one GoogleTest binary
# registered with CTest, a CTest test per GoogleTest case; FILTER (a --gtest_filter) limits
# which cases are registered that way.
function(mnemo_test name)
  cmake_parse_arguments(T "" "FILTER" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  mnemo_warnings(${name})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(T_FILTER)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 TEST_FILTER "${T_FILTER}"
                         PROPERTIES LABELS "${T_LABELS}")
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()
