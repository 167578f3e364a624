# Project-wide settings applied to every target this project defines (not to dependencies).

# Why QT_NO_KEYWORDS: LibTorch headers use `slots` as an identifier (pytorch issue 19405).
set(CRISP_COMMON_DEFINITIONS QT_NO_KEYWORDS)

function(crisp_configure_target target)
  target_compile_definitions(${target} PRIVATE ${CRISP_COMMON_DEFINITIONS})
  # -Wshadow=local is GCC's spelling; clang (the fuzz build, fuzz/) has no such option.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local>
    ${CRISP_EXTRA_WARNING_OPTIONS})
  if(CRISP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
