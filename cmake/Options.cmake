# Compiler options live on an INTERFACE target that every rein target links PRIVATE,
# not in global flags (STYLE.md 9).
add_library(rein_options INTERFACE)
target_compile_options(rein_options INTERFACE -Wall -Wextra)
if(REIN_WERROR)
  target_compile_options(rein_options INTERFACE -Werror)
endif()
if(REIN_NATIVE)
  target_compile_options(rein_options INTERFACE -march=native)
endif()
if(REIN_SANITIZE)
  target_compile_options(rein_options INTERFACE -fsanitize=address,undefined
                                                -fno-sanitize-recover=undefined
                                                -fno-omit-frame-pointer)
  target_link_options(rein_options INTERFACE -fsanitize=address,undefined)
  target_compile_definitions(rein_options INTERFACE REIN_ENABLE_ASSERTS=1)
endif()
# Exported so that installed static libraries carry their link requirements.
install(TARGETS rein_options EXPORT reinTargets)
