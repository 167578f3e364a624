# Run at every build (not only at configure time): writes the git revision header, touching it
# only when the revision changes, so run provenance names the commit actually built.
execute_process(
  COMMAND git describe --always --dirty --abbrev=12
  WORKING_DIRECTORY ${SOURCE_DIR}
  OUTPUT_VARIABLE CRISP_GIT_REVISION OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT CRISP_GIT_REVISION)
  set(CRISP_GIT_REVISION "unknown")
endif()
set(content "#pragma once\n// Generated at build time by cmake/GitRevision.cmake.\nnamespace crisp::build_info {\ninline constexpr const char* kGitRevision = \"${CRISP_GIT_REVISION}\";\n}  // namespace crisp::build_info\n")
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} previous)
endif()
if(NOT previous STREQUAL content)
  file(WRITE ${OUTPUT} "${content}")
endif()
