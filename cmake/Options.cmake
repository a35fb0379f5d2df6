# Compiler options live on an INTERFACE target that every rein target links PRIVATE,
# not in global flags (STYLE.md 9).
add_library(rein_options INTERFACE)
target_compile_options(rein_options INTERFACE -Wall -Wextra)
if(REIN_WERROR)
  target_compile_options(rein_options INTERFACE -Werror)
endif()
if(REIN_NATIVE)
  target_compile_options(rein_options INTERFACE -march=native)
  # g++ 12.2 with -march=native on AVX-512 machines miscompiles some constant vector
  # initialisers in straight-line (SLP) vectorisation: std::vector<double>{1, 1, 1, 0} came out
  # as {1, 1, 1, 1} (one vpbroadcastq for all four lanes). Loop vectorisation, which the kernels
  # rely on, is kept; the option applies to every target so no layer is exposed.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(rein_options INTERFACE -fno-tree-slp-vectorize)
  endif()
endif()
# g++ 12 reports false -W(maybe-)uninitialized warnings inside its own AVX-512 intrinsics
# (_mm512_undefined_ps, GCC bug 105593) when Eigen's kernels are inlined with -march=native, the
# definite form under -fsanitize. Translation units that include Eigen opt out of those two:
#   set_source_files_properties(f.cpp PROPERTIES COMPILE_OPTIONS "${REIN_EIGEN_TU_OPTIONS}")
set(REIN_EIGEN_TU_OPTIONS "-Wno-maybe-uninitialized;-Wno-uninitialized")
if(REIN_SANITIZE)
  target_compile_options(rein_options INTERFACE -fsanitize=address,undefined
                                                -fno-sanitize-recover=undefined
                                                -fno-omit-frame-pointer)
  target_link_options(rein_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(rein_options INTERFACE REIN_ENABLE_ASSERTS=1)
  # GCC's -Wmaybe-uninitialized is unreliable under -fsanitize (its instrumentation hides
  # initialisation from the flow analysis: std::variant, std::regex and std::optional inside the
  # standard library trip it). The Release build keeps the warning, with -Werror in CI.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(rein_options INTERFACE -Wno-maybe-uninitialized)
  endif()
endif()
