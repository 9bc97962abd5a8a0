# Small declarative helpers so each src/<component>/CMakeLists.txt is a few lines.

# ph_add_library(NAME [DEPS target...] [EXCLUDE file...])
# Builds library phaseout_<NAME> from every *.cc in the folder that is not a *_test.cc, and,
# when tests are enabled, one GoogleTest program <NAME>_test from every *_test.cc beside them.
function(ph_add_library name)
  cmake_parse_arguments(ARG "" "" "DEPS;TEST_DEPS;EXCLUDE" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cc")
  file(GLOB_RECURSE nested CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*/*.cc")
  list(APPEND srcs ${nested})
  set(lib_srcs "")
  set(test_srcs "")
  foreach(f IN LISTS srcs)
    get_filename_component(base "${f}" NAME)
    if(base IN_LIST ARG_EXCLUDE)
      continue()
    endif()
    if(base MATCHES "_test\\.cc$")
      list(APPEND test_srcs "${f}")
    else()
      list(APPEND lib_srcs "${f}")
    endif()
  endforeach()
  if(lib_srcs)
    add_library(phaseout_${name} STATIC ${lib_srcs})
    target_include_directories(phaseout_${name} PUBLIC "${PH_SOURCE_DIR}/src")
    target_link_libraries(phaseout_${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(phaseout_${name} INTERFACE)
    target_include_directories(phaseout_${name} INTERFACE "${PH_SOURCE_DIR}/src")
    target_link_libraries(phaseout_${name} INTERFACE ${ARG_DEPS})
  endif()
  if(PH_BUILD_TESTS AND test_srcs)
    ph_add_test(${name}_test SRCS ${test_srcs} DEPS phaseout_${name} ${ARG_TEST_DEPS})
  endif()
endfunction()

# ph_add_test(NAME SRCS file... [DEPS target...])
function(ph_add_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    PH_SHARED_DIR="${PH_SHARED_DIR}" PH_SOURCE_DIR="${PH_SOURCE_DIR}"
    PH_BINARY_DIR="${CMAKE_BINARY_DIR}")
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

# ph_embed_file(TARGET_VAR SYMBOL FILE): generates a .cc defining
#   extern const std::string_view SYMBOL;  (namespace phaseout::embedded)
# holding FILE's bytes, so data files ship inside the binary and stay editable as data.
function(ph_embed_file out_var symbol file)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DIN=${file} -DOUT=${out} -DSYMBOL=${symbol}
            -P "${PH_SOURCE_DIR}/cmake/EmbedFile.cmake"
    DEPENDS "${file}" "${PH_SOURCE_DIR}/cmake/EmbedFile.cmake"
    COMMENT "Embedding ${file}")
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# ph_add_fuzzer(NAME SRC file DEPS target... [CORPUS dir...])
# With PH_FUZZ: a libFuzzer binary fuzz_<NAME>. Always (when tests are on): a replay program
# fuzz_<NAME>_replay that runs every file of the corpus dirs through the same entry point, under
# ctest, so crashers kept in the corpus stay regressions in every build.
function(ph_add_fuzzer name)
  cmake_parse_arguments(ARG "" "SRC" "DEPS;CORPUS" ${ARGN})
  if(PH_FUZZ)
    add_executable(fuzz_${name} ${ARG_SRC})
    target_link_libraries(fuzz_${name} PRIVATE ${ARG_DEPS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
  endif()
  if(PH_BUILD_TESTS)
    add_executable(fuzz_${name}_replay ${ARG_SRC} "${PH_SOURCE_DIR}/fuzz/replay_main.cc")
    target_link_libraries(fuzz_${name}_replay PRIVATE ${ARG_DEPS})
    add_test(NAME fuzz_replay.${name} COMMAND fuzz_${name}_replay ${ARG_CORPUS})
    set_tests_properties(fuzz_replay.${name} PROPERTIES TIMEOUT 600)
  endif()
endfunction()
