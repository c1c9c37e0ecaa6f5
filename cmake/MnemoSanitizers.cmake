# Applied globally so that every object, tests included, is instrumented the same way.
if(MNEMO_SANITIZE STREQUAL "asan")
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
elseif(MNEMO_SANITIZE STREQUAL "tsan")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # Asio's fences warn under g++'s TSan (-Wtsan), which -Werror would turn into errors.
    add_compile_options(-Wno-tsan)
  endif()
elseif(NOT MNEMO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "MNEMO_SANITIZE must be asan, tsan or empty")
endif()
